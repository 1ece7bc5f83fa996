//! Who is what: workload, human, service-linked, Identity Center, break-glass; who a
//! trust policy admits (every principal shape); and what an identity can do (write IAM,
//! reach PHI).
//!
//! The terms of RULES.md, decided in one place and reused by every rule family,
//! each decision with the reasons that made it, so findings can say *why* a role
//! counts as human or workload (a role can be both).

use std::collections::BTreeSet;

use super::phi;
use crate::config::Settings;
use crate::inventory::{HeldPolicy, Inventory, PrincipalRef, Role};
use crate::policy::{
    ConditionEntry, PolicyDocument, PrincipalKind, Principals, Statement, wildcard_match,
};
use crate::snapshot::{Snapshot, arn_account};

/// OIDC issuers whose tokens are minted for machines (CI pipelines, cluster
/// service accounts), not people. RULES.md calls every OIDC-federated role human;
/// for these issuers that would call an EKS pod or a CI deploy job a person, so a
/// role trusted by them is classified as a workload instead.
pub const WORKLOAD_OIDC_ISSUERS: &[&str] = &[
    "token.actions.githubusercontent.com",
    "oidc.eks.*.amazonaws.com/id/*",
    "gitlab.com",
    "app.terraform.io",
    "oidc.circleci.com/org/*",
    "api.bitbucket.org/2.0/workspaces/*/pipelines-config/identity/oidc",
    "vstoken.actions.githubusercontent.com",
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleClass {
    /// Why the role is a workload identity (empty: it is not).
    pub workload: Vec<String>,
    /// Why the role is a human identity (empty: it is not).
    pub human: Vec<String>,
    /// Under `/aws-service-role/`: created and managed by an AWS service.
    pub service_linked: bool,
    /// An IAM Identity Center permission-set role (`AWSReservedSSO_*`).
    pub identity_center: bool,
    /// The distinct workload principals the trust admits: service principals
    /// (`ec2.amazonaws.com`) and workload OIDC issuers (`token.actions.githubusercontent.com`).
    pub workload_principals: Vec<String>,
}

impl RoleClass {
    pub fn is_workload(&self) -> bool {
        !self.workload.is_empty()
    }
    pub fn is_human(&self) -> bool {
        !self.human.is_empty()
    }
}

pub fn is_service_linked(path: &str) -> bool {
    path.starts_with("/aws-service-role/")
}

pub fn is_identity_center(name: &str, path: &str) -> bool {
    name.starts_with("AWSReservedSSO_") || path.starts_with("/aws-reserved/sso.amazonaws.com/")
}

/// The actions that assume a role. A trust statement that allows none of them (only
/// `sts:TagSession`, say) lets nobody in on its own.
pub const ASSUME_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
];

fn allows_assume(stmt: &Statement) -> bool {
    stmt.is_allow() && ASSUME_ACTIONS.iter().any(|a| stmt.covers_action(a))
}

/// The Allow statements of a trust policy that let principals assume the role: with
/// `Principal` or with `NotPrincipal` (which admits everyone it does not name).
pub fn assume_allows(trust: &PolicyDocument) -> impl Iterator<Item = &Statement> {
    trust
        .statements
        .iter()
        .filter(|s| allows_assume(s) && s.principal.is_some())
}

/// The Allow statements of a trust policy that admit named principals (not NotPrincipal).
fn admitting(trust: &PolicyDocument) -> impl Iterator<Item = &Statement> {
    assume_allows(trust).filter(|s| s.principal.as_ref().is_some_and(|p| !p.negated))
}

/// One principal a trust policy admits, and the statement that admits it.
#[derive(Clone, Copy, Debug)]
pub struct TrustPrincipal<'a> {
    pub statement: &'a Statement,
    pub kind: PrincipalKind,
    /// As written: `*`, `123456789012`, an ARN, a service or provider name.
    pub value: &'a str,
}

/// Every principal the Allow statements of a trust policy admit, whatever shape IAM
/// accepted it in: `"Principal": "*"` (reported as AWS `*`), a map whose values are a
/// string or a list, account ids with or without `arn:`, SAML and OIDC providers,
/// services. In statement order, then as the parsed map orders kinds and values.
pub fn trust_principals(trust: &PolicyDocument) -> Vec<TrustPrincipal<'_>> {
    let mut out = Vec::new();
    for stmt in admitting(trust) {
        match stmt.principal.as_ref().map(|p| &p.principals) {
            Some(Principals::Any) => out.push(TrustPrincipal {
                statement: stmt,
                kind: PrincipalKind::Aws,
                value: "*",
            }),
            Some(Principals::Map(map)) => {
                for (kind, values) in map {
                    for v in values {
                        out.push(TrustPrincipal {
                            statement: stmt,
                            kind: *kind,
                            value: v,
                        });
                    }
                }
            }
            None => {}
        }
    }
    out
}

/// An AWS principal that stands for every account: `*`, or an ARN whose account is a
/// wildcard (`arn:aws:iam::*:root`).
pub fn is_any_aws_principal(value: &str) -> bool {
    value.trim() == "*" || arn_account(value).is_some_and(|(_, a)| a.contains(['*', '?']))
}

/// The host part of an OIDC provider principal (`arn:…:oidc-provider/<issuer>` → issuer).
pub fn oidc_issuer(federated: &str) -> &str {
    federated
        .split_once(":oidc-provider/")
        .map(|(_, h)| h)
        .unwrap_or(federated)
}

pub fn is_workload_oidc_issuer(issuer: &str) -> bool {
    WORKLOAD_OIDC_ISSUERS
        .iter()
        .any(|p| wildcard_match(p, issuer, true))
}

/// The accounts of the scanned organization, as far as the snapshot knows them: the
/// management account (DescribeOrganization tells even a member account), and every
/// account ListAccounts returned (management account or delegated administrator).
/// Empty when the account is in no organization or the organization is unknown, and
/// then every other account counts as outside (RULES.md "outside account").
pub fn org_accounts(snapshot: &Snapshot) -> BTreeSet<String> {
    let Some(org) = &snapshot.organization else {
        return BTreeSet::new();
    };
    let mut out: BTreeSet<String> = org.accounts.iter().flatten().cloned().collect();
    if !org.management_account_id.is_empty() {
        out.insert(org.management_account_id.clone());
    }
    out
}

/// RULES.md "outside account": neither the scanned account nor one of its organization's.
pub fn is_outside_account(account: &str, own: &str, org: &BTreeSet<String>) -> bool {
    account != own && !org.contains(account)
}

/// An AWS principal value as an account id: `123456789012`, `arn:aws:iam::123456789012:root`,
/// `arn:aws:iam::123456789012:role/x`, `arn:aws:sts::123456789012:assumed-role/x/y`.
pub fn principal_account(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    let (_, account) = arn_account(value)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

pub fn classify_role(role: &Role, account_id: &str) -> RoleClass {
    let mut c = RoleClass {
        service_linked: is_service_linked(&role.path),
        identity_center: is_identity_center(&role.name, &role.path),
        ..RoleClass::default()
    };
    if c.identity_center {
        c.human
            .push("IAM Identity Center permission-set role".into());
    }
    for p in trust_principals(&role.trust) {
        let v = p.value;
        match p.kind {
            PrincipalKind::Service => {
                c.workload
                    .push(format!("trust admits service principal {v}"));
                c.workload_principals.push(v.to_string());
            }
            PrincipalKind::Federated => {
                if v.contains(":saml-provider/") {
                    c.human
                        .push(format!("trust admits SAML federation via {v}"));
                } else {
                    let issuer = oidc_issuer(v);
                    if is_workload_oidc_issuer(issuer) {
                        c.workload.push(format!(
                            "trust admits OIDC federation from workload issuer {issuer}"
                        ));
                        c.workload_principals.push(issuer.to_string());
                    } else {
                        c.human
                            .push(format!("trust admits OIDC/web-identity federation via {v}"));
                    }
                }
            }
            PrincipalKind::Aws => {
                if principal_account(v) == Some(account_id) {
                    if v.ends_with(":root") || v == account_id {
                        c.human.push(format!("trust admits its own account ({v}): any IAM user or role of the account allowed sts:AssumeRole"));
                    } else {
                        c.human
                            .push(format!("trust admits same-account principal {v}"));
                    }
                }
            }
            PrincipalKind::CanonicalUser => {}
        }
    }
    c.workload.sort();
    c.workload.dedup();
    c.workload_principals.sort();
    c.workload_principals.dedup();
    c.human.sort();
    c.human.dedup();
    c
}

/// "; it is also human-assumable (…)": how a finding about a workload says people can
/// assume it too. Empty when `human` is.
pub fn also_human(human: &[String]) -> String {
    if human.is_empty() {
        String::new()
    } else {
        format!("; it is also human-assumable ({})", human.join("; "))
    }
}

/// "; it is also a workload role (…)" (`noun` = "workload role", "workload identity"):
/// how a finding about a human identity says a workload uses it too. Empty when
/// `workload` is.
pub fn also_workload(noun: &str, workload: &[String]) -> String {
    if workload.is_empty() {
        String::new()
    } else {
        format!("; it is also a {noun} ({})", workload.join("; "))
    }
}

/// Why a role or user counts as break-glass, if it does: the configured tag set
/// to `true`, or a name matching a configured pattern (case-insensitive).
pub fn break_glass_reason(
    name: &str,
    tags: &std::collections::BTreeMap<String, String>,
    settings: &Settings,
) -> Option<String> {
    if let Some((k, v)) = tags
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(&settings.tag_break_glass))
        && v.eq_ignore_ascii_case("true")
    {
        return Some(format!("tagged {k}={v}"));
    }
    settings
        .break_glass_names
        .iter()
        .find(|p| wildcard_match(p, name, true))
        .map(|p| format!("name matches break-glass pattern {p:?}"))
}

/// A condition entry that really requires MFA: `Bool` (not `BoolIfExists`, which
/// passes requests signed with long-term keys that carry no MFA key at all)
/// `aws:MultiFactorAuthPresent = true`, a maximum `aws:MultiFactorAuthAge`, or
/// `Null` `aws:MultiFactorAuthAge = false` (the key is present only in MFA sessions).
pub fn entry_requires_mfa(e: &ConditionEntry) -> bool {
    let op = e.op();
    if op.if_exists || op.set.is_some() {
        return false;
    }
    let all =
        |want: &str| !e.values.is_empty() && e.values.iter().all(|v| v.eq_ignore_ascii_case(want));
    (op.base == "Bool" && e.key_is("aws:MultiFactorAuthPresent") && all("true"))
        || (matches!(op.base, "NumericLessThan" | "NumericLessThanEquals")
            && e.key_is("aws:MultiFactorAuthAge"))
        || (op.base == "Null" && e.key_is("aws:MultiFactorAuthAge") && all("false"))
}

pub fn statement_requires_mfa(stmt: &Statement) -> bool {
    stmt.conditions.iter().any(entry_requires_mfa)
}

/// A condition entry that matches requests made without MFA: `BoolIfExists`
/// `aws:MultiFactorAuthPresent = false` (absent key included) or `Null`
/// `aws:MultiFactorAuthAge = true`. Plain `Bool … false` misses long-term-key
/// requests, which carry no MFA key at all.
fn entry_matches_no_mfa(e: &ConditionEntry) -> bool {
    let op = e.op();
    if op.set.is_some() {
        return false;
    }
    let all =
        |want: &str| !e.values.is_empty() && e.values.iter().all(|v| v.eq_ignore_ascii_case(want));
    (op.base == "Bool" && op.if_exists && e.key_is("aws:MultiFactorAuthPresent") && all("false"))
        || (op.base == "Null" && !op.if_exists && e.key_is("aws:MultiFactorAuthAge") && all("true"))
}

/// A trust Deny that refuses every caller without MFA: principal `*` (or AWS `*`), every
/// assume action, and no condition other than "no MFA".
fn denies_assume_without_mfa(stmt: &Statement) -> bool {
    let everyone = stmt.principal.as_ref().is_some_and(|p| {
        !p.negated
            && match &p.principals {
                Principals::Any => true,
                Principals::Map(m) => m
                    .get(&PrincipalKind::Aws)
                    .is_some_and(|v| v.iter().any(|x| x.trim() == "*")),
            }
    });
    !stmt.is_allow()
        && everyone
        && ASSUME_ACTIONS.iter().all(|a| stmt.covers_action(a))
        && !stmt.conditions.is_empty()
        && stmt.conditions.iter().all(entry_matches_no_mfa)
}

/// The trust statements that let a caller assume the role without MFA: every
/// assume-allowing statement without an MFA condition, unless a Deny refuses all
/// callers without MFA.
pub fn trust_statements_without_mfa(trust: &PolicyDocument) -> Vec<&Statement> {
    if trust.statements.iter().any(denies_assume_without_mfa) {
        return Vec::new();
    }
    assume_allows(trust)
        .filter(|s| !statement_requires_mfa(s))
        .collect()
}

/// True when nobody can assume the role without MFA: every statement that allows an
/// assume action requires MFA, or a Deny refuses callers without it. A trust policy
/// that allows no assume action is vacuous: false.
pub fn trust_requires_mfa(trust: &PolicyDocument) -> bool {
    assume_allows(trust).next().is_some() && trust_statements_without_mfa(trust).is_empty()
}

/// Why an IAM user is human or workload, from its credential-report row (RULES.md:
/// human = console password; workload = active access key and no console password).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserClass {
    pub human: Vec<String>,
    pub workload: Vec<String>,
}

impl UserClass {
    pub fn is_workload(&self) -> bool {
        !self.workload.is_empty()
    }
    pub fn is_human(&self) -> bool {
        !self.human.is_empty()
    }
}

/// `None` when there is no credential data for the user: unknown, not "neither".
pub fn classify_user(row: Option<&crate::snapshot::CredentialRow>) -> Option<UserClass> {
    use crate::snapshot::CredentialRow;
    let row = row?;
    let mut c = UserClass::default();
    let password = CredentialRow::flag(&row.password_enabled);
    let key = CredentialRow::flag(&row.access_key_1_active)
        || CredentialRow::flag(&row.access_key_2_active);
    if password {
        c.human.push("has a console password".into());
    } else if key {
        c.workload
            .push("has an active access key and no console password".into());
    }
    Some(c)
}

// ---------------------------------------------------------------------------
// What an identity can do: write IAM, reach PHI (BD001, TR005)
// ---------------------------------------------------------------------------

/// IAM actions that change identities, policies or trust: whoever holds one can grant
/// themselves or others more access. Reads (`Get*`, `List*`, `Generate*`, `Simulate*`) and
/// self-service credential management scoped to `${aws:username}` are not IAM writes.
pub const IAM_WRITE_ACTIONS: &[&str] = &[
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:AddRoleToInstanceProfile",
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateGroup",
    "iam:CreateInstanceProfile",
    "iam:CreateLoginProfile",
    "iam:CreateOpenIDConnectProvider",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:CreateRole",
    "iam:CreateSAMLProvider",
    "iam:CreateUser",
    "iam:DeleteGroupPolicy",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DeleteUser",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteUserPolicy",
    "iam:DetachGroupPolicy",
    "iam:DetachRolePolicy",
    "iam:DetachUserPolicy",
    "iam:PassRole",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:PutUserPolicy",
    "iam:RemoveUserFromGroup",
    "iam:SetDefaultPolicyVersion",
    "iam:TagRole",
    "iam:TagUser",
    "iam:UntagRole",
    "iam:UntagUser",
    "iam:UpdateAccessKey",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:UpdateRole",
    "iam:UpdateSAMLProvider",
];

/// One statement that gives an identity a capability, for messages and evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// Managed policy ARN, or `owner-arn#inline-name`.
    pub policy: String,
    /// "policy x", "AWS managed policy AdministratorAccess", "inline policy y of role z".
    pub label: String,
    pub statement: Option<usize>,
    pub sid: Option<String>,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
}

impl Grant {
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("policy".into(), self.policy.clone().into());
        if let Some(i) = self.statement {
            m.insert("statement".into(), i.into());
        }
        if let Some(sid) = &self.sid {
            m.insert("sid".into(), sid.clone().into());
        }
        m.insert("actions".into(), self.actions.clone().into());
        if !self.resources.is_empty() {
            m.insert("resources".into(), self.resources.clone().into());
        }
        serde_json::Value::Object(m)
    }
}

/// The policies whose grants an identity holds: its own (attached and inline) and,
/// for a user, those of its groups (with the group's name).
pub fn held_policies(inv: &Inventory, who: PrincipalRef) -> Vec<(HeldPolicy<'_>, Option<&str>)> {
    let mut out: Vec<(HeldPolicy<'_>, Option<&str>)> = inv
        .own_policies(who)
        .into_iter()
        .map(|h| (h, None))
        .collect();
    if let PrincipalRef::User(u) = who {
        for &g in &inv.users[u].groups {
            let name = inv.groups[g].name.as_str();
            out.extend(
                inv.own_policies(PrincipalRef::Group(g))
                    .into_iter()
                    .map(|h| (h, Some(name))),
            );
        }
    }
    out
}

/// "policy x", or "policy x through group G" for a user's group policy.
pub fn held_label(held: &HeldPolicy<'_>, inv: &Inventory, group: Option<&str>) -> String {
    match (group, held.source) {
        // An inline group policy's label already names the group.
        (Some(g), crate::inventory::PolicySource::Managed(_)) => {
            format!("{} through group {g}", held.label(inv))
        }
        _ => held.label(inv),
    }
}

fn grant(
    (held, group): &(HeldPolicy<'_>, Option<&str>),
    inv: &Inventory,
    stmt: &Statement,
    actions: Vec<String>,
    resources: Vec<String>,
) -> Grant {
    Grant {
        policy: held.id(),
        label: held_label(held, inv, *group),
        statement: Some(stmt.index),
        sid: stmt.sid.clone(),
        actions,
        resources,
    }
}

/// Self-service: every Resource names the caller's own user (`…:user/${aws:username}`).
fn self_service_only(stmt: &Statement) -> bool {
    stmt.resource.as_ref().is_some_and(|r| {
        !r.negated
            && !r.patterns.is_empty()
            && r.patterns.iter().all(|p| p.contains("${aws:username}"))
    })
}

/// The Allow statements that grant an IAM write action, with the actions they grant.
pub fn iam_write_grants(inv: &Inventory, who: PrincipalRef) -> Vec<Grant> {
    let mut out = Vec::new();
    for held in held_policies(inv, who) {
        for stmt in held.0.document.statements.iter().filter(|s| s.is_allow()) {
            if self_service_only(stmt) {
                continue;
            }
            let actions: Vec<String> = IAM_WRITE_ACTIONS
                .iter()
                .filter(|a| stmt.covers_action(a))
                .map(|a| a.to_string())
                .collect();
            if actions.is_empty() {
                continue;
            }
            let resources = stmt
                .resource
                .as_ref()
                .map(|r| r.patterns.clone())
                .unwrap_or_default();
            out.push(grant(&held, inv, stmt, actions, resources));
        }
    }
    out
}

/// The Allow statements that grant a PHI data action on a possibly-PHI resource
/// ([`phi::statement_reaches_phi`]), with the actions and the resources that reach.
pub fn phi_reach_grants(inv: &Inventory, settings: &Settings, who: PrincipalRef) -> Vec<Grant> {
    let mut out = Vec::new();
    for held in held_policies(inv, who) {
        for stmt in held.0.document.statements.iter().filter(|s| s.is_allow()) {
            let mut actions = Vec::new();
            let mut resources = BTreeSet::new();
            for a in phi::phi_actions() {
                if !stmt.covers_action(&a.action) {
                    continue;
                }
                if let Some(r) = phi::statement_reaches_phi(
                    stmt,
                    &a.action,
                    &settings.phi_resources,
                    &inv.partition,
                    &inv.account_id,
                ) {
                    actions.push(a.action.clone());
                    resources.extend(r);
                }
            }
            if !actions.is_empty() {
                out.push(grant(
                    &held,
                    inv,
                    stmt,
                    actions,
                    resources.into_iter().collect(),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::DocKind;
    use serde_json::{Value, json};

    fn role(name: &str, path: &str, trust: Value) -> Role {
        Role {
            arn: format!("arn:aws:iam::123456789012:role{path}{name}"),
            name: name.into(),
            path: path.into(),
            trust: PolicyDocument::parse(&trust, DocKind::Trust).unwrap(),
            inline: vec![],
            attached: vec![],
            boundary: None,
            tags: Default::default(),
            instance_profiles: vec![],
            create_date: None,
            last_used: None,
            max_session_duration: None,
        }
    }

    fn trust(principal: Value) -> Value {
        json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":principal,"Action":"sts:AssumeRole"}]})
    }

    #[test]
    fn service_principal_is_workload() {
        let c = classify_role(
            &role(
                "api",
                "/",
                trust(json!({"Service":"ecs-tasks.amazonaws.com"})),
            ),
            "123456789012",
        );
        assert!(c.is_workload() && !c.is_human());
        assert_eq!(
            c.workload,
            vec!["trust admits service principal ecs-tasks.amazonaws.com"]
        );
    }

    #[test]
    fn saml_oidc_same_account_and_sso_are_human() {
        let acct = "123456789012";
        for p in [
            json!({"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"}),
            json!({"Federated":"cognito-identity.amazonaws.com"}),
            json!({"AWS":"arn:aws:iam::123456789012:root"}),
            json!({"AWS":"123456789012"}),
            json!({"AWS":["arn:aws:iam::123456789012:user/alice"]}),
        ] {
            let c = classify_role(&role("r", "/", trust(p.clone())), acct);
            assert!(c.is_human() && !c.is_workload(), "{p}");
        }
        let sso = classify_role(
            &role(
                "AWSReservedSSO_Admin_0123456789abcdef",
                "/aws-reserved/sso.amazonaws.com/",
                trust(
                    json!({"Federated":"arn:aws:iam::123456789012:saml-provider/AWSSSO_abc_DO_NOT_DELETE"}),
                ),
            ),
            acct,
        );
        assert!(sso.identity_center && sso.is_human());
    }

    #[test]
    fn other_accounts_and_star_are_neither() {
        for p in [
            json!({"AWS":"arn:aws:iam::999988887777:root"}),
            json!("*"),
            json!({"AWS":"*"}),
        ] {
            let c = classify_role(&role("r", "/", trust(p.clone())), "123456789012");
            assert!(!c.is_human() && !c.is_workload(), "{p}");
        }
    }

    #[test]
    fn workload_oidc_issuers_are_workloads() {
        for issuer in [
            "token.actions.githubusercontent.com",
            "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123",
        ] {
            let p =
                json!({"Federated": format!("arn:aws:iam::123456789012:oidc-provider/{issuer}")});
            let c = classify_role(&role("ci", "/", trust(p)), "123456789012");
            assert!(c.is_workload() && !c.is_human(), "{issuer}");
        }
    }

    #[test]
    fn both_human_and_workload_with_reasons() {
        let t = json!({"Statement":[
            {"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]});
        let c = classify_role(&role("dual", "/", t), "123456789012");
        assert!(c.is_human() && c.is_workload());
        assert!(c.human[0].contains("its own account"));
    }

    #[test]
    fn mfa_conditions() {
        let t = |cond: Value| {
            PolicyDocument::parse(
                &json!({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":cond}]}),
                DocKind::Trust,
            )
            .unwrap()
        };
        assert!(trust_requires_mfa(&t(
            json!({"Bool":{"aws:MultiFactorAuthPresent":"true"}})
        )));
        assert!(trust_requires_mfa(&t(
            json!({"Bool":{"aws:multifactorauthpresent":true}})
        )));
        assert!(trust_requires_mfa(&t(
            json!({"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}})
        )));
        assert!(!trust_requires_mfa(&t(
            json!({"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}})
        )));
        assert!(!trust_requires_mfa(&t(
            json!({"Bool":{"aws:MultiFactorAuthPresent":"false"}})
        )));
        assert!(!trust_requires_mfa(&t(
            json!({"StringEquals":{"aws:PrincipalTag/team":"x"}})
        )));
    }

    #[test]
    fn break_glass_by_tag_or_name() {
        let s = Settings::default();
        let mut tags = std::collections::BTreeMap::new();
        assert!(break_glass_reason("EmergencyAccess", &tags, &s).is_none());
        assert!(break_glass_reason("Break-Glass-Admin", &tags, &s).is_some());
        tags.insert("break-glass".into(), "TRUE".into());
        assert_eq!(
            break_glass_reason("EmergencyAccess", &tags, &s).unwrap(),
            "tagged break-glass=TRUE"
        );
        tags.insert("break-glass".into(), "false".into());
        assert!(break_glass_reason("EmergencyAccess", &tags, &s).is_none());
    }
}
