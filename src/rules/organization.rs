//! Organization (OG): service control policy guardrails. See `rules/OG*.md`.
//!
//! OG001 evaluates the SCPs that apply to the scanned account (attached at the root, at
//! every OU on the way down, and at the account itself) against the guardrails listed in
//! `rules/scp-guardrails.toml`. An action is *blocked* when
//!
//! - a Deny statement at some level covers it (Action patterns with IAM wildcards, or the
//!   complement of NotAction) on every resource it can act on, and the statement's
//!   conditions at most carve out named principals; or
//! - at some level no Allow statement of the attached SCPs can allow it: with an
//!   allow-list strategy (FullAWSAccess replaced by explicit allows) an action a level
//!   does not allow is implicitly denied for everyone below that level.
//!
//! A guardrail is present when every action of one of its action sets is blocked.
//! Anything that cannot be decided from the documents alone counts as *not* blocking,
//! and the evidence says which statement was set aside and why: the rule errs towards a
//! finding, never towards a pass.
//!
//! OG002 reports the accounts no SCP can protect: accounts outside any organization, and
//! the organization's management account (SCPs never apply to it). For those (and for an
//! organization with consolidated billing only) OG001 reports every guardrail missing with
//! that reason, so the controls it tests are never read as passed.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Value, json};

use super::credentials::account_arn;
use super::{Context, Hit};
use crate::policy::{
    ConditionEntry, DocKind, Effect, PolicyDocument, Statement, patterns_intersect, wildcard_match,
};
use crate::snapshot::{OrgNode, Organization, ServiceControlPolicy};

const ACCOUNT_TYPE: &str = "AWS::::Account";
const ORG_ACCOUNT_TYPE: &str = "AWS::Organizations::Account";

// ---------------------------------------------------------------------------
// Guardrail data (rules/scp-guardrails.toml)
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GuardrailFile {
    guardrail: Vec<Guardrail>,
}

/// One guardrail OG001 expects the applicable SCPs to enforce.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guardrail {
    pub id: String,
    pub description: String,
    /// The guardrail is present when every action of at least one set is blocked.
    pub any_of: Vec<ActionSet>,
    /// Per action, the ARN pattern of every resource it acts on (`{partition}`,
    /// `{account}` filled in). Unlisted actions have no resource type: `"*"`.
    #[serde(default)]
    pub resources: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionSet {
    pub actions: Vec<String>,
}

impl Guardrail {
    /// The resources `action` can act on, as an ARN pattern for this account.
    pub fn resource_for(&self, action: &str, partition: &str, account: &str) -> String {
        self.resources
            .get(action)
            .map(|t| {
                t.replace("{partition}", partition)
                    .replace("{account}", account)
            })
            .unwrap_or_else(|| "*".to_string())
    }

    /// Every action of every set, in file order, without repeats.
    pub fn all_actions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for a in self.any_of.iter().flat_map(|s| s.actions.iter()) {
            if !out.contains(&a.as_str()) {
                out.push(a);
            }
        }
        out
    }
}

const GUARDRAILS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/rules/scp-guardrails.toml"
));

/// Parse and check a guardrail file: ids unique and kebab-case, every set non-empty,
/// actions `service:Name` without wildcards, resources only for listed actions.
pub fn parse_guardrails(src: &str) -> Result<Vec<Guardrail>, String> {
    let file: GuardrailFile = toml::from_str(src).map_err(|e| e.to_string())?;
    let mut seen = Vec::new();
    for g in &file.guardrail {
        if g.id.is_empty()
            || !g
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(format!("guardrail id {:?} is not kebab-case", g.id));
        }
        if seen.contains(&g.id) {
            return Err(format!("guardrail {} is listed twice", g.id));
        }
        seen.push(g.id.clone());
        if g.description.trim().is_empty() {
            return Err(format!("guardrail {}: empty description", g.id));
        }
        if g.any_of.is_empty() || g.any_of.iter().any(|s| s.actions.is_empty()) {
            return Err(format!("guardrail {}: an empty action set", g.id));
        }
        for a in g.all_actions() {
            let ok = a.split_once(':').is_some_and(|(svc, name)| {
                !svc.is_empty() && !name.is_empty() && !a.contains(['*', '?', ' '])
            });
            if !ok {
                return Err(format!(
                    "guardrail {}: action {a:?} is not a concrete service:Action",
                    g.id
                ));
            }
        }
        for (action, template) in &g.resources {
            if !g.all_actions().contains(&action.as_str()) {
                return Err(format!(
                    "guardrail {}: resources names {action}, which is in no action set",
                    g.id
                ));
            }
            let rest = template.replace("{partition}", "").replace("{account}", "");
            if rest.contains(['{', '}']) {
                return Err(format!(
                    "guardrail {}: resource {template:?} has an unknown placeholder (known: {{partition}}, {{account}})",
                    g.id
                ));
            }
        }
    }
    Ok(file.guardrail)
}

pub fn guardrails() -> &'static [Guardrail] {
    static G: OnceLock<Vec<Guardrail>> = OnceLock::new();
    // Tested: the shipped file parses.
    G.get_or_init(|| {
        parse_guardrails(GUARDRAILS).unwrap_or_else(|e| panic!("rules/scp-guardrails.toml: {e}"))
    })
}

// ---------------------------------------------------------------------------
// Pattern cover
// ---------------------------------------------------------------------------

/// Does pattern `p` match every string pattern `q` matches? IAM globs, case-sensitive
/// (ARNs). Sound: a `*` in `q` is matched only by a `*` in `p`, a `?` in `q` by `?` or
/// `*`, so `arn:aws:cloudtrail:*:*:trail/*` covers `arn:aws:cloudtrail:*:1:trail/*` and
/// nothing but a pattern of stars covers `*`.
pub fn pattern_covers(p: &str, q: &str) -> bool {
    let p: Vec<char> = p.chars().collect();
    let q: Vec<char> = q.chars().collect();
    let (n, m) = (p.len(), q.len());
    let w = m + 1;
    // ok[i * w + j]: p[i..] covers q[j..].
    let mut ok = vec![false; (n + 1) * w];
    ok[n * w + m] = true;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            ok[i * w + j] = if p[i] == '*' {
                ok[(i + 1) * w + j] || (j < m && ok[i * w + j + 1])
            } else if j < m {
                let unit = match (p[i], q[j]) {
                    (_, '*') => false,
                    ('?', _) => true,
                    (_, '?') => false,
                    (a, b) => a == b,
                };
                unit && ok[(i + 1) * w + j + 1]
            } else {
                false
            };
        }
    }
    ok[0]
}

// ---------------------------------------------------------------------------
// The SCPs along the path
// ---------------------------------------------------------------------------

struct Scp<'a> {
    policy: &'a ServiceControlPolicy,
    doc: Result<PolicyDocument, String>,
}

struct Level<'a> {
    node: &'a OrgNode,
    scps: Vec<Scp<'a>>,
    /// Policy ids attached here whose document the snapshot lacks.
    missing: Vec<&'a str>,
}

impl Level<'_> {
    fn kind(&self) -> &'static str {
        match self.node.kind.as_str() {
            "ROOT" => "root",
            "ORGANIZATIONAL_UNIT" => "OU",
            "ACCOUNT" => "account",
            _ => "level",
        }
    }

    fn name(&self) -> &str {
        self.node.name.as_deref().unwrap_or(&self.node.id)
    }

    fn json(&self) -> Value {
        json!({
            "level": self.kind(),
            "target_id": self.node.id,
            "target_name": self.node.name,
        })
    }
}

/// What the evaluation needs to know about the account.
struct Scope<'a> {
    partition: &'a str,
    account: &'a str,
    org_id: &'a str,
}

/// The path root → OUs → account with each level's SCPs, parsed once.
struct ScpPath<'a> {
    levels: Vec<Level<'a>>,
}

impl<'a> ScpPath<'a> {
    fn new(org: &'a Organization, path: &'a [OrgNode]) -> ScpPath<'a> {
        let levels = path
            .iter()
            .map(|node| {
                let mut scps = Vec::new();
                let mut missing = Vec::new();
                for id in &node.policy_ids {
                    match org.policies.iter().find(|p| &p.id == id) {
                        Some(policy) => scps.push(Scp {
                            policy,
                            doc: PolicyDocument::parse(&policy.content, DocKind::Identity)
                                .map_err(|e| e.to_string()),
                        }),
                        None => missing.push(id.as_str()),
                    }
                }
                Level {
                    node,
                    scps,
                    missing,
                }
            })
            .collect();
        ScpPath { levels }
    }

    /// `Root → Workloads → Prod → 123456789012`.
    fn describe(&self) -> String {
        self.levels
            .iter()
            .map(|l| l.name().to_string())
            .collect::<Vec<_>>()
            .join(" → ")
    }

    fn json(&self) -> Value {
        Value::Array(
            self.levels
                .iter()
                .map(|l| {
                    let mut v = l.json();
                    v["scps"] = Value::Array(
                        l.scps
                            .iter()
                            .map(|s| json!({"id": s.policy.id, "name": s.policy.name}))
                            .collect(),
                    );
                    if !l.missing.is_empty() {
                        v["scps_without_document"] = json!(l.missing);
                    }
                    v
                })
                .collect(),
        )
    }

    fn unreadable(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for l in &self.levels {
            for s in &l.scps {
                if let Err(e) = &s.doc {
                    out.push(json!({"scp_id": s.policy.id, "scp_name": s.policy.name, "level": l.kind(), "target_id": l.node.id, "error": e}));
                }
            }
        }
        out
    }
}

/// How one action fares against the path.
#[derive(Debug)]
pub struct ActionResult {
    pub action: String,
    /// The resources the action acts on (the pattern a blocking Deny must cover).
    pub resource: String,
    pub denied_by: Option<Value>,
    pub implicitly_denied_at: Option<Value>,
    /// Deny statements that name the action but do not count, with the reason.
    pub not_counted: Vec<Value>,
}

impl ActionResult {
    pub fn blocked(&self) -> bool {
        self.denied_by.is_some() || self.implicitly_denied_at.is_some()
    }

    fn json(&self) -> Value {
        json!({
            "action": self.action,
            "resource": self.resource,
            "blocked": self.blocked(),
            "denied_by": self.denied_by,
            "implicitly_denied_at": self.implicitly_denied_at,
            "not_counted": self.not_counted,
        })
    }
}

fn statement_ref(level: &Level<'_>, scp: &Scp<'_>, st: &Statement) -> Value {
    let mut v = level.json();
    v["scp_id"] = json!(scp.policy.id);
    v["scp_name"] = json!(scp.policy.name);
    v["statement"] = json!(st.index);
    v["sid"] = json!(st.sid);
    v
}

fn evaluate_action(
    path: &ScpPath<'_>,
    scope: &Scope<'_>,
    action: &str,
    resource: &str,
) -> ActionResult {
    let mut result = ActionResult {
        action: action.to_string(),
        resource: resource.to_string(),
        denied_by: None,
        implicitly_denied_at: None,
        not_counted: Vec::new(),
    };
    // Explicit Deny, at any level.
    for level in &path.levels {
        for scp in &level.scps {
            let Ok(doc) = &scp.doc else { continue };
            for st in doc.statements.iter().filter(|s| s.effect == Effect::Deny) {
                if !st.covers_action(action) {
                    continue;
                }
                match deny_blocks(st, resource, scope) {
                    Ok(carve_outs) => {
                        if result.denied_by.is_none() {
                            let mut v = statement_ref(level, scp, st);
                            v["exempted_principals"] = json!(carve_outs);
                            result.denied_by = Some(v);
                        }
                    }
                    Err(reason) => {
                        let mut v = statement_ref(level, scp, st);
                        v["reason"] = json!(reason);
                        result.not_counted.push(v);
                    }
                }
            }
        }
    }
    if result.denied_by.is_some() {
        return result;
    }
    // Implicit deny: a level whose SCPs (all known) have no Allow that could allow it.
    for level in &path.levels {
        if level.scps.is_empty() || !level.missing.is_empty() {
            continue;
        }
        let mut docs = Vec::new();
        for s in &level.scps {
            match &s.doc {
                Ok(d) => docs.push(d),
                Err(_) => break,
            }
        }
        if docs.len() != level.scps.len() {
            continue;
        }
        let allowed = docs.iter().flat_map(|d| d.statements.iter()).any(|st| {
            st.effect == Effect::Allow && st.covers_action(action) && allow_may_cover(st, resource)
        });
        if !allowed {
            let mut v = level.json();
            v["scps"] = json!(
                level
                    .scps
                    .iter()
                    .map(|s| s.policy.name.as_str())
                    .collect::<Vec<_>>()
            );
            result.implicitly_denied_at = Some(v);
            break;
        }
    }
    result
}

/// Does this Deny (which names the action) block it on every resource, for everyone
/// but named principals? `Ok` with the exempted principal patterns, or why not.
fn deny_blocks(st: &Statement, resource: &str, scope: &Scope<'_>) -> Result<Vec<String>, String> {
    match &st.resource {
        None => return Err("the statement has no Resource element".into()),
        Some(set) if !set.negated => {
            if !set.patterns.iter().any(|p| covers(p, resource)) {
                return Err(format!(
                    "Resource {} does not cover every resource the action acts on ({resource})",
                    set.patterns.join(", ")
                ));
            }
        }
        Some(set) => {
            if let Some(p) = set.patterns.iter().find(|p| may_match(p, resource)) {
                return Err(format!(
                    "NotResource {p} exempts resources the action acts on ({resource})"
                ));
            }
        }
    }
    let mut carve_outs = Vec::new();
    for c in &st.conditions {
        match classify_condition(c, scope) {
            Condition::Applies => {}
            Condition::CarveOut(values) => carve_outs.extend(values),
            Condition::NotCounted(reason) => return Err(reason),
        }
    }
    Ok(carve_outs)
}

/// Could this Allow allow the action on some of its resources? Conditions only narrow an
/// Allow, so they are ignored: an Allow with any condition still counts as allowing.
fn allow_may_cover(st: &Statement, resource: &str) -> bool {
    match &st.resource {
        None => false,
        Some(set) if !set.negated => set.patterns.iter().any(|p| may_match(p, resource)),
        Some(set) => !set.patterns.iter().any(|p| covers(p, resource)),
    }
}

/// Does policy pattern `p` match every resource of `resource`? An action without a
/// resource type (`resource` is `"*"`) is requested on the literal resource `*`, which
/// only a pattern such as `*` matches (`arn:aws:s3:::*` does not).
fn covers(p: &str, resource: &str) -> bool {
    if resource == "*" {
        wildcard_match(p, "*", false)
    } else {
        pattern_covers(p, resource)
    }
}

/// Does policy pattern `p` match some resource of `resource`?
fn may_match(p: &str, resource: &str) -> bool {
    if resource == "*" {
        wildcard_match(p, "*", false)
    } else {
        patterns_intersect(p, resource)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Condition {
    /// True for every principal the SCP governs in this account.
    Applies,
    /// True for everyone except the named principals (patterns listed).
    CarveOut(Vec<String>),
    /// The Deny cannot be shown to apply to everyone else; why.
    NotCounted(String),
}

const NEGATED: &[&str] = &[
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "ArnNotEquals",
    "ArnNotLike",
];
const POSITIVE: &[&str] = &[
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
];

/// Does a condition value (under this operator) match the actual string?
fn value_matches(base: &str, pattern: &str, actual: &str) -> bool {
    let base = base.replace("Not", "");
    match base.as_str() {
        "StringEquals" | "ArnEquals" => pattern == actual,
        "StringEqualsIgnoreCase" => pattern.eq_ignore_ascii_case(actual),
        _ => wildcard_match(pattern, actual, false),
    }
}

/// Decide one condition entry of a Deny statement, for the principals an SCP governs in
/// the scanned account. Decided: `aws:PrincipalArn` with a negated operator (a carve-out
/// of named principals, unless a value names no principal in particular),
/// `aws:PrincipalAccount` and `aws:PrincipalOrgID` (their value is known: the scanned
/// account, its organization). Everything else cannot be decided from the document.
fn classify_condition(c: &ConditionEntry, scope: &Scope<'_>) -> Condition {
    let op = c.op();
    let shown = || format!("{} {} {:?}", c.operator, c.key, c.values);
    if op.set.is_some() {
        return Condition::NotCounted(format!(
            "condition {}: a set operator on a single-valued key cannot be decided from the policy alone",
            shown()
        ));
    }
    let negated = NEGATED.contains(&op.base);
    let positive = POSITIVE.contains(&op.base);
    if c.key_is("aws:PrincipalArn") {
        if negated {
            if let Some(v) = c.values.iter().find(|v| !names_principals(v)) {
                return Condition::NotCounted(format!(
                    "condition {}: {v:?} exempts every principal or a whole class of them, not named principals",
                    shown()
                ));
            }
            return Condition::CarveOut(c.values.clone());
        }
        if positive {
            return Condition::NotCounted(format!(
                "condition {}: the Deny applies only to the listed principals",
                shown()
            ));
        }
    }
    let known = if c.key_is("aws:PrincipalAccount") {
        Some(("account", scope.account))
    } else if c.key_is("aws:PrincipalOrgID") {
        Some(("organization", scope.org_id))
    } else {
        None
    };
    if let Some((what, actual)) = known {
        let hit = c.values.iter().any(|v| value_matches(op.base, v, actual));
        if negated {
            return if hit {
                Condition::NotCounted(format!(
                    "condition {}: exempts every principal of {what} {actual}",
                    shown()
                ))
            } else {
                Condition::Applies
            };
        }
        if positive {
            return if hit {
                Condition::Applies
            } else {
                Condition::NotCounted(format!(
                    "condition {}: never true for principals of {what} {actual}",
                    shown()
                ))
            };
        }
    }
    Condition::NotCounted(format!(
        "condition {}: cannot be decided from the policy alone",
        shown()
    ))
}

/// Does an `aws:PrincipalArn` pattern name principals (a role, a user, a prefix family
/// of them) rather than everyone or a whole class? It must be an ARN whose name — the
/// last path segment of the resource, or the role of an `assumed-role/<role>/<session>`
/// — has a character that is not a wildcard. `*`, `arn:aws:iam::*:role/*` and
/// `arn:aws:iam::*:role/aws-reserved/*` exempt classes; `arn:aws:iam::*:role/BreakGlass`
/// and `arn:aws:iam::*:role/ops-admin-*` name principals.
pub fn names_principals(pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return false;
    }
    let resource = parts[5];
    let segments: Vec<&str> = resource.split('/').collect();
    let name = match segments.as_slice() {
        ["assumed-role", role, ..] => role,
        [.., last] => last,
        [] => "",
    };
    name.chars().any(|c| c != '*' && c != '?')
}

/// How one guardrail fares: per action set, per action.
#[derive(Debug)]
pub struct GuardrailResult {
    pub sets: Vec<Vec<ActionResult>>,
}

impl GuardrailResult {
    pub fn present(&self) -> bool {
        self.sets
            .iter()
            .any(|s| s.iter().all(ActionResult::blocked))
    }
}

fn evaluate_guardrail(g: &Guardrail, path: &ScpPath<'_>, scope: &Scope<'_>) -> GuardrailResult {
    GuardrailResult {
        sets: g
            .any_of
            .iter()
            .map(|set| {
                set.actions
                    .iter()
                    .map(|a| {
                        let resource = g.resource_for(a, scope.partition, scope.account);
                        evaluate_action(path, scope, a, &resource)
                    })
                    .collect()
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------
// OG001 scp-guardrail-missing
// ---------------------------------------------------------------------------

/// The account as Organizations names it: `arn:aws:organizations::<mgmt>:account/<org>/<id>`.
fn org_account_arn(partition: &str, org: &Organization, account: &str) -> String {
    format!(
        "arn:{partition}:organizations::{}:account/{}/{account}",
        org.management_account_id, org.id
    )
}

fn guardrail_json(g: &Guardrail) -> Value {
    json!({
        "id": g.id,
        "description": g.description,
        "any_of": g.any_of.iter().map(|s| json!(s.actions)).collect::<Vec<_>>(),
    })
}

pub fn og001_scp_guardrail_missing(ctx: &Context<'_>) -> Vec<Hit> {
    let snap = ctx.snapshot;
    let account = snap.account.id.as_str();
    let partition = snap.account.partition.as_str();
    // Every guardrail, missing for one reason: no SCP can apply, or which apply is unknown.
    // Reported rather than left silent, so the controls OG001 tests never read as passed.
    let all_missing =
        |resource: String, resource_type: &'static str, why: String, evidence: Value| {
            guardrails()
                .iter()
                .map(|g| {
                    let mut ev = evidence.clone();
                    ev["guardrail"] = guardrail_json(g);
                    ev["account"] = json!(account);
                    Hit {
                        resource: resource.clone(),
                        resource_type,
                        message: format!(
                            "SCP guardrail {} is missing for account {account}: {why}",
                            g.id
                        ),
                        evidence: ev,
                        discriminator: g.id.clone(),
                        severity: None,
                    }
                })
                .collect::<Vec<_>>()
        };
    let Some(org) = &snap.organization else {
        return all_missing(
            account_arn(ctx),
            ACCOUNT_TYPE,
            "the account is in no AWS Organization, so no SCP applies (OG002)".into(),
            json!({"organization": Value::Null, "reason": "not in an organization"}),
        );
    };
    let resource = org_account_arn(partition, org, account);
    if org.is_management_account {
        return all_missing(
            resource,
            ORG_ACCOUNT_TYPE,
            format!(
                "it is the management account of organization {}, and SCPs never apply to the management account (OG002)",
                org.id
            ),
            json!({"organization": org.id, "reason": "SCPs do not apply to the management account"}),
        );
    }
    if org.feature_set == "CONSOLIDATED_BILLING" {
        return all_missing(
            resource,
            ORG_ACCOUNT_TYPE,
            format!(
                "organization {} has only consolidated billing features enabled, so no SCP applies",
                org.id
            ),
            json!({
                "organization": org.id,
                "feature_set": org.feature_set,
                "reason": "service control policies need the ALL feature set",
            }),
        );
    }
    let Some(nodes) = org.path.as_deref().filter(|p| !p.is_empty()) else {
        return all_missing(
            resource,
            ORG_ACCOUNT_TYPE,
            format!(
                "it cannot be shown present: the snapshot has no root → account path of organization {}",
                org.id
            ),
            json!({
                "organization": org.id,
                "reason": "organization.path is missing: the SCPs that apply are unknown",
            }),
        );
    };
    let hit = |g: &Guardrail, message: String, evidence: Value| Hit {
        resource: resource.clone(),
        resource_type: ORG_ACCOUNT_TYPE,
        message,
        evidence,
        discriminator: g.id.clone(),
        severity: None,
    };

    let path = ScpPath::new(org, nodes);
    let scope = Scope {
        partition,
        account,
        org_id: &org.id,
    };
    let unreadable = path.unreadable();
    let mut hits = Vec::new();
    for g in guardrails() {
        let result = evaluate_guardrail(g, &path, &scope);
        if result.present() {
            continue;
        }
        let gaps: Vec<String> = result
            .sets
            .iter()
            .map(|set| {
                let open: Vec<&str> = set
                    .iter()
                    .filter(|r| !r.blocked())
                    .map(|r| r.action.as_str())
                    .collect();
                let shut: Vec<&str> = set
                    .iter()
                    .filter(|r| r.blocked())
                    .map(|r| r.action.as_str())
                    .collect();
                if shut.is_empty() {
                    open.join(", ")
                } else {
                    format!("{} (only {} is)", open.join(", "), shut.join(", "))
                }
            })
            .collect();
        // One statement that names several of the actions is one statement not counted.
        let mut not_counted: Vec<&Value> = Vec::new();
        for v in result
            .sets
            .iter()
            .flatten()
            .flat_map(|r| r.not_counted.iter())
        {
            let same = |u: &&Value| {
                u["scp_id"] == v["scp_id"]
                    && u["target_id"] == v["target_id"]
                    && u["statement"] == v["statement"]
            };
            if !not_counted.iter().any(same) {
                not_counted.push(v);
            }
        }
        let mut message = format!(
            "SCP guardrail {} is missing for account {account}: no SCP on {} blocks {}",
            g.id,
            path.describe(),
            gaps.join(" or ")
        );
        if let Some(first) = not_counted.first() {
            message.push_str(&format!(
                "; {} Deny statement{} not counted, e.g. {} statement {}: {}",
                not_counted.len(),
                if not_counted.len() == 1 { "" } else { "s" },
                first["scp_name"].as_str().unwrap_or_default(),
                first["statement"],
                first["reason"].as_str().unwrap_or_default()
            ));
        }
        let sets: Vec<Value> = result
            .sets
            .iter()
            .map(|set| {
                json!({
                    "actions": set.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
                    "blocked": set.iter().all(ActionResult::blocked),
                    "results": set.iter().map(ActionResult::json).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut evidence = json!({
            "guardrail": guardrail_json(g),
            "account": account,
            "organization": org.id,
            "path": path.json(),
            "action_sets": sets,
        });
        if !unreadable.is_empty() {
            evidence["unreadable_scps"] = json!(unreadable);
        }
        hits.push(hit(g, message, evidence));
    }
    hits
}

// ---------------------------------------------------------------------------
// OG002 not-in-organization
// ---------------------------------------------------------------------------

pub fn og002_not_in_organization(ctx: &Context<'_>) -> Vec<Hit> {
    let snap = ctx.snapshot;
    let account = snap.account.id.as_str();
    match &snap.organization {
        None => vec![Hit {
            resource: account_arn(ctx),
            resource_type: ACCOUNT_TYPE,
            message: format!(
                "account {account} is not in an AWS Organization: no service control policy can limit its users and roles"
            ),
            evidence: json!({
                "account": account,
                "organization": Value::Null,
                "collected": snap
                    .coverage_of(crate::snapshot::Source::Organization)
                    .map(|c| c.detail.clone()),
            }),
            discriminator: "not-in-organization".into(),
            severity: None,
        }],
        Some(org) if org.is_management_account => {
            let attached: Vec<Value> = org
                .path
                .iter()
                .flatten()
                .flat_map(|n| {
                    n.policy_ids.iter().map(move |id| {
                        let name = org
                            .policies
                            .iter()
                            .find(|p| &p.id == id)
                            .map(|p| p.name.as_str());
                        json!({"target_id": n.id, "scp_id": id, "scp_name": name})
                    })
                })
                .collect();
            vec![Hit {
                resource: org_account_arn(&snap.account.partition, org, account),
                resource_type: ORG_ACCOUNT_TYPE,
                message: format!(
                    "account {account} is the management account of organization {}: service control policies never apply to it, so no SCP guardrail limits its users and roles",
                    org.id
                ),
                evidence: json!({
                    "account": account,
                    "organization": org.id,
                    "management_account_id": org.management_account_id,
                    "feature_set": org.feature_set,
                    "scps_attached_but_not_applied": attached,
                }),
                discriminator: "management-account".into(),
                severity: None,
            }]
        }
        Some(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::inventory::Inventory;
    use crate::rules::testutil::{ACCOUNT, authz, snapshot};
    use crate::snapshot::Snapshot;

    const FULL_ACCESS: &str = "p-FullAWSAccess";

    fn scp(id: &str, name: &str, statements: Value) -> Value {
        json!({
            "id": id,
            "arn": format!("arn:aws:organizations::111111111111:policy/o-test/service_control_policy/{id}"),
            "name": name,
            "aws_managed": id == FULL_ACCESS,
            "content": {"Version": "2012-10-17", "Statement": statements},
        })
    }

    fn full_access() -> Value {
        scp(
            FULL_ACCESS,
            "FullAWSAccess",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
        )
    }

    /// Account 123456789012 under Root → Workloads; `root`, `ou`, `acct` list policy ids.
    fn org_snapshot(policies: Vec<Value>, root: &[&str], ou: &[&str], acct: &[&str]) -> Snapshot {
        let mut snap = snapshot(&authz(vec![]));
        snap.organization = Some(
            serde_json::from_value(json!({
                "id": "o-test",
                "arn": "arn:aws:organizations::111111111111:organization/o-test",
                "management_account_id": "111111111111",
                "feature_set": "ALL",
                "is_management_account": false,
                "path": [
                    {"id": "r-root", "kind": "ROOT", "name": "Root", "policy_ids": root},
                    {"id": "ou-root-work", "kind": "ORGANIZATIONAL_UNIT", "name": "Workloads", "policy_ids": ou},
                    {"id": ACCOUNT, "kind": "ACCOUNT", "policy_ids": acct},
                ],
                "policies": policies,
            }))
            .unwrap(),
        );
        snap
    }

    fn run_on(check: crate::rules::CheckFn, snap: &Snapshot) -> Vec<Hit> {
        let inv = Inventory::build(snap).unwrap();
        let settings = Settings::default();
        check(&Context {
            snapshot: snap,
            inv: &inv,
            settings: &settings,
        })
    }

    fn missing(snap: &Snapshot) -> Vec<String> {
        run_on(og001_scp_guardrail_missing, snap)
            .into_iter()
            .map(|h| h.discriminator)
            .collect()
    }

    fn all_ids() -> Vec<String> {
        guardrails().iter().map(|g| g.id.clone()).collect()
    }

    fn without(ids: &[&str]) -> Vec<String> {
        all_ids()
            .into_iter()
            .filter(|i| !ids.contains(&i.as_str()))
            .collect()
    }

    #[test]
    fn shipped_guardrails_parse() {
        let ids = all_ids();
        assert_eq!(
            ids,
            vec![
                "protect-cloudtrail",
                "deny-public-s3",
                "deny-public-ami",
                "deny-iam-users",
                "deny-leave-org"
            ]
        );
        assert!(parse_guardrails("[[guardrail]]\nid = \"x\"\ndescription = \"d\"\nany_of = [{ actions = [\"s3:*\"] }]\n").unwrap_err().contains("concrete"));
        assert!(
            parse_guardrails("[[guardrail]]\nid = \"x\"\ndescription = \"d\"\nany_of = []\n")
                .unwrap_err()
                .contains("empty action set")
        );
        assert!(parse_guardrails("[[guardrail]]\nid = \"x\"\ndescription = \"d\"\nany_of = [{ actions = [\"s3:A\"] }]\n[guardrail.resources]\n\"s3:B\" = \"*\"\n").unwrap_err().contains("in no action set"));
    }

    #[test]
    fn cover_is_sound() {
        assert!(pattern_covers("*", "*"));
        assert!(pattern_covers("**", "arn:aws:s3:::*"));
        assert!(!pattern_covers("arn:*", "*"));
        assert!(pattern_covers(
            "arn:aws:cloudtrail:*:*:trail/*",
            "arn:aws:cloudtrail:*:123456789012:trail/*"
        ));
        assert!(pattern_covers(
            "arn:*:cloudtrail:*",
            "arn:aws:cloudtrail:*:123456789012:trail/*"
        ));
        assert!(!pattern_covers(
            "arn:aws:cloudtrail:*:*:trail/prod-*",
            "arn:aws:cloudtrail:*:123456789012:trail/*"
        ));
        assert!(!pattern_covers(
            "arn:aws:cloudtrail:us-east-1:*:trail/*",
            "arn:aws:cloudtrail:*:123456789012:trail/*"
        ));
        assert!(pattern_covers("arn:aws:s3:::?*", "arn:aws:s3:::a?"));
        assert!(!pattern_covers("arn:aws:s3:::?", "arn:aws:s3:::*"));
    }

    #[test]
    fn principal_names() {
        assert!(names_principals("arn:aws:iam::*:role/BreakGlass"));
        assert!(names_principals("arn:aws:iam::*:role/ops/admin-*"));
        assert!(names_principals("arn:aws:iam::123456789012:root"));
        assert!(names_principals("arn:aws:sts::*:assumed-role/BreakGlass/*"));
        assert!(!names_principals("*"));
        assert!(!names_principals("arn:aws:iam::*:*"));
        assert!(!names_principals("arn:aws:iam::*:role/*"));
        assert!(!names_principals(
            "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"
        ));
        assert!(!names_principals("arn:aws:sts::*:assumed-role/*/x"));
    }

    #[test]
    fn deny_with_service_wildcard_covers_the_guardrail() {
        let snap = org_snapshot(
            vec![
                full_access(),
                scp(
                    "p-ct",
                    "protect-audit",
                    json!([{"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*"}]),
                ),
            ],
            &[FULL_ACCESS],
            &[FULL_ACCESS, "p-ct"],
            &[FULL_ACCESS],
        );
        assert_eq!(missing(&snap), without(&["protect-cloudtrail"]));
        // A Deny on `*` blocks every guardrail (and everything else).
        let snap = org_snapshot(
            vec![
                full_access(),
                scp(
                    "p-all",
                    "lockdown",
                    json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}]),
                ),
            ],
            &[FULL_ACCESS, "p-all"],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
        );
        assert!(missing(&snap).is_empty());
    }

    #[test]
    fn partial_action_coverage_names_what_is_open() {
        let snap = org_snapshot(
            vec![
                full_access(),
                scp(
                    "p-ct",
                    "stop-only",
                    json!([{"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"}]),
                ),
            ],
            &[FULL_ACCESS, "p-ct"],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
        );
        let hits = run_on(og001_scp_guardrail_missing, &snap);
        let ct = hits
            .iter()
            .find(|h| h.discriminator == "protect-cloudtrail")
            .unwrap();
        assert!(
            ct.message.contains("blocks cloudtrail:UpdateTrail, cloudtrail:PutEventSelectors (only cloudtrail:StopLogging, cloudtrail:DeleteTrail is)"),
            "{}",
            ct.message
        );
        assert!(
            ct.message.contains("Root → Workloads → 123456789012"),
            "{}",
            ct.message
        );
        assert_eq!(
            ct.resource,
            "arn:aws:organizations::111111111111:account/o-test/123456789012"
        );
        let first = &ct.evidence["action_sets"][0]["results"][0];
        assert_eq!(first["denied_by"]["scp_name"], "stop-only");
        assert_eq!(first["denied_by"]["level"], "root");
    }

    #[test]
    fn deny_with_not_action_blocks_everything_it_does_not_list() {
        // Deny everything except reads: every guardrail action is a write.
        let snap = org_snapshot(
            vec![
                full_access(),
                scp(
                    "p-ro",
                    "read-only-account",
                    json!([{"Effect": "Deny", "NotAction": ["*:Get*", "*:List*", "*:Describe*"], "Resource": "*"}]),
                ),
            ],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
            &[FULL_ACCESS, "p-ro"],
        );
        assert!(missing(&snap).is_empty());
        // NotAction that lists the guardrail's own actions leaves them open.
        let snap = org_snapshot(
            vec![
                full_access(),
                scp(
                    "p-na",
                    "deny-all-but-org",
                    json!([{"Effect": "Deny", "NotAction": ["organizations:*", "iam:*"], "Resource": "*"}]),
                ),
            ],
            &[FULL_ACCESS, "p-na"],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
        );
        assert_eq!(missing(&snap), vec!["deny-iam-users", "deny-leave-org"]);
    }

    #[test]
    fn allow_list_strategy_implicitly_denies_what_no_level_allows() {
        // The OU replaces FullAWSAccess with explicit allows: CloudTrail, IAM users and
        // leaving the org are not allowed there, so they are blocked below it. S3 and EC2
        // are allowed (s3:*, ec2:*), so those guardrails are missing.
        let allow = scp(
            "p-allow",
            "workloads-allow-list",
            json!([
                {"Effect": "Allow", "Action": ["s3:*", "ec2:*", "dynamodb:*", "kms:*"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "iam:PassRole"], "Resource": "*"},
                {"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"}
            ]),
        );
        let snap = org_snapshot(
            vec![full_access(), allow],
            &[FULL_ACCESS],
            &["p-allow"],
            &[FULL_ACCESS],
        );
        assert_eq!(missing(&snap), vec!["deny-public-s3", "deny-public-ami"]);
        let hits = run_on(og001_scp_guardrail_missing, &snap);
        assert!(
            hits.iter().all(
                |h| h.evidence["action_sets"][0]["results"][0]["implicitly_denied_at"].is_null()
            )
        );

        // An Allow with a condition still allows (conditions only narrow it): not blocked.
        let allow = scp(
            "p-allow",
            "workloads-allow-list",
            json!([
                {"Effect": "Allow", "NotAction": ["cloudtrail:*", "iam:Create*", "organizations:*"], "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}
            ]),
        );
        let snap = org_snapshot(
            vec![full_access(), allow],
            &[FULL_ACCESS],
            &["p-allow"],
            &[FULL_ACCESS],
        );
        assert_eq!(
            missing(&snap),
            vec!["deny-public-s3", "deny-public-ami", "deny-iam-users"]
        );
        let ct = evaluate_guardrail(
            &guardrails()[0],
            &ScpPath::new(
                snap.organization.as_ref().unwrap(),
                snap.organization.as_ref().unwrap().path.as_deref().unwrap(),
            ),
            &Scope {
                partition: "aws",
                account: ACCOUNT,
                org_id: "o-test",
            },
        );
        assert!(ct.present());
        assert_eq!(
            ct.sets[0][0].implicitly_denied_at.as_ref().unwrap()["target_name"],
            "Workloads"
        );

        // An allow that is scoped to other resources does not allow the guarded actions.
        let allow = scp(
            "p-allow",
            "allow-list",
            json!([
                {"Effect": "Allow", "Action": "*", "Resource": ["arn:aws:s3:::*", "arn:aws:ec2:*::image/*", "arn:aws:iam::*:user/*"]}
            ]),
        );
        let snap = org_snapshot(
            vec![full_access(), allow],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
            &["p-allow"],
        );
        // PutBucketPublicAccessBlock (bucket ARNs), ModifyImageAttribute (image ARNs) and the
        // IAM user actions stay allowed. Actions without a resource type are requested on
        // "*", which none of these patterns matches: PutAccountPublicAccessBlock,
        // DisableImageBlockPublicAccess (deny-public-ami's second set) and
        // LeaveOrganization are implicitly denied, and so is CloudTrail.
        assert_eq!(missing(&snap), vec!["deny-public-s3", "deny-iam-users"]);
    }

    #[test]
    fn a_level_with_an_unknown_scp_is_not_an_implicit_deny() {
        // The OU's only policy id has no document: what it allows is unknown.
        let snap = org_snapshot(
            vec![full_access()],
            &[FULL_ACCESS],
            &["p-gone"],
            &[FULL_ACCESS],
        );
        assert_eq!(missing(&snap), all_ids());
        let hits = run_on(og001_scp_guardrail_missing, &snap);
        assert_eq!(
            hits[0].evidence["path"][1]["scps_without_document"],
            json!(["p-gone"])
        );
        // An SCP IAM would reject is set aside and reported, never guessed.
        let bad = json!({"id": "p-bad", "arn": "arn:aws:organizations::111111111111:policy/o-test/service_control_policy/p-bad", "name": "broken", "content": {"Statement": [{"Effect": "Deny", "Action": "*"}]}});
        let snap = org_snapshot(
            vec![full_access(), bad],
            &[FULL_ACCESS, "p-bad"],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
        );
        let hits = run_on(og001_scp_guardrail_missing, &snap);
        assert_eq!(hits.len(), 5);
        assert_eq!(hits[0].evidence["unreadable_scps"][0]["scp_name"], "broken");
    }

    fn deny_all_guardrails(condition: Value) -> Value {
        json!([{
            "Sid": "Guardrails",
            "Effect": "Deny",
            "Action": [
                "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors",
                "s3:PutAccountPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
                "ec2:ModifyImageAttribute",
                "iam:CreateUser", "iam:CreateLoginProfile", "iam:CreateAccessKey",
                "organizations:LeaveOrganization"
            ],
            "Resource": "*",
            "Condition": condition
        }])
    }

    fn with_condition(condition: Value) -> Vec<String> {
        let snap = org_snapshot(
            vec![
                full_access(),
                scp("p-g", "guardrails", deny_all_guardrails(condition)),
            ],
            &[FULL_ACCESS, "p-g"],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
        );
        missing(&snap)
    }

    #[test]
    fn a_break_glass_carve_out_keeps_the_guardrail() {
        let cond = json!({"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/BreakGlass", "arn:aws:iam::*:role/stacksets-exec-*"]}});
        assert!(with_condition(cond.clone()).is_empty());
        let snap = org_snapshot(
            vec![
                full_access(),
                scp("p-g", "guardrails", deny_all_guardrails(cond)),
            ],
            &[FULL_ACCESS, "p-g"],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
        );
        let g = evaluate_guardrail(
            &guardrails()[0],
            &ScpPath::new(
                snap.organization.as_ref().unwrap(),
                snap.organization.as_ref().unwrap().path.as_deref().unwrap(),
            ),
            &Scope {
                partition: "aws",
                account: ACCOUNT,
                org_id: "o-test",
            },
        );
        assert_eq!(
            g.sets[0][0].denied_by.as_ref().unwrap()["exempted_principals"],
            json!([
                "arn:aws:iam::*:role/BreakGlass",
                "arn:aws:iam::*:role/stacksets-exec-*"
            ])
        );
        // Other accounts and organizations exempted: the Deny still applies here.
        assert!(
            with_condition(json!({"StringNotEquals": {"aws:PrincipalAccount": ["999999999999"]}}))
                .is_empty()
        );
        assert!(
            with_condition(json!({"StringEquals": {"aws:PrincipalOrgID": "o-test"}})).is_empty()
        );
    }

    #[test]
    fn a_condition_that_exempts_everyone_is_no_guardrail() {
        for cond in [
            json!({"ArnNotLike": {"aws:PrincipalArn": "*"}}),
            json!({"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/BreakGlass", "arn:aws:iam::*:role/*"]}}),
            json!({"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}),
            json!({"StringNotLike": {"aws:PrincipalOrgID": "o-*"}}),
            json!({"StringEquals": {"aws:PrincipalAccount": "999999999999"}}),
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/intern"}}),
            json!({"StringNotEquals": {"aws:PrincipalTag/team": "security"}}),
            json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
            json!({"ForAnyValue:ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}}),
        ] {
            assert_eq!(with_condition(cond.clone()), all_ids(), "{cond}");
        }
        let snap = org_snapshot(
            vec![
                full_access(),
                scp(
                    "p-g",
                    "guardrails",
                    deny_all_guardrails(json!({"ArnNotLike": {"aws:PrincipalArn": "*"}})),
                ),
            ],
            &[FULL_ACCESS, "p-g"],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
        );
        let hits = run_on(og001_scp_guardrail_missing, &snap);
        assert!(
            hits[0].message.contains("1 Deny statement not counted, e.g. guardrails statement 0: condition ArnNotLike aws:PrincipalArn [\"*\"]: \"*\" exempts every principal"),
            "{}",
            hits[0].message
        );
    }

    #[test]
    fn resources_must_cover_what_the_action_acts_on() {
        let snap = org_snapshot(
            vec![
                full_access(),
                scp(
                    "p-r",
                    "scoped",
                    json!([
                        {"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "arn:aws:cloudtrail:*:*:trail/*"},
                        {"Effect": "Deny", "Action": "s3:Put*PublicAccessBlock", "Resource": "arn:aws:s3:::*"},
                        {"Effect": "Deny", "Action": "iam:Create*", "Resource": "arn:aws:iam::*:user/prod-*"},
                        {"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "ec2:DisableImageBlockPublicAccess"], "NotResource": "arn:aws:s3:::nothing"}
                    ]),
                ),
            ],
            &[FULL_ACCESS, "p-r"],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
        );
        // trail/* covers every trail; arn:aws:s3:::* does not cover the account-level
        // action (no resource type: only "*"); user/prod-* leaves other users; a NotResource
        // that cannot match "*"-only actions' resource excludes nothing.
        assert_eq!(missing(&snap), vec!["deny-public-s3", "deny-iam-users"]);
    }

    #[test]
    fn management_account_not_in_org_and_billing_only() {
        let mut snap = org_snapshot(
            vec![full_access()],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
        );
        snap.organization.as_mut().unwrap().is_management_account = true;
        // No SCP applies to the management account: every guardrail is missing (never a
        // silent pass), and OG002 says why.
        let hits = run_on(og001_scp_guardrail_missing, &snap);
        assert_eq!(hits.len(), 5);
        assert_eq!(
            hits[0].message,
            "SCP guardrail protect-cloudtrail is missing for account 123456789012: it is the management account of organization o-test, and SCPs never apply to the management account (OG002)"
        );
        assert_eq!(
            hits[0].resource,
            "arn:aws:organizations::111111111111:account/o-test/123456789012"
        );
        let og2 = run_on(og002_not_in_organization, &snap);
        assert_eq!(og2.len(), 1);
        assert!(
            og2[0]
                .message
                .contains("is the management account of organization o-test"),
            "{}",
            og2[0].message
        );

        snap.organization = None;
        let hits = run_on(og001_scp_guardrail_missing, &snap);
        assert_eq!(hits.len(), 5);
        assert_eq!(hits[4].resource, "arn:aws:iam::123456789012:root");
        assert!(
            hits[4]
                .message
                .ends_with("is in no AWS Organization, so no SCP applies (OG002)"),
            "{}",
            hits[4].message
        );
        assert_eq!(hits[4].evidence["guardrail"]["id"], "deny-leave-org");
        let og2 = run_on(og002_not_in_organization, &snap);
        assert_eq!(og2[0].resource, "arn:aws:iam::123456789012:root");
        assert!(og2[0].message.contains("is not in an AWS Organization"));

        let mut snap = org_snapshot(
            vec![full_access()],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
            &[FULL_ACCESS],
        );
        assert!(run_on(og002_not_in_organization, &snap).is_empty());
        snap.organization.as_mut().unwrap().feature_set = "CONSOLIDATED_BILLING".into();
        let hits = run_on(og001_scp_guardrail_missing, &snap);
        assert_eq!(hits.len(), 5);
        assert!(
            hits[0].message.contains("only consolidated billing"),
            "{}",
            hits[0].message
        );
        // No path: nothing can be shown present.
        snap.organization.as_mut().unwrap().feature_set = "ALL".into();
        snap.organization.as_mut().unwrap().path = None;
        let hits = run_on(og001_scp_guardrail_missing, &snap);
        assert_eq!(hits.len(), 5);
        assert!(hits[0].message.contains("cannot be shown present"));
    }
}
