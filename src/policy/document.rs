//! Policy documents parsed into a normalised model.
//!
//! IAM accepts several shapes for the same meaning (`Statement` as an object or
//! an array, `Action` as a string or a list, `Principal` as `"*"` or a map of
//! string-or-list, condition values as strings, numbers or booleans). Rules see
//! one shape only. Anything IAM itself would reject is an error that names the
//! JSON path inside the document (`Statement[2].Effect`), never a panic.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::wildcard::{action_match, arn_match};

/// What a document is for: identity policies need `Resource`, trust policies need `Principal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    Identity,
    Trust,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyError {
    /// JSON path inside the document, e.g. `Statement[1].Action`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for PolicyError {}

fn err(path: impl Into<String>, message: impl Into<String>) -> PolicyError {
    PolicyError {
        path: path.into(),
        message: message.into(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`: a list of patterns, maybe negated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PatternSet {
    /// True for `NotAction` / `NotResource`.
    pub negated: bool,
    pub patterns: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PrincipalKind {
    #[serde(rename = "AWS")]
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Aws => "AWS",
            PrincipalKind::Service => "Service",
            PrincipalKind::Federated => "Federated",
            PrincipalKind::CanonicalUser => "CanonicalUser",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Principals {
    /// `"Principal": "*"`.
    Any,
    /// `"Principal": {"AWS": [...], "Service": "...", ...}`.
    Map(BTreeMap<PrincipalKind, Vec<String>>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrincipalSet {
    /// True for `NotPrincipal`.
    pub negated: bool,
    pub principals: Principals,
}

/// One `operator → key → values` entry of a Condition block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConditionEntry {
    /// The operator as written, e.g. `ForAnyValue:StringLike`, `BoolIfExists`.
    pub operator: String,
    /// The condition key as written (IAM compares keys case-insensitively).
    pub key: String,
    /// Values, stringified (`true`, `3600`) as IAM compares them.
    pub values: Vec<String>,
}

/// An operator split into its parts: `ForAnyValue:StringEqualsIgnoreCaseIfExists`
/// → set qualifier `ForAnyValue`, base `StringEqualsIgnoreCase`, if_exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operator<'a> {
    pub set: Option<&'a str>,
    pub base: &'a str,
    pub if_exists: bool,
}

impl ConditionEntry {
    pub fn op(&self) -> Operator<'_> {
        let (set, rest) = match self.operator.split_once(':') {
            Some((q, rest)) => (Some(q), rest),
            None => (None, self.operator.as_str()),
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (rest, false),
        };
        Operator {
            set,
            base,
            if_exists,
        }
    }

    pub fn key_is(&self, key: &str) -> bool {
        self.key.eq_ignore_ascii_case(key)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// Position in the document's statement list (0-based).
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub action: PatternSet,
    /// Absent in trust policies.
    pub resource: Option<PatternSet>,
    /// Present in trust (and resource-based) policies only.
    pub principal: Option<PrincipalSet>,
    pub conditions: Vec<ConditionEntry>,
}

impl Statement {
    pub fn is_allow(&self) -> bool {
        self.effect == Effect::Allow
    }

    /// Does the statement's Action/NotAction cover this concrete action?
    pub fn covers_action(&self, action: &str) -> bool {
        let hit = self.action.patterns.iter().any(|p| action_match(p, action));
        hit != self.action.negated
    }

    /// Does the statement's Resource/NotResource cover this concrete ARN?
    /// A statement without a resource element (trust policies) covers nothing.
    pub fn covers_resource(&self, arn: &str) -> bool {
        match &self.resource {
            None => false,
            Some(set) => {
                let hit = set.patterns.iter().any(|p| arn_match(p, arn));
                hit != set.negated
            }
        }
    }

    /// The Resource patterns that match `arn` (empty for NotResource).
    pub fn resources_matching(&self, arn: &str) -> Vec<String> {
        match &self.resource {
            Some(set) if !set.negated => set
                .patterns
                .iter()
                .filter(|p| arn_match(p, arn))
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn condition_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.conditions.iter().map(|c| c.key.clone()).collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// A canonical, order-independent rendering (lists sorted), used for fingerprints:
    /// reordering statements or list items keeps it, any change of meaning changes it.
    pub fn canonical(&self) -> String {
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        let mut c = serde_json::Map::new();
        c.insert("Effect".into(), Value::from(format!("{:?}", self.effect)));
        let akey = if self.action.negated {
            "NotAction"
        } else {
            "Action"
        };
        c.insert(akey.into(), Value::from(sorted(&self.action.patterns)));
        if let Some(r) = &self.resource {
            let rkey = if r.negated { "NotResource" } else { "Resource" };
            c.insert(rkey.into(), Value::from(sorted(&r.patterns)));
        }
        if let Some(p) = &self.principal {
            let pkey = if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            let pv = match &p.principals {
                Principals::Any => Value::from("*"),
                Principals::Map(m) => Value::Object(
                    m.iter()
                        .map(|(k, v)| (k.as_str().to_string(), Value::from(sorted(v))))
                        .collect(),
                ),
            };
            c.insert(pkey.into(), pv);
        }
        let mut conds: Vec<String> = self
            .conditions
            .iter()
            .map(|e| {
                format!(
                    "{}|{}|{}",
                    e.operator,
                    e.key.to_ascii_lowercase(),
                    sorted(&e.values).join(",")
                )
            })
            .collect();
        conds.sort();
        if !conds.is_empty() {
            c.insert("Condition".into(), Value::from(conds));
        }
        Value::Object(c).to_string()
    }
}

const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl PolicyDocument {
    /// Parse a decoded JSON policy document.
    pub fn parse(value: &Value, kind: DocKind) -> Result<PolicyDocument, PolicyError> {
        let obj = value.as_object().ok_or_else(|| {
            err(
                "",
                format!(
                    "policy document must be a JSON object, found {}",
                    type_name(value)
                ),
            )
        })?;
        let mut version = None;
        let mut id = None;
        let mut statement = None;
        for (k, v) in obj {
            match k.as_str() {
                "Version" => {
                    let s = v.as_str().ok_or_else(|| {
                        err(
                            "Version",
                            format!("expected a string, found {}", type_name(v)),
                        )
                    })?;
                    if s != "2012-10-17" && s != "2008-10-17" {
                        return Err(err(
                            "Version",
                            format!(
                                "unknown policy language version {s:?} (IAM accepts 2012-10-17 and 2008-10-17)"
                            ),
                        ));
                    }
                    version = Some(s.to_string());
                }
                "Id" => {
                    id = Some(
                        v.as_str()
                            .ok_or_else(|| {
                                err("Id", format!("expected a string, found {}", type_name(v)))
                            })?
                            .to_string(),
                    )
                }
                "Statement" => statement = Some(v),
                other => {
                    return Err(err(
                        other,
                        "unknown top-level element (a policy has Version, Id and Statement)",
                    ));
                }
            }
        }
        let statement = statement.ok_or_else(|| err("", "policy document has no Statement"))?;
        let items: Vec<&Value> = match statement {
            Value::Array(a) => a.iter().collect(),
            Value::Object(_) => vec![statement],
            other => {
                return Err(err(
                    "Statement",
                    format!(
                        "expected an object or an array of objects, found {}",
                        type_name(other)
                    ),
                ));
            }
        };
        let mut statements = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            statements.push(parse_statement(item, i, kind)?);
        }
        Ok(PolicyDocument {
            version,
            id,
            statements,
        })
    }
}

fn parse_statement(v: &Value, index: usize, kind: DocKind) -> Result<Statement, PolicyError> {
    let at = |field: &str| format!("Statement[{index}].{field}");
    let obj = v.as_object().ok_or_else(|| {
        err(
            format!("Statement[{index}]"),
            format!("expected an object, found {}", type_name(v)),
        )
    })?;
    for k in obj.keys() {
        if !STATEMENT_KEYS.contains(&k.as_str()) {
            return Err(err(
                at(k),
                "unknown statement element (expected Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)",
            ));
        }
    }
    let sid = match obj.get("Sid") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(err(
                at("Sid"),
                format!("expected a string, found {}", type_name(other)),
            ));
        }
    };
    let effect = match obj.get("Effect") {
        Some(Value::String(s)) if s == "Allow" => Effect::Allow,
        Some(Value::String(s)) if s == "Deny" => Effect::Deny,
        Some(Value::String(s)) => {
            return Err(err(
                at("Effect"),
                format!("expected \"Allow\" or \"Deny\", found {s:?}"),
            ));
        }
        Some(other) => {
            return Err(err(
                at("Effect"),
                format!("expected a string, found {}", type_name(other)),
            ));
        }
        None => return Err(err(format!("Statement[{index}]"), "missing Effect")),
    };
    let action = pair(obj, "Action", "NotAction", index)?
        .ok_or_else(|| err(format!("Statement[{index}]"), "missing Action or NotAction"))?;
    let resource = pair(obj, "Resource", "NotResource", index)?;
    if kind == DocKind::Identity && resource.is_none() {
        return Err(err(
            format!("Statement[{index}]"),
            "missing Resource or NotResource (required in identity policies)",
        ));
    }
    let principal = parse_principal(obj, index)?;
    if kind == DocKind::Trust && principal.is_none() {
        return Err(err(
            format!("Statement[{index}]"),
            "missing Principal or NotPrincipal (required in trust policies)",
        ));
    }
    if kind == DocKind::Identity && principal.is_some() {
        return Err(err(
            format!("Statement[{index}]"),
            "Principal/NotPrincipal is not allowed in an identity policy",
        ));
    }
    let conditions = match obj.get("Condition") {
        None | Some(Value::Null) => Vec::new(),
        Some(c) => parse_conditions(c, &at("Condition"))?,
    };
    Ok(Statement {
        index,
        sid,
        effect,
        action,
        resource,
        principal,
        conditions,
    })
}

fn pair(
    obj: &serde_json::Map<String, Value>,
    pos: &str,
    neg: &str,
    index: usize,
) -> Result<Option<PatternSet>, PolicyError> {
    match (obj.get(pos), obj.get(neg)) {
        (Some(_), Some(_)) => Err(err(
            format!("Statement[{index}]"),
            format!("has both {pos} and {neg}"),
        )),
        (Some(v), None) => Ok(Some(PatternSet {
            negated: false,
            patterns: string_list(v, &format!("Statement[{index}].{pos}"))?,
        })),
        (None, Some(v)) => Ok(Some(PatternSet {
            negated: true,
            patterns: string_list(v, &format!("Statement[{index}].{neg}"))?,
        })),
        (None, None) => Ok(None),
    }
}

fn string_list(v: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(err(
                    format!("{path}[{i}]"),
                    format!("expected a string, found {}", type_name(other)),
                )),
            })
            .collect(),
        other => Err(err(
            path,
            format!(
                "expected a string or an array of strings, found {}",
                type_name(other)
            ),
        )),
    }
}

fn parse_principal(
    obj: &serde_json::Map<String, Value>,
    index: usize,
) -> Result<Option<PrincipalSet>, PolicyError> {
    let (negated, name, v) = match (obj.get("Principal"), obj.get("NotPrincipal")) {
        (Some(_), Some(_)) => {
            return Err(err(
                format!("Statement[{index}]"),
                "has both Principal and NotPrincipal",
            ));
        }
        (Some(v), None) => (false, "Principal", v),
        (None, Some(v)) => (true, "NotPrincipal", v),
        (None, None) => return Ok(None),
    };
    let path = format!("Statement[{index}].{name}");
    let principals = match v {
        Value::String(s) if s == "*" => Principals::Any,
        Value::String(s) => {
            return Err(err(
                path,
                format!(
                    "a principal string must be \"*\", found {s:?} (use a map such as {{\"AWS\": ...}})"
                ),
            ));
        }
        Value::Object(m) => {
            let mut map = BTreeMap::new();
            for (k, val) in m {
                let kind = match k.as_str() {
                    "AWS" => PrincipalKind::Aws,
                    "Service" => PrincipalKind::Service,
                    "Federated" => PrincipalKind::Federated,
                    "CanonicalUser" => PrincipalKind::CanonicalUser,
                    other => {
                        return Err(err(
                            format!("{path}.{other}"),
                            "unknown principal type (expected AWS, Service, Federated or CanonicalUser)",
                        ));
                    }
                };
                map.insert(kind, string_list(val, &format!("{path}.{k}"))?);
            }
            Principals::Map(map)
        }
        other => {
            return Err(err(
                path,
                format!("expected \"*\" or an object, found {}", type_name(other)),
            ));
        }
    };
    Ok(Some(PrincipalSet {
        negated,
        principals,
    }))
}

fn parse_conditions(v: &Value, path: &str) -> Result<Vec<ConditionEntry>, PolicyError> {
    let ops = v
        .as_object()
        .ok_or_else(|| err(path, format!("expected an object, found {}", type_name(v))))?;
    let mut out = Vec::new();
    for (op, keys) in ops {
        let keys = keys.as_object().ok_or_else(|| {
            err(
                format!("{path}.{op}"),
                format!(
                    "expected an object of condition keys, found {}",
                    type_name(keys)
                ),
            )
        })?;
        for (key, vals) in keys {
            let vpath = format!("{path}.{op}.{key}");
            let values = match vals {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| scalar(x, &format!("{vpath}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?,
                x => vec![scalar(x, &vpath)?],
            };
            out.push(ConditionEntry {
                operator: op.clone(),
                key: key.clone(),
                values,
            });
        }
    }
    Ok(out)
}

fn scalar(v: &Value, path: &str) -> Result<String, PolicyError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(err(
            path,
            format!(
                "expected a string, number or boolean, found {}",
                type_name(other)
            ),
        )),
    }
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<PolicyDocument, PolicyError> {
        PolicyDocument::parse(&v, DocKind::Identity)
    }

    #[test]
    fn statement_object_or_array_and_string_or_list() {
        let a = parse(json!({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}})).unwrap();
        let b = parse(json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]}]})).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.statements[0].action.patterns, vec!["s3:GetObject"]);
        assert!(!a.statements[0].action.negated);
    }

    #[test]
    fn not_action_not_resource() {
        let d = parse(json!({"Statement":[{"Effect":"Allow","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::public/*"}]})).unwrap();
        let s = &d.statements[0];
        assert!(s.action.negated && s.resource.as_ref().unwrap().negated);
        assert!(s.covers_action("s3:GetObject"));
        assert!(!s.covers_action("IAM:PassRole"));
        assert!(s.covers_resource("arn:aws:s3:::phi/x"));
        assert!(!s.covers_resource("arn:aws:s3:::public/x"));
    }

    #[test]
    fn principal_shapes() {
        let d = PolicyDocument::parse(
            &json!({"Statement":[
                {"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"AWS":"123456789012","Service":["ec2.amazonaws.com","lambda.amazonaws.com"]},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"},
                {"Effect":"Deny","NotPrincipal":{"CanonicalUser":"abc"},"Action":"sts:AssumeRole"}
            ]}),
            DocKind::Trust,
        )
        .unwrap();
        assert_eq!(
            d.statements[0].principal.as_ref().unwrap().principals,
            Principals::Any
        );
        match &d.statements[1].principal.as_ref().unwrap().principals {
            Principals::Map(m) => {
                assert_eq!(m[&PrincipalKind::Aws], vec!["123456789012"]);
                assert_eq!(m[&PrincipalKind::Service].len(), 2);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(d.statements[3].principal.as_ref().unwrap().negated);
    }

    #[test]
    fn conditions_are_stringified() {
        let d = parse(
            json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
            "Bool":{"aws:MultiFactorAuthPresent":true},
            "NumericLessThan":{"aws:MultiFactorAuthAge":3600},
            "ForAnyValue:StringEqualsIgnoreCaseIfExists":{"aws:TagKeys":["a","b"]}}}]}),
        )
        .unwrap();
        let c = &d.statements[0].conditions;
        assert_eq!(c.len(), 3);
        let bool_entry = c.iter().find(|e| e.operator == "Bool").unwrap();
        assert_eq!(bool_entry.values, vec!["true"]);
        let fav = c
            .iter()
            .find(|e| e.operator.starts_with("ForAnyValue"))
            .unwrap();
        let op = fav.op();
        assert_eq!(op.set, Some("ForAnyValue"));
        assert_eq!(op.base, "StringEqualsIgnoreCase");
        assert!(op.if_exists);
        assert!(fav.key_is("AWS:TAGKEYS"));
    }

    #[test]
    fn malformed_documents_name_the_path() {
        let cases = [
            (json!(42), "", "must be a JSON object, found a number"),
            (json!({"Version":"2012-10-17"}), "", "no Statement"),
            (json!({"Statement":"x"}), "Statement", "found a string"),
            (
                json!({"Statement":[{"Effect":"Alow","Action":"*","Resource":"*"}]}),
                "Statement[0].Effect",
                "\"Alow\"",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Action":7,"Resource":"*"}]}),
                "Statement[0].Action",
                "found a number",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Action":["s3:*",1],"Resource":"*"}]}),
                "Statement[0].Action[1]",
                "found a number",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Action":"*"}]}),
                "Statement[0]",
                "missing Resource",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}]}),
                "Statement[0]",
                "both Action and NotAction",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Actions":"*","Resource":"*"}]}),
                "Statement[0].Actions",
                "unknown statement element",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":"x"}}]}),
                "Statement[0].Condition.Bool",
                "condition keys",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":null}}}]}),
                "Statement[0].Condition.Bool.k",
                "found null",
            ),
            (
                json!({"Version":"2020-01-01","Statement":[]}),
                "Version",
                "unknown policy language version",
            ),
        ];
        for (doc, path, msg) in cases {
            let e = parse(doc.clone()).unwrap_err();
            assert_eq!(e.path, path, "{doc}");
            assert!(e.message.contains(msg), "{doc}: {}", e.message);
        }
    }

    #[test]
    fn trust_policy_requires_principal() {
        let e = PolicyDocument::parse(
            &json!({"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}),
            DocKind::Trust,
        )
        .unwrap_err();
        assert!(e.message.contains("missing Principal"));
        let e = PolicyDocument::parse(&json!({"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::1:root","Action":"sts:AssumeRole"}]}), DocKind::Trust).unwrap_err();
        assert!(e.message.contains("must be \"*\""));
    }

    #[test]
    fn canonical_ignores_list_order() {
        let a = parse(json!({"Statement":[{"Effect":"Allow","Action":["b","a"],"Resource":"*"}]}))
            .unwrap();
        let b =
            parse(json!({"Statement":[{"Effect":"Allow","Action":["a","b"],"Resource":["*"]}]}))
                .unwrap();
        let c =
            parse(json!({"Statement":[{"Effect":"Allow","Action":["a","c"],"Resource":["*"]}]}))
                .unwrap();
        assert_eq!(a.statements[0].canonical(), b.statements[0].canonical());
        assert_ne!(a.statements[0].canonical(), c.statements[0].canonical());
    }
}

#[cfg(test)]
mod fuzz {
    //! The parser never panics, whatever JSON it is handed.
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            prop_oneof![
                Just("Allow".to_string()),
                Just("Deny".to_string()),
                Just("*".to_string()),
                Just("2012-10-17".to_string()),
                "[a-zA-Z:*?/]{0,12}",
            ]
            .prop_map(Value::String),
        ];
        let keys = prop_oneof![
            Just("Version".to_string()),
            Just("Statement".to_string()),
            Just("Effect".to_string()),
            Just("Action".to_string()),
            Just("NotAction".to_string()),
            Just("Resource".to_string()),
            Just("NotResource".to_string()),
            Just("Principal".to_string()),
            Just("NotPrincipal".to_string()),
            Just("Condition".to_string()),
            Just("Sid".to_string()),
            Just("AWS".to_string()),
            Just("Service".to_string()),
            Just("Bool".to_string()),
            "[a-zA-Z:]{1,8}",
        ];
        leaf.prop_recursive(5, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(keys.clone(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn parse_never_panics(v in json_value()) {
            for kind in [DocKind::Identity, DocKind::Trust] {
                if let Ok(doc) = PolicyDocument::parse(&v, kind) {
                    for s in &doc.statements {
                        let _ = s.covers_action("s3:GetObject");
                        let _ = s.covers_resource("arn:aws:s3:::b/k");
                        let _ = s.canonical();
                        for c in &s.conditions {
                            let _ = c.op();
                        }
                    }
                }
            }
        }

        #[test]
        fn decode_never_panics(s in ".{0,64}") {
            let _ = crate::policy::decode_document(&Value::String(s));
        }
    }
}
