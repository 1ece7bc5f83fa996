//! Who is what: workload, human, service-linked, Identity Center, break-glass.
//!
//! The terms of RULES.md, decided in one place and reused by every rule family,
//! each decision with the reasons that made it, so findings can say *why* a role
//! counts as human or workload (a role can be both).

use crate::config::Settings;
use crate::inventory::Role;
use crate::policy::{
    ConditionEntry, PolicyDocument, PrincipalKind, Principals, Statement, wildcard_match,
};
use crate::snapshot::arn_account;

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

/// The Allow statements of a trust policy that admit principals (not NotPrincipal).
fn admitting(trust: &PolicyDocument) -> impl Iterator<Item = &Statement> {
    trust
        .statements
        .iter()
        .filter(|s| s.is_allow() && s.principal.as_ref().is_some_and(|p| !p.negated))
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
    for stmt in admitting(&role.trust) {
        let Some(Principals::Map(map)) = stmt.principal.as_ref().map(|p| &p.principals) else {
            continue;
        };
        for (kind, values) in map {
            for v in values {
                match kind {
                    PrincipalKind::Service => c
                        .workload
                        .push(format!("trust admits service principal {v}")),
                    PrincipalKind::Federated => {
                        if v.contains(":saml-provider/") {
                            c.human
                                .push(format!("trust admits SAML federation via {v}"));
                        } else {
                            let issuer =
                                v.split_once(":oidc-provider/").map(|(_, h)| h).unwrap_or(v);
                            if WORKLOAD_OIDC_ISSUERS
                                .iter()
                                .any(|p| wildcard_match(p, issuer, true))
                            {
                                c.workload.push(format!(
                                    "trust admits OIDC federation from workload issuer {issuer}"
                                ));
                            } else {
                                c.human.push(format!(
                                    "trust admits OIDC/web-identity federation via {v}"
                                ));
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
        }
    }
    c.workload.sort();
    c.workload.dedup();
    c.human.sort();
    c.human.dedup();
    c
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
    {
        if v.eq_ignore_ascii_case("true") {
            return Some(format!("tagged {k}={v}"));
        }
    }
    settings
        .break_glass_names
        .iter()
        .find(|p| wildcard_match(p, name, true))
        .map(|p| format!("name matches break-glass pattern {p:?}"))
}

/// A condition entry that really requires MFA: `Bool` (not `BoolIfExists`, which
/// passes requests signed with long-term keys that carry no MFA key at all)
/// `aws:MultiFactorAuthPresent = true`, or a maximum `aws:MultiFactorAuthAge`.
pub fn entry_requires_mfa(e: &ConditionEntry) -> bool {
    let op = e.op();
    if op.if_exists || op.set.is_some() {
        return false;
    }
    (op.base == "Bool"
        && e.key_is("aws:MultiFactorAuthPresent")
        && e.values.iter().all(|v| v.eq_ignore_ascii_case("true")))
        || (matches!(op.base, "NumericLessThan" | "NumericLessThanEquals")
            && e.key_is("aws:MultiFactorAuthAge"))
}

pub fn statement_requires_mfa(stmt: &Statement) -> bool {
    stmt.conditions.iter().any(entry_requires_mfa)
}

/// True when every Allow statement of a trust policy requires MFA (so nobody can
/// assume the role without it). A trust policy with no Allow statement is vacuous: false.
pub fn trust_requires_mfa(trust: &PolicyDocument) -> bool {
    let mut allows = trust.statements.iter().filter(|s| s.is_allow()).peekable();
    allows.peek().is_some() && allows.all(statement_requires_mfa)
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
