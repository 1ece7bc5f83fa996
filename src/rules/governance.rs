//! Governance (GV): ownership and attachment hygiene of identities. See `rules/GV*.md`.

use std::collections::BTreeMap;

use serde_json::json;

use super::classify::{is_identity_center, is_service_linked};
use super::{Context, Hit};

/// The value of a tag, matched case-insensitively by key; an empty value counts as absent.
fn tag<'t>(tags: &'t BTreeMap<String, String>, key: &str) -> Option<(&'t str, &'t str)> {
    tags.iter()
        .find(|(k, v)| k.eq_ignore_ascii_case(key) && !v.trim().is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
}

fn missing_text(missing: &[&str]) -> String {
    match missing {
        [one] => format!("the {one} tag"),
        _ => format!("the {} tags", missing.join(" and ")),
    }
}

// ---------------------------------------------------------------------------
// GV001 identity-without-owner
// ---------------------------------------------------------------------------

pub fn gv001_identity_without_owner(ctx: &Context<'_>) -> Vec<Hit> {
    let s = ctx.settings;
    let (owner, purpose) = (s.tag_owner.as_str(), s.tag_purpose.as_str());
    let mut hits = Vec::new();
    for role in &ctx.inv.roles {
        // Service-linked roles belong to the AWS service that created them.
        if is_service_linked(&role.path) {
            continue;
        }
        let identity_center = is_identity_center(&role.name, &role.path);
        let mut missing = Vec::new();
        if tag(&role.tags, owner).is_none() {
            missing.push(owner);
        }
        if !identity_center && tag(&role.tags, purpose).is_none() {
            missing.push(purpose);
        }
        if missing.is_empty() {
            continue;
        }
        let (what, exemption) = if identity_center {
            (
                "IAM Identity Center role",
                format!(" (exempt from the {purpose} tag: its permission set states the purpose)"),
            )
        } else {
            ("role", String::new())
        };
        hits.push(Hit {
            resource: role.arn.clone(),
            resource_type: "AWS::IAM::Role",
            message: format!(
                "{what} {} lacks {}{exemption}",
                role.name,
                missing_text(&missing)
            ),
            evidence: json!({
                "principal": role.arn,
                "missing_tags": missing,
                "tag_keys": role.tags.keys().collect::<Vec<_>>(),
                "exempt_from": if identity_center { vec![purpose] } else { vec![] },
                "exemption_reason": identity_center.then_some("IAM Identity Center permission-set role: the permission set names its purpose"),
            }),
            discriminator: String::new(),
            severity: None,
        });
    }
    for user in &ctx.inv.users {
        let missing: Vec<&str> = [owner, purpose]
            .into_iter()
            .filter(|k| tag(&user.tags, k).is_none())
            .collect();
        if missing.is_empty() {
            continue;
        }
        hits.push(Hit {
            resource: user.arn.clone(),
            resource_type: "AWS::IAM::User",
            message: format!("user {} lacks {}", user.name, missing_text(&missing)),
            evidence: json!({
                "principal": user.arn,
                "missing_tags": missing,
                "tag_keys": user.tags.keys().collect::<Vec<_>>(),
            }),
            discriminator: String::new(),
            severity: None,
        });
    }
    hits
}

// ---------------------------------------------------------------------------
// GV002 policy-attached-to-user
// ---------------------------------------------------------------------------

pub fn gv002_policy_attached_to_user(ctx: &Context<'_>) -> Vec<Hit> {
    let inv = ctx.inv;
    let mut hits = Vec::new();
    for user in &inv.users {
        if user.attached.is_empty() && user.inline.is_empty() {
            continue;
        }
        let managed: Vec<&str> = user.attached.iter().map(String::as_str).collect();
        let inline: Vec<&str> = user.inline.iter().map(|p| p.name.as_str()).collect();
        let managed_names: Vec<&str> = managed
            .iter()
            .map(|arn| inv.policy(arn).map_or(*arn, |p| p.name.as_str()))
            .collect();
        let mut parts = Vec::new();
        if !managed.is_empty() {
            parts.push(format!("managed {}", managed_names.join(", ")));
        }
        if !inline.is_empty() {
            parts.push(format!("inline {}", inline.join(", ")));
        }
        let n = managed.len() + inline.len();
        hits.push(Hit {
            resource: user.arn.clone(),
            resource_type: "AWS::IAM::User",
            message: format!(
                "user {} has {n} polic{} attached directly instead of through a group or role: {}",
                user.name,
                if n == 1 { "y" } else { "ies" },
                parts.join("; ")
            ),
            evidence: json!({
                "principal": user.arn,
                "managed_policies": managed,
                "inline_policies": inline,
                "groups": user.groups.iter().map(|&g| inv.groups[g].name.as_str()).collect::<Vec<_>>(),
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
    use crate::rules::testutil::{authz_with, managed, role, run, trust, user};
    use serde_json::{Value, json};

    fn saml() -> Value {
        trust(vec![
            json!({"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}),
        ])
    }

    #[test]
    fn gv001_keys_case_and_exemptions() {
        let mut tagged = role("tagged", saml());
        tagged["Tags"] = json!([{"Key":"Owner","Value":"a@b"},{"Key":"PURPOSE","Value":"x"}]);
        let mut empty = role("empty-owner", saml());
        empty["Tags"] = json!([{"Key":"owner","Value":" "},{"Key":"purpose","Value":"x"}]);
        let mut slr = role(
            "AWSServiceRoleForX",
            trust(vec![
                json!({"Effect":"Allow","Principal":{"Service":"x.amazonaws.com"},"Action":"sts:AssumeRole"}),
            ]),
        );
        slr["Path"] = json!("/aws-service-role/x.amazonaws.com/");
        let mut sso = role("AWSReservedSSO_Read_0123", saml());
        sso["Path"] = json!("/aws-reserved/sso.amazonaws.com/");
        let mut sso_owned = role("AWSReservedSSO_Admin_0123", saml());
        sso_owned["Path"] = json!("/aws-reserved/sso.amazonaws.com/");
        sso_owned["Tags"] = json!([{"Key":"owner","Value":"it"}]);
        let doc = authz_with(
            vec![user("u")],
            vec![],
            vec![tagged, empty, slr, sso, sso_owned],
            vec![],
        );
        let h = run(gv001_identity_without_owner, &doc, &Settings::default());
        let msgs: Vec<&str> = h.iter().map(|x| x.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                "role empty-owner lacks the owner tag",
                "IAM Identity Center role AWSReservedSSO_Read_0123 lacks the owner tag (exempt from the purpose tag: its permission set states the purpose)",
                "user u lacks the owner and purpose tags",
            ]
        );
        let s = Settings {
            tag_owner: "team".into(),
            ..Settings::default()
        };
        let doc = authz_with(vec![], vec![], vec![role("r", saml())], vec![]);
        assert!(
            run(gv001_identity_without_owner, &doc, &s)[0]
                .message
                .contains("the team and purpose tags")
        );
    }

    #[test]
    fn gv002_one_finding_per_user_listing_policies() {
        let mut u = user("bot");
        u["AttachedManagedPolicies"] =
            json!([{"PolicyName":"p","PolicyArn":"arn:aws:iam::123456789012:policy/p"}]);
        u["UserPolicyList"] = json!([{"PolicyName":"inline-a","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}}]);
        let mut grouped = user("alice");
        grouped["GroupList"] = json!(["devs"]);
        let doc = authz_with(
            vec![u, grouped],
            vec![],
            vec![],
            vec![managed(
                "p",
                json!({"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}),
                1,
            )],
        );
        let h = run(gv002_policy_attached_to_user, &doc, &Settings::default());
        assert_eq!(h.len(), 1);
        assert_eq!(
            h[0].message,
            "user bot has 2 policies attached directly instead of through a group or role: managed p; inline inline-a"
        );
        assert_eq!(
            h[0].evidence["managed_policies"],
            json!(["arn:aws:iam::123456789012:policy/p"])
        );
    }
}
