//! Trust (TR): who may assume a role, and on what terms. See `rules/TR*.md`.
//!
//! Every rule reads the trust policy through [`classify::trust_principals`], so all
//! principal shapes IAM accepts (`"*"`, a map of string-or-list, bare account ids,
//! SAML/OIDC providers, services) are seen the same way.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::classify::{
    TrustPrincipal, also_human, assume_allows, break_glass_reason, classify_role,
    is_any_aws_principal, is_outside_account, org_accounts, phi_reach_grants, principal_account,
    trust_principals, trust_statements_without_mfa,
};
use super::permissions::admin_grants;
use super::{Context, Hit, Severity, list_short, stmt_ref};
use crate::inventory::{PrincipalRef, Role};
use crate::policy::{ConditionEntry, PrincipalKind, Principals, Statement};
use crate::snapshot::Source;

/// What a trust statement admits, as written: `"*"`, or `AWS: a, b; Service: c`.
fn principal_text(stmt: &Statement) -> String {
    match stmt.principal.as_ref().map(|p| (p.negated, &p.principals)) {
        None => String::new(),
        Some((negated, Principals::Any)) => {
            if negated {
                "NotPrincipal \"*\"".into()
            } else {
                "\"*\"".into()
            }
        }
        Some((negated, Principals::Map(m))) => {
            let body = m
                .iter()
                .map(|(k, v)| format!("{}: {}", k.as_str(), v.join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            if negated {
                format!("NotPrincipal {body}")
            } else {
                body
            }
        }
    }
}

fn statement_json(stmt: &Statement) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("statement".into(), json!(stmt.index));
    if let Some(sid) = &stmt.sid {
        m.insert("sid".into(), json!(sid));
    }
    m.insert("principal".into(), json!(principal_text(stmt)));
    let keys = stmt.condition_keys();
    if !keys.is_empty() {
        m.insert("condition_keys".into(), json!(keys));
    }
    Value::Object(m)
}

// ---------------------------------------------------------------------------
// Conditions that pin the caller (TR002, TR003)
// ---------------------------------------------------------------------------

/// RULES.md TR003: the condition keys that pin who may call.
pub const PIN_KEYS: &[&str] = &[
    "aws:PrincipalOrgID",
    "aws:PrincipalAccount",
    "aws:SourceAccount",
    "aws:SourceArn",
    "sts:ExternalId",
];

/// Why a condition entry on a pinning key pins nothing, or `None` when it pins.
///
/// It pins when the request must carry the key with one of a fixed set of values:
/// a positive String/Arn operator (`StringEquals`, `StringEqualsIgnoreCase`, `StringLike`,
/// `ArnEquals`, `ArnLike`), plain or `ForAnyValue:`, without `IfExists`, every value
/// concrete (no `*`/`?` where the operator expands them; an `aws:SourceArn` may keep
/// wildcards in its resource part when its account is fixed).
/// `ForAllValues:` and `…IfExists` are true when the key is absent, so a caller that
/// sends no value passes; negated operators and `Null` admit any other value.
pub fn pin_weakness(e: &ConditionEntry) -> Option<String> {
    let op = e.op();
    if op
        .set
        .is_some_and(|s| s.eq_ignore_ascii_case("ForAllValues"))
    {
        return Some(format!(
            "{} {} is true when the request carries no {} at all",
            e.operator, e.key, e.key
        ));
    }
    if op.if_exists {
        return Some(format!(
            "{} {} is true when the request carries no {} at all",
            e.operator, e.key, e.key
        ));
    }
    let expands = match op.base {
        "StringEquals" | "StringEqualsIgnoreCase" => false,
        "StringLike" | "ArnEquals" | "ArnLike" => true,
        _ => {
            return Some(format!(
                "{} {} does not require a fixed value",
                e.operator, e.key
            ));
        }
    };
    if e.values.is_empty() || e.values.iter().any(|v| v.trim().is_empty()) {
        return Some(format!("{} {} has an empty value", e.operator, e.key));
    }
    let wild = |v: &str| v.contains(['*', '?']);
    let loose: Vec<&String> = e
        .values
        .iter()
        .filter(|v| {
            expands
                && wild(v)
                && !(e.key_is("aws:SourceArn")
                    && crate::snapshot::arn_account(v).is_some_and(|(_, a)| {
                        a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
                    }))
        })
        .collect();
    if !loose.is_empty() {
        return Some(format!(
            "{} {} {:?} matches any caller's value",
            e.operator,
            e.key,
            loose[0].as_str()
        ));
    }
    None
}

/// The entries of a statement on `keys`: those that pin, and why the others do not.
fn pinning<'s>(stmt: &'s Statement, keys: &[&str]) -> (Vec<&'s ConditionEntry>, Vec<String>) {
    let mut pins = Vec::new();
    let mut weak = Vec::new();
    for e in stmt
        .conditions
        .iter()
        .filter(|e| keys.iter().any(|k| e.key_is(k)))
    {
        match pin_weakness(e) {
            None => pins.push(e),
            Some(w) => weak.push(w),
        }
    }
    (pins, weak)
}

// ---------------------------------------------------------------------------
// TR001 shared-workload-role
// ---------------------------------------------------------------------------

/// Tag that declares which workloads use a role: `workloads = "billing-batch reporting"`.
/// Names are separated by spaces (IAM tag values cannot contain commas; commas written by
/// other tools are accepted too). The key matches case-insensitively.
pub const WORKLOADS_TAG: &str = "workloads";

/// Service principals that one workload needs together: Lambda@Edge functions need both
/// `lambda` and `edgelambda` in their execution role's trust.
const COMPANION_SERVICES: &[(&str, &str)] = &[("edgelambda.amazonaws.com", "lambda.amazonaws.com")];

/// The workloads a role declares through the [`WORKLOADS_TAG`] tag: (tag as written, names).
fn declared_workloads(role: &Role) -> Option<(String, Vec<String>)> {
    let (k, v) = role
        .tags
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(WORKLOADS_TAG))?;
    let mut seen = BTreeSet::new();
    let names: Vec<String> = v
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|n| !n.is_empty())
        .filter(|n| seen.insert(n.to_ascii_lowercase()))
        .map(str::to_string)
        .collect();
    Some((format!("{k}={v}"), names))
}

pub fn tr001_shared_workload_role(ctx: &Context<'_>) -> Vec<Hit> {
    let inv = ctx.inv;
    let mut hits = Vec::new();
    for role in &inv.roles {
        let class = classify_role(role, &inv.account_id);
        if class.service_linked {
            continue;
        }
        let workloads: BTreeSet<&str> = class
            .workload_principals
            .iter()
            .map(|p| {
                COMPANION_SERVICES
                    .iter()
                    .find(|(c, _)| p.eq_ignore_ascii_case(c))
                    .map_or(p.as_str(), |(_, main)| main)
            })
            .collect();
        let profiles: BTreeSet<&str> = role.instance_profiles.iter().map(String::as_str).collect();
        let declared = declared_workloads(role);
        let mut reasons = Vec::new();
        if workloads.len() > 1 {
            reasons.push(format!(
                "its trust admits {} workload principals ({})",
                workloads.len(),
                class.workload_principals.join(", ")
            ));
        }
        if profiles.len() > 1 {
            let names: Vec<&str> = profiles
                .iter()
                .map(|a| a.rsplit('/').next().unwrap_or(a))
                .collect();
            reasons.push(format!(
                "it is in {} instance profiles ({})",
                profiles.len(),
                names.join(", ")
            ));
        }
        if let Some((tag, names)) = &declared
            && names.len() > 1
        {
            reasons.push(format!("it is tagged {tag:?}, {} workloads", names.len()));
        }
        if reasons.is_empty() {
            continue;
        }
        hits.push(Hit {
            resource: role.arn.clone(),
            resource_type: "AWS::IAM::Role",
            message: format!(
                "role {} is shared by several workloads: {}{}",
                role.name,
                reasons.join("; "),
                also_human(&class.human)
            ),
            evidence: json!({
                "principal": role.arn,
                "workload_principals": class.workload_principals,
                "instance_profiles": profiles,
                "declared_workloads": declared.as_ref().map(|(_, n)| n.clone()).unwrap_or_default(),
                "workload_reasons": class.workload,
                "human_reasons": class.human,
            }),
            discriminator: String::new(),
            severity: None,
        });
    }
    hits
}

// ---------------------------------------------------------------------------
// TR002, TR004: principals of outside accounts
// ---------------------------------------------------------------------------

/// The trust principals of each outside account (RULES.md), by account id.
fn outside_principals<'r>(
    ctx: &Context<'_>,
    role: &'r Role,
) -> BTreeMap<String, Vec<TrustPrincipal<'r>>> {
    let org = org_accounts(ctx.snapshot);
    let mut out: BTreeMap<String, Vec<TrustPrincipal<'r>>> = BTreeMap::new();
    for p in trust_principals(&role.trust) {
        if p.kind != PrincipalKind::Aws || is_any_aws_principal(p.value) {
            continue;
        }
        if let Some(account) = principal_account(p.value)
            && is_outside_account(account, &ctx.inv.account_id, &org)
        {
            out.entry(account.to_string()).or_default().push(p);
        }
    }
    out
}

fn values_of(ps: &[TrustPrincipal<'_>]) -> Vec<String> {
    let set: BTreeSet<&str> = ps.iter().map(|p| p.value).collect();
    set.into_iter().map(str::to_string).collect()
}

fn statements_of<'a>(ps: &[TrustPrincipal<'a>]) -> Vec<&'a Statement> {
    let mut v: Vec<&Statement> = ps.iter().map(|p| p.statement).collect();
    v.sort_by_key(|s| s.index);
    v.dedup_by_key(|s| s.index);
    v
}

pub fn tr002_cross_account_trust_without_external_id(ctx: &Context<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for role in &ctx.inv.roles {
        for (account, principals) in outside_principals(ctx, role) {
            let mut weak = BTreeSet::new();
            let open: Vec<TrustPrincipal<'_>> = principals
                .into_iter()
                .filter(|p| {
                    let (pins, w) = pinning(p.statement, &["sts:ExternalId"]);
                    weak.extend(w);
                    pins.is_empty()
                })
                .collect();
            if open.is_empty() {
                continue;
            }
            let known = ctx.settings.known_accounts.contains(&account);
            let values = values_of(&open);
            let statements = statements_of(&open);
            let weak: Vec<String> = weak.into_iter().collect();
            let mut message = format!(
                "role {} trusts account {account} ({}) without an sts:ExternalId condition in {}",
                role.name,
                list_short(&values, 2),
                list_short(
                    &statements.iter().map(|s| stmt_ref(s)).collect::<Vec<_>>(),
                    2
                )
            );
            if let Some(w) = weak.first() {
                message.push_str(&format!(" ({w})"));
            }
            if known {
                message.push_str(
                    "; the account is vetted in [accounts] known, but only an ExternalId stops the confused deputy",
                );
            }
            hits.push(Hit {
                resource: role.arn.clone(),
                resource_type: "AWS::IAM::Role",
                message,
                evidence: json!({
                    "principal": role.arn,
                    "account": account,
                    "known_account": known,
                    "trusted_principals": values,
                    "statements": statements.iter().map(|s| statement_json(s)).collect::<Vec<_>>(),
                    "external_id_conditions_that_do_not_pin": weak,
                }),
                discriminator: account,
                severity: None,
            });
        }
    }
    hits
}

pub fn tr004_unknown_external_account_trust(ctx: &Context<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for role in &ctx.inv.roles {
        for (account, principals) in outside_principals(ctx, role) {
            if ctx.settings.known_accounts.contains(&account) {
                continue;
            }
            let values = values_of(&principals);
            let statements = statements_of(&principals);
            hits.push(Hit {
                resource: role.arn.clone(),
                resource_type: "AWS::IAM::Role",
                message: format!(
                    "role {} trusts external account {account} ({}), which is not listed in [accounts] known",
                    role.name,
                    list_short(&values, 2)
                ),
                evidence: json!({
                    "principal": role.arn,
                    "account": account,
                    "trusted_principals": values,
                    "statements": statements.iter().map(|s| statement_json(s)).collect::<Vec<_>>(),
                    "known_accounts": ctx.settings.known_accounts,
                }),
                discriminator: account,
                severity: None,
            });
        }
    }
    hits
}

// ---------------------------------------------------------------------------
// TR003 wildcard-principal-trust
// ---------------------------------------------------------------------------

/// How a statement admits everyone, if it does: `"*"`, `AWS: *` or an any-account ARN,
/// or `NotPrincipal` (everyone it does not name).
fn admits_everyone(stmt: &Statement) -> Option<String> {
    let p = stmt.principal.as_ref()?;
    if p.negated {
        return Some(format!(
            "every principal except {}",
            principal_text(stmt).trim_start_matches("NotPrincipal ")
        ));
    }
    match &p.principals {
        Principals::Any => Some("any principal (\"Principal\": \"*\")".into()),
        Principals::Map(m) => {
            let any: Vec<&String> = m
                .get(&PrincipalKind::Aws)
                .map(|v| v.iter().filter(|x| is_any_aws_principal(x)).collect())
                .unwrap_or_default();
            any.first()
                .map(|v| format!("any AWS principal (\"AWS\": {v:?})"))
        }
    }
}

pub fn tr003_wildcard_principal_trust(ctx: &Context<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for role in &ctx.inv.roles {
        for stmt in assume_allows(&role.trust) {
            let Some(who) = admits_everyone(stmt) else {
                continue;
            };
            let (pins, weak) = pinning(stmt, PIN_KEYS);
            if !pins.is_empty() {
                continue;
            }
            let mut message = format!(
                "role {} trust {} admits {who} with no condition pinning the caller ({})",
                role.name,
                stmt_ref(stmt),
                PIN_KEYS.join(", ")
            );
            if let Some(w) = weak.first() {
                message.push_str(&format!("; {w}"));
            }
            hits.push(Hit {
                resource: role.arn.clone(),
                resource_type: "AWS::IAM::Role",
                message,
                evidence: json!({
                    "principal": role.arn,
                    "trust_statement": statement_json(stmt),
                    "admits": who,
                    "pinning_conditions_that_do_not_pin": weak,
                }),
                discriminator: stmt.canonical(),
                severity: None,
            });
        }
    }
    hits
}

// ---------------------------------------------------------------------------
// TR005 long-session-on-privileged-role
// ---------------------------------------------------------------------------

fn duration(secs: i64) -> String {
    if secs % 3600 == 0 {
        let h = secs / 3600;
        format!("{h} hour{}", if h == 1 { "" } else { "s" })
    } else {
        format!("{} minutes", secs / 60)
    }
}

/// MaxSessionDuration is not in authorization-details exports; the rule needs
/// `iam.role_details` (ListRoles) and its coverage says when it is absent. A role
/// without the value is not judged; if role details *were* collected and a privileged
/// role still lacks it, that gap is reported as an info finding rather than passed.
pub fn tr005_long_session_on_privileged_role(ctx: &Context<'_>) -> Vec<Hit> {
    let inv = ctx.inv;
    let limit = i64::from(ctx.settings.max_session_seconds);
    let role_details = ctx.snapshot.source_ok(Source::RoleDetails);
    let mut hits = Vec::new();
    for (i, role) in inv.roles.iter().enumerate() {
        if crate::rules::classify::is_service_linked(&role.path) {
            continue;
        }
        let max = role.max_session_duration;
        if max.is_some_and(|m| m <= limit) || (max.is_none() && !role_details) {
            continue;
        }
        let admin = admin_grants(ctx, PrincipalRef::Role(i));
        // An admin statement reaches every PHI store; list only the other statements.
        let phi: Vec<_> = phi_reach_grants(inv, ctx.settings, PrincipalRef::Role(i))
            .into_iter()
            .filter(|g| {
                !admin
                    .iter()
                    .any(|a| a.policy == g.policy && a.statement == g.statement)
            })
            .collect();
        if admin.is_empty() && phi.is_empty() {
            continue;
        }
        // The engine: admin taken away by the boundary/SCPs, PHI grants the role cannot use.
        let (admin, phi) =
            super::effective::effective_grants(ctx, PrincipalRef::Role(i), admin, phi);
        if admin.is_empty() && phi.is_empty() {
            continue;
        }
        let mut why = Vec::new();
        if !admin.is_empty() {
            let mut l: Vec<&str> = admin.iter().map(|g| g.label.as_str()).collect();
            l.sort();
            l.dedup();
            why.push(format!("holds full admin via {}", l.join(", ")));
        }
        if !phi.is_empty() {
            let mut actions: Vec<String> = phi.iter().flat_map(|g| g.actions.clone()).collect();
            actions.sort();
            actions.dedup();
            why.push(format!("can reach PHI data ({})", list_short(&actions, 3)));
        }
        let evidence = json!({
            "principal": role.arn,
            "max_session_duration": max,
            "max_session_seconds": limit,
            "admin_grants": admin.iter().map(|g| json!({"policy": g.policy, "statement": g.statement, "why": g.why})).collect::<Vec<_>>(),
            "phi_grants": phi.iter().map(|g| g.to_json()).collect::<Vec<_>>(),
        });
        let (message, severity) = match max {
            Some(m) => (
                format!(
                    "role {} allows {} sessions (MaxSessionDuration {m} s > {limit} s) and {}",
                    role.name,
                    duration(m),
                    why.join(" and ")
                ),
                None,
            ),
            None => (
                format!(
                    "role {} {}, but the snapshot lacks its MaxSessionDuration although role details were collected: not judged",
                    role.name,
                    why.join(" and ")
                ),
                Some(Severity::Info),
            ),
        };
        hits.push(Hit {
            resource: role.arn.clone(),
            resource_type: "AWS::IAM::Role",
            message,
            evidence,
            discriminator: String::new(),
            severity,
        });
    }
    hits
}

// ---------------------------------------------------------------------------
// TR006 break-glass-without-mfa
// ---------------------------------------------------------------------------

pub fn tr006_break_glass_without_mfa(ctx: &Context<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for role in &ctx.inv.roles {
        if crate::rules::classify::is_service_linked(&role.path) {
            continue;
        }
        let Some(reason) = break_glass_reason(&role.name, &role.tags, ctx.settings) else {
            continue;
        };
        let open = trust_statements_without_mfa(&role.trust);
        if open.is_empty() {
            continue;
        }
        let if_exists = open.iter().any(|s| {
            s.conditions
                .iter()
                .any(|e| e.key_is("aws:MultiFactorAuthPresent") && e.op().if_exists)
        });
        let refs: Vec<String> = open
            .iter()
            .map(|s| format!("{} ({})", stmt_ref(s), principal_text(s)))
            .collect();
        let mut message = format!(
            "break-glass role {} ({reason}) can be assumed without MFA: trust {} has no aws:MultiFactorAuthPresent or aws:MultiFactorAuthAge condition",
            role.name,
            list_short(&refs, 2)
        );
        if if_exists {
            message.push_str(
                " (BoolIfExists does not count: requests signed with long-term keys carry no MFA key and pass)",
            );
        }
        hits.push(Hit {
            resource: role.arn.clone(),
            resource_type: "AWS::IAM::Role",
            message,
            evidence: json!({
                "principal": role.arn,
                "break_glass": reason,
                "statements_without_mfa": open.iter().map(|s| statement_json(s)).collect::<Vec<_>>(),
            }),
            discriminator: String::new(),
            severity: None,
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::rules::testutil::{authz, role, run, run_with, trust};
    use serde_json::json;

    const ACCT: &str = "123456789012";

    fn msgs(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.message.as_str()).collect()
    }

    fn one_role(trust_stmt: Value) -> Value {
        authz(vec![role("r", trust(vec![trust_stmt]))])
    }

    #[test]
    fn every_principal_shape_is_seen() {
        // "*" string, list, map with list values, bare account id, SAML, OIDC, service.
        let doc = crate::policy::PolicyDocument::parse(
            &json!({"Statement":[
                {"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"AWS":["999988887777","arn:aws:iam::111122223333:role/x"],"Service":["ec2.amazonaws.com"]},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"},
                {"Effect":"Allow","Principal":{"Federated":["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]},"Action":"sts:AssumeRoleWithWebIdentity"},
                {"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:TagSession"}
            ]}),
            crate::policy::DocKind::Trust,
        )
        .unwrap();
        let seen: Vec<(PrincipalKind, &str)> = trust_principals(&doc)
            .iter()
            .map(|p| (p.kind, p.value))
            .collect();
        assert_eq!(
            seen,
            vec![
                (PrincipalKind::Aws, "*"),
                (PrincipalKind::Aws, "999988887777"),
                (PrincipalKind::Aws, "arn:aws:iam::111122223333:role/x"),
                (PrincipalKind::Service, "ec2.amazonaws.com"),
                (PrincipalKind::Aws, "arn:aws:iam::*:root"),
                (
                    PrincipalKind::Federated,
                    "arn:aws:iam::123456789012:saml-provider/Okta"
                ),
                (
                    PrincipalKind::Federated,
                    "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
                ),
            ],
            "a TagSession-only statement admits nobody"
        );
        assert_eq!(principal_account("999988887777"), Some("999988887777"));
        assert!(is_any_aws_principal("*") && is_any_aws_principal("arn:aws:iam::*:root"));
        assert!(!is_any_aws_principal("arn:aws:iam::999988887777:root"));
    }

    #[test]
    fn tr002_external_id_operators() {
        let s = Settings::default();
        let p = json!({"AWS": ["999988887777"]});
        let with = |cond: Value| {
            run(
                tr002_cross_account_trust_without_external_id,
                &one_role(
                    json!({"Effect":"Allow","Principal":p.clone(),"Action":"sts:AssumeRole","Condition":cond}),
                ),
                &s,
            )
        };
        for pinned in [
            json!({"StringEquals":{"sts:ExternalId":"c1a8f0"}}),
            json!({"StringEqualsIgnoreCase":{"sts:externalid":"C1A8F0"}}),
            json!({"StringLike":{"sts:ExternalId":"c1a8f0"}}),
            json!({"ForAnyValue:StringEquals":{"sts:ExternalId":["c1a8f0"]}}),
        ] {
            assert!(with(pinned.clone()).is_empty(), "{pinned}");
        }
        for open in [
            json!({"StringLike":{"sts:ExternalId":"*"}}),
            json!({"StringLike":{"sts:ExternalId":["c1a8f0","c1*"]}}),
            json!({"StringEqualsIfExists":{"sts:ExternalId":"c1a8f0"}}),
            json!({"ForAllValues:StringEquals":{"sts:ExternalId":"c1a8f0"}}),
            json!({"Null":{"sts:ExternalId":"false"}}),
            json!({"StringNotEquals":{"sts:ExternalId":"x"}}),
            json!({"StringEquals":{"aws:PrincipalTag/team":"x"}}),
        ] {
            let h = with(open.clone());
            assert_eq!(h.len(), 1, "{open}");
            assert_eq!(h[0].discriminator, "999988887777");
        }
        let h = with(json!({"StringLike":{"sts:ExternalId":"*"}}));
        assert!(
            h[0].message.contains("\"*\" matches any caller's value"),
            "{}",
            h[0].message
        );
    }

    #[test]
    fn tr002_and_tr004_account_scope() {
        let mut s = Settings::default();
        s.known_accounts.insert("444455556666".into());
        let doc = authz(vec![role(
            "r",
            trust(vec![json!({"Effect":"Allow","Principal":{"AWS":[
                    "arn:aws:iam::123456789012:root",
                    "arn:aws:iam::444455556666:role/partner",
                    "999988887777",
                    "*"
                ]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-x"}}})]),
        )]);
        let tr002 = run(tr002_cross_account_trust_without_external_id, &doc, &s);
        let accounts: Vec<&str> = tr002.iter().map(|h| h.discriminator.as_str()).collect();
        assert_eq!(
            accounts,
            vec!["444455556666", "999988887777"],
            "own account and `*` are not outside accounts; known ones still need ExternalId"
        );
        assert!(tr002[0].message.contains("vetted in [accounts] known"));
        let tr004 = run(tr004_unknown_external_account_trust, &doc, &s);
        assert_eq!(msgs(&tr004).len(), 1);
        assert_eq!(tr004[0].discriminator, "999988887777");
    }

    #[test]
    fn tr003_wildcards_and_pins() {
        let s = Settings::default();
        let fires = |stmt: Value| run(tr003_wildcard_principal_trust, &one_role(stmt), &s);
        for p in [
            json!("*"),
            json!({"AWS":"*"}),
            json!({"AWS":["arn:aws:iam::*:root"]}),
        ] {
            assert_eq!(
                fires(json!({"Effect":"Allow","Principal":p,"Action":"sts:AssumeRole"})).len(),
                1,
                "{p}"
            );
        }
        for cond in [
            json!({"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}),
            json!({"StringEqualsIgnoreCase":{"aws:PrincipalAccount":"123456789012"}}),
            json!({"ForAnyValue:StringEquals":{"aws:SourceAccount":["123456789012"]}}),
            json!({"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:*"}}),
            json!({"StringEquals":{"sts:ExternalId":"k3y"}}),
        ] {
            let stmt = json!({"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":cond});
            assert!(fires(stmt).is_empty(), "{cond}");
        }
        for cond in [
            json!({"StringLike":{"sts:ExternalId":"*"}}),
            json!({"StringLike":{"aws:PrincipalOrgID":"o-*"}}),
            json!({"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}),
            json!({"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123"}}),
            json!({"Bool":{"aws:SecureTransport":"true"}}),
        ] {
            let stmt = json!({"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":cond});
            assert_eq!(fires(stmt).len(), 1, "{cond}");
        }
        // A specific principal, or a Deny, is not a wildcard trust.
        assert!(fires(json!({"Effect":"Allow","Principal":{"AWS":"999988887777"},"Action":"sts:AssumeRole"})).is_empty());
        assert!(
            fires(json!({"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"})).is_empty()
        );
        // NotPrincipal in an Allow admits everyone else.
        let h = fires(
            json!({"Effect":"Allow","NotPrincipal":{"AWS":"999988887777"},"Action":"sts:AssumeRole"}),
        );
        assert!(
            h[0].message
                .contains("every principal except AWS: 999988887777"),
            "{}",
            h[0].message
        );
    }

    #[test]
    fn tr006_mfa_forms() {
        let s = Settings::default();
        let bg = |cond: Value| {
            let mut stmt = json!({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"});
            if !cond.is_null() {
                stmt["Condition"] = cond;
            }
            let doc = authz(vec![role("break-glass-admin", trust(vec![stmt]))]);
            run(tr006_break_glass_without_mfa, &doc, &s)
        };
        assert!(bg(json!({"Bool":{"aws:MultiFactorAuthPresent":"true"}})).is_empty());
        assert!(bg(json!({"NumericLessThan":{"aws:MultiFactorAuthAge":"900"}})).is_empty());
        assert!(bg(json!({"Null":{"aws:MultiFactorAuthAge":"false"}})).is_empty());
        assert_eq!(bg(Value::Null).len(), 1);
        let h = bg(json!({"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}));
        assert!(
            h[0].message.contains("BoolIfExists does not count"),
            "{}",
            h[0].message
        );
        // A Deny that refuses callers without MFA gates an unconditional Allow.
        let doc = authz(vec![role(
            "break-glass-admin",
            trust(vec![
                json!({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}),
                json!({"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}),
            ]),
        )]);
        assert!(run(tr006_break_glass_without_mfa, &doc, &s).is_empty());
        // Not break-glass: not this rule's business.
        let doc = authz(vec![role(
            "ops",
            trust(vec![
                json!({"Effect":"Allow","Principal":{"AWS":ACCT},"Action":"sts:AssumeRole"}),
            ]),
        )]);
        assert!(run(tr006_break_glass_without_mfa, &doc, &s).is_empty());
    }

    #[test]
    fn tr001_reasons() {
        let s = Settings::default();
        let svc = |names: Value| {
            trust(vec![
                json!({"Effect":"Allow","Principal":{"Service":names},"Action":"sts:AssumeRole"}),
            ])
        };
        let doc = authz(vec![
            role(
                "two-services",
                svc(json!(["ec2.amazonaws.com", "lambda.amazonaws.com"])),
            ),
            role(
                "edge",
                svc(json!(["lambda.amazonaws.com", "edgelambda.amazonaws.com"])),
            ),
            role("one", svc(json!("ecs-tasks.amazonaws.com"))),
        ]);
        let h = run(tr001_shared_workload_role, &doc, &s);
        assert_eq!(msgs(&h).len(), 1, "{:?}", msgs(&h));
        assert!(h[0].resource.ends_with("role/two-services"));

        let mut r = role("tagged", svc(json!("ec2.amazonaws.com")));
        r["Tags"] = json!([{"Key":"Workloads","Value":"billing-batch  reporting billing-batch"}]);
        let h = run(tr001_shared_workload_role, &authz(vec![r]), &s);
        assert!(h[0].message.contains("2 workloads"), "{}", h[0].message);
        let mut r = role("tagged-one", svc(json!("ec2.amazonaws.com")));
        r["Tags"] = json!([{"Key":"workloads","Value":"billing-batch"}]);
        assert!(run(tr001_shared_workload_role, &authz(vec![r]), &s).is_empty());
    }

    #[test]
    fn tr001_dual_role_says_why() {
        let s = Settings::default();
        let doc = authz(vec![role(
            "dual",
            trust(vec![
                json!({"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole"}),
                json!({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}),
            ]),
        )]);
        let h = run(tr001_shared_workload_role, &doc, &s);
        assert!(
            h[0].message
                .contains("it is also human-assumable (trust admits its own account"),
            "{}",
            h[0].message
        );
    }

    #[test]
    fn tr005_judges_only_known_durations() {
        let s = Settings::default();
        let admin_role = |msd: Option<i64>| {
            let mut r = role(
                "ops",
                trust(vec![
                    json!({"Effect":"Allow","Principal":{"AWS":ACCT},"Action":"sts:AssumeRole"}),
                ]),
            );
            r["RolePolicyList"] = json!([{"PolicyName":"all","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}]);
            if let Some(m) = msd {
                r["MaxSessionDuration"] = json!(m);
            }
            r
        };
        let h = run(
            tr005_long_session_on_privileged_role,
            &authz(vec![admin_role(Some(43200))]),
            &s,
        );
        assert_eq!(h.len(), 1);
        assert!(h[0].message.contains("12 hours"), "{}", h[0].message);
        assert!(
            run(
                tr005_long_session_on_privileged_role,
                &authz(vec![admin_role(Some(3600))]),
                &s
            )
            .is_empty()
        );
        // Role details collected, yet this role lacks the value: an info finding, not a pass.
        let h = run_with(
            tr005_long_session_on_privileged_role,
            &authz(vec![admin_role(None)]),
            &s,
            &["iam.role_details"],
        );
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].severity, Some(Severity::Info));
        assert!(h[0].message.contains("not judged"), "{}", h[0].message);
        // Unknown duration from an export without role details: not judged, and the
        // engine's coverage (iam.role_details) says so.
        assert!(
            run(
                tr005_long_session_on_privileged_role,
                &authz(vec![admin_role(None)]),
                &s
            )
            .is_empty()
        );
    }

    #[test]
    fn tr005_skips_a_role_whose_boundary_blocks_its_phi_grant() {
        use crate::rules::testutil::{authz_with, managed};
        let s = Settings::default();
        let reader = |boundary: bool| {
            let mut r = role(
                "reports",
                trust(vec![
                    json!({"Effect":"Allow","Principal":{"AWS":ACCT},"Action":"sts:AssumeRole"}),
                ]),
            );
            r["MaxSessionDuration"] = json!(43200);
            r["RolePolicyList"] = json!([{"PolicyName":"read","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::phi-records-prod/*"}]}}]);
            if boundary {
                r["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": format!("arn:aws:iam::{ACCT}:policy/no-data")});
            }
            authz_with(
                vec![],
                vec![],
                vec![r],
                vec![managed(
                    "no-data",
                    json!({"Statement":[{"Effect":"Allow","NotAction":["s3:GetObject*","kms:Decrypt"],"Resource":"*"}]}),
                    0,
                )],
            )
        };
        assert_eq!(
            run(tr005_long_session_on_privileged_role, &reader(false), &s).len(),
            1
        );
        assert!(run(tr005_long_session_on_privileged_role, &reader(true), &s).is_empty());
    }
}
