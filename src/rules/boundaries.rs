//! Boundaries (BD): permissions boundaries on human identities. See `rules/BD*.md`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::classify::{
    Grant, also_workload, break_glass_reason, classify_role, classify_user, iam_write_grants,
    phi_reach_grants,
};
use super::list_short;
use super::permissions::admin_grants;
use super::phi::{self, phi_actions, selector_probe, service_of, service_probe};
use super::{Context, Hit};
use crate::inventory::{Inventory, PrincipalRef};
use crate::policy::{ConditionEntry, PolicyDocument, Statement, wildcard_match};

/// A human identity and why it counts as human (RULES.md). Users need credential
/// data (a console password); without it they are not classified and not listed.
struct Human {
    who: PrincipalRef,
    human: Vec<String>,
    workload: Vec<String>,
    boundary: Option<String>,
    break_glass: Option<String>,
}

fn humans(ctx: &Context<'_>) -> Vec<Human> {
    let inv = ctx.inv;
    let mut out = Vec::new();
    for (i, role) in inv.roles.iter().enumerate() {
        let class = classify_role(role, &inv.account_id);
        if !class.is_human() || class.service_linked {
            continue;
        }
        out.push(Human {
            who: PrincipalRef::Role(i),
            human: class.human,
            workload: class.workload,
            boundary: role.boundary.clone(),
            break_glass: break_glass_reason(&role.name, &role.tags, ctx.settings),
        });
    }
    for (i, user) in inv.users.iter().enumerate() {
        let row = inv.user_credentials.get(i).and_then(Option::as_ref);
        let Some(class) = classify_user(row) else {
            continue;
        };
        if !class.is_human() {
            continue;
        }
        out.push(Human {
            who: PrincipalRef::User(i),
            human: class.human,
            workload: class.workload,
            boundary: user.boundary.clone(),
            break_glass: break_glass_reason(&user.name, &user.tags, ctx.settings),
        });
    }
    out
}

fn grants_json(grants: &[Grant]) -> Value {
    Value::Array(grants.iter().map(Grant::to_json).collect())
}

fn sorted_actions(grants: &[Grant]) -> Vec<String> {
    let mut a: Vec<String> = grants.iter().flat_map(|g| g.actions.clone()).collect();
    a.sort();
    a.dedup();
    a
}

fn labels(grants: &[Grant]) -> String {
    let mut l: Vec<&str> = grants.iter().map(|g| g.label.as_str()).collect();
    l.sort();
    l.dedup();
    list_short(&l, 2)
}

// ---------------------------------------------------------------------------
// BD001 human-role-without-boundary
// ---------------------------------------------------------------------------

pub fn bd001_human_role_without_boundary(ctx: &Context<'_>) -> Vec<Hit> {
    let inv = ctx.inv;
    let mut hits = Vec::new();
    for h in humans(ctx) {
        if h.boundary.is_some() || h.break_glass.is_some() {
            continue;
        }
        let iam = iam_write_grants(inv, h.who);
        let phi = phi_reach_grants(inv, ctx.settings, h.who);
        let mut admin = admin_grants(ctx, h.who);
        if let PrincipalRef::User(u) = h.who {
            for &g in &inv.users[u].groups {
                let group = &inv.groups[g].name;
                admin.extend(
                    admin_grants(ctx, PrincipalRef::Group(g))
                        .into_iter()
                        .map(|mut a| {
                            if !a.label.starts_with("inline policy") {
                                a.label = format!("{} through group {group}", a.label);
                            }
                            a
                        }),
                );
            }
        }
        // What the identity can really do once SCPs and explicit Denies are applied (it
        // has no boundary, or BD001 would not be asking): a grant every candidate
        // resource of which is denied does not make it dangerous.
        let (admin, phi) = super::effective::effective_grants(ctx, h.who, admin, phi);
        let (_, iam) = super::effective::effective_grants(ctx, h.who, Vec::new(), iam);
        if iam.is_empty() && phi.is_empty() && admin.is_empty() {
            continue;
        }
        // An admin statement grants every IAM write and every PHI action: the evidence
        // names it once, as admin, and lists only the other statements' grants.
        let is_admin = |g: &Grant| {
            admin
                .iter()
                .any(|a| a.policy == g.policy && a.statement == g.statement)
        };
        let iam: Vec<Grant> = iam.into_iter().filter(|g| !is_admin(g)).collect();
        let phi: Vec<Grant> = phi.into_iter().filter(|g| !is_admin(g)).collect();
        let mut can = Vec::new();
        if !admin.is_empty() {
            // Full admin writes IAM and reaches every PHI store; say it once.
            let mut l: Vec<&str> = admin.iter().map(|g| g.label.as_str()).collect();
            l.sort();
            l.dedup();
            can.push(format!("holds full admin via {}", l.join(", ")));
        } else if !iam.is_empty() {
            let a = sorted_actions(&iam);
            can.push(format!(
                "can write IAM ({} via {})",
                list_short(&a, 3),
                labels(&iam)
            ));
        }
        if admin.is_empty() && !phi.is_empty() {
            let a = sorted_actions(&phi);
            can.push(format!(
                "can reach PHI data ({} via {})",
                list_short(&a, 3),
                labels(&phi)
            ));
        }
        let also = also_workload("workload identity", &h.workload);
        hits.push(Hit {
            resource: inv.arn(h.who).to_string(),
            resource_type: Inventory::resource_type(h.who),
            message: format!(
                "human {} ({}) has no permissions boundary and {}{also}",
                inv.describe(h.who),
                h.human.join("; "),
                can.join(" and ")
            ),
            evidence: json!({
                "principal": inv.arn(h.who),
                "human_reasons": h.human,
                "workload_reasons": h.workload,
                "iam_write_grants": grants_json(&iam),
                "phi_grants": grants_json(&phi),
                "admin_grants": admin.iter().map(|g| json!({"policy": g.policy, "statement": g.statement, "why": g.why})).collect::<Vec<_>>(),
            }),
            discriminator: String::new(),
            severity: None,
        });
    }
    hits
}

// ---------------------------------------------------------------------------
// BD002 boundary-allows-phi
// ---------------------------------------------------------------------------

/// Does a condition entry restrict a Deny to resources carrying the PHI tag `key=value`?
/// `aws:ResourceTag/<key>` (or, for S3 objects, `s3:ExistingObjectTag/<key>`) compared
/// with a String operator that matches `value`. `IfExists` only widens a Deny, so it counts.
fn tag_entry_matches(e: &ConditionEntry, action: &str, key: &str, value: &str) -> bool {
    let on_key = e.key_is(&format!("aws:ResourceTag/{key}"))
        || (service_of(action).eq_ignore_ascii_case("s3")
            && e.key_is(&format!("s3:ExistingObjectTag/{key}")));
    if !on_key
        || e.op()
            .set
            .is_some_and(|s| s.eq_ignore_ascii_case("ForAllValues"))
    {
        return false;
    }
    match e.op().base {
        "StringEquals" => e.values.iter().any(|v| v == value),
        "StringEqualsIgnoreCase" => e.values.iter().any(|v| v.eq_ignore_ascii_case(value)),
        "StringLike" => e.values.iter().any(|v| wildcard_match(v, value, false)),
        _ => false,
    }
}

/// How a boundary keeps one PHI data action off one kind of PHI resource, if it does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Blocked {
    /// An unconditional Deny (or one conditioned only on the PHI tag) covers it.
    Denied,
    /// No Allow of the boundary covers it, so the boundary's implicit deny applies.
    NotAllowed,
}

struct Boundary<'a> {
    doc: &'a PolicyDocument,
    partition: &'a str,
    account: &'a str,
}

impl Boundary<'_> {
    fn allows(&self, action: &str, resource: &str) -> bool {
        self.doc
            .statements
            .iter()
            .any(|s| s.is_allow() && s.covers_action(action) && s.covers_resource(resource))
    }

    fn denies(&self, action: &str, resource: &str, only_if: impl Fn(&Statement) -> bool) -> bool {
        self.doc.statements.iter().any(|s| {
            !s.is_allow() && s.covers_action(action) && s.covers_resource(resource) && only_if(s)
        })
    }

    /// The action on resources named by an ARN selector (its probe ARN).
    fn on_arn(&self, action: &str, probe: &str) -> Option<Blocked> {
        if self.denies(action, probe, |s| s.conditions.is_empty()) {
            Some(Blocked::Denied)
        } else if !self.allows(action, probe) {
            Some(Blocked::NotAllowed)
        } else {
            None
        }
    }

    /// The action on any resource tagged `key=value` (which could be any resource of the service).
    fn on_tag(&self, action: &str, key: &str, value: &str) -> Option<Blocked> {
        let any = service_probe(action, self.partition, self.account);
        let tag_only = |s: &Statement| {
            s.conditions.is_empty()
                || s.conditions
                    .iter()
                    .all(|e| tag_entry_matches(e, action, key, value))
        };
        if self.denies(action, &any, tag_only) {
            Some(Blocked::Denied)
        } else if !self.doc.statements.iter().any(|s| {
            s.is_allow()
                && s.covers_action(action)
                && phi::statement_reaches_phi(s, action, &[], self.partition, self.account)
                    .is_some()
        }) {
            Some(Blocked::NotAllowed)
        } else {
            None
        }
    }
}

/// The PHI data actions a boundary lets through, by PHI resource description.
///
/// For each PHI data action: with ARN selectors, every selector naming resources of the
/// action's service must be covered (an explicit Deny on its resources, or no Allow for
/// them at all); a Deny on the PHI tag covers them all instead. An action whose service
/// no selector names has no known PHI resource. With tag selectors only, the tag Deny is
/// the only way; with no selectors, every resource of the service must be covered.
fn gaps(b: &Boundary<'_>, settings: &crate::config::Settings) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in phi_actions() {
        let action = a.action.as_str();
        let tag_blocked = !settings.phi_tags.is_empty()
            && settings
                .phi_tags
                .iter()
                .all(|(k, v)| b.on_tag(action, k, v).is_some());
        if tag_blocked {
            continue;
        }
        let open: Vec<String> = if !settings.phi_resources.is_empty() {
            settings
                .phi_resources
                .iter()
                .filter(|sel| {
                    selector_probe(sel, action, b.partition, b.account)
                        .is_some_and(|probe| b.on_arn(action, &probe).is_none())
                })
                .cloned()
                .collect()
        } else if !settings.phi_tags.is_empty() {
            settings
                .phi_tags
                .iter()
                .map(|(k, v)| format!("resources tagged {k}={v}"))
                .collect()
        } else {
            let probe = service_probe(action, b.partition, b.account);
            if b.on_arn(action, &probe).is_some() {
                Vec::new()
            } else {
                vec![format!("every {} resource", service_of(action))]
            }
        };
        for target in open {
            out.entry(target).or_default().push(a.action.clone());
        }
    }
    out
}

pub fn bd002_boundary_allows_phi(ctx: &Context<'_>) -> Vec<Hit> {
    let inv = ctx.inv;
    // Human identities by boundary ARN: one finding per boundary policy.
    let mut by_boundary: BTreeMap<String, Vec<Human>> = BTreeMap::new();
    for h in humans(ctx) {
        if let Some(b) = h.boundary.clone() {
            by_boundary.entry(b).or_default().push(h);
        }
    }
    let mut hits = Vec::new();
    for (arn, holders) in by_boundary {
        // A boundary whose document is not in the input is listed by the coverage note.
        let Some(doc) = inv.policy(&arn).and_then(|p| p.document.as_ref()) else {
            continue;
        };
        let b = Boundary {
            doc,
            partition: &inv.partition,
            account: &inv.account_id,
        };
        let gaps = gaps(&b, ctx.settings);
        if gaps.is_empty() {
            continue;
        }
        let name = inv.policy(&arn).map_or(arn.as_str(), |p| p.name.as_str());
        let mut actions: Vec<&str> = gaps.values().flatten().map(String::as_str).collect();
        actions.sort();
        actions.dedup();
        let targets: Vec<&str> = gaps.keys().map(String::as_str).collect();
        let who: Vec<String> = holders.iter().map(|h| inv.describe(h.who)).collect();
        hits.push(Hit {
            resource: arn.clone(),
            resource_type: "AWS::IAM::Policy",
            message: format!(
                "permissions boundary {name} (on human {}) does not deny {} PHI data action{} ({}) on {}",
                list_short(&who, 2),
                actions.len(),
                if actions.len() == 1 { "" } else { "s" },
                list_short(&actions, 3),
                list_short(&targets, 2)
            ),
            evidence: json!({
                "boundary": arn,
                "human_principals": holders.iter().map(|h| json!({
                    "principal": inv.arn(h.who),
                    "human_reasons": h.human,
                })).collect::<Vec<_>>(),
                "not_denied": gaps.iter().map(|(t, a)| json!({"phi_resources": t, "actions": a})).collect::<Vec<_>>(),
                "phi_selectors": ctx.settings.phi_resources,
                "phi_tags": ctx.settings.phi_tags,
            }),
            discriminator: String::new(),
            severity: None,
        });
    }
    hits
}

/// Tests see the probe ARN a selector turns into (documented in rules/BD002.md).
#[cfg(test)]
fn probe(selector: &str, action: &str) -> Option<String> {
    selector_probe(selector, action, "aws", "123456789012")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::rules::testutil::{authz_with, managed, role, run, trust};

    fn saml_role(name: &str) -> Value {
        role(
            name,
            trust(vec![
                json!({"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}),
            ]),
        )
    }

    fn settings() -> Settings {
        Settings {
            phi_resources: vec![
                "arn:aws:s3:::phi-*".into(),
                "arn:aws:dynamodb:*:*:table/patients*".into(),
            ],
            phi_tags: [("DataClassification".to_string(), "PHI".to_string())].into(),
            ..Settings::default()
        }
    }

    fn with_boundary(boundary: Value) -> Value {
        let mut r = saml_role("dev");
        r["PermissionsBoundary"] = json!({"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::123456789012:policy/b"});
        let mut p = managed("b", boundary, 0);
        p["PermissionsBoundaryUsageCount"] = json!(1);
        authz_with(vec![], vec![], vec![r], vec![p])
    }

    #[test]
    fn probes_follow_the_selector() {
        assert_eq!(
            probe("arn:aws:s3:::phi-*", "s3:GetObject").unwrap(),
            "arn:aws:s3:::phi-zq7x9probe/zq7x9probe"
        );
        assert_eq!(
            probe("arn:aws:dynamodb:*:*:table/patients*", "dynamodb:Query").unwrap(),
            "arn:aws:dynamodb:zq7x9probe:123456789012:table/patientszq7x9probe"
        );
        assert!(probe("arn:aws:s3:::phi-*", "dynamodb:Query").is_none());
        assert!(probe("*", "kms:Decrypt").is_some());
    }

    #[test]
    fn explicit_deny_on_selectors_passes() {
        let doc = with_boundary(json!({"Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":["s3:*Object*","s3:RestoreObject"],"Resource":["arn:aws:s3:::phi-*/*"]},
            {"Effect":"Deny","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:*:*:table/patients*"}
        ]}));
        assert!(run(bd002_boundary_allows_phi, &doc, &settings()).is_empty());
    }

    #[test]
    fn tag_deny_passes_and_other_conditions_do_not() {
        let tag = |cond: Value| {
            with_boundary(json!({"Statement":[
                {"Effect":"Allow","Action":"*","Resource":"*"},
                {"Effect":"Deny","Action":["s3:*","dynamodb:*"],"Resource":"*","Condition":cond}
            ]}))
        };
        assert!(
            run(
                bd002_boundary_allows_phi,
                &tag(json!({"StringEquals":{"aws:ResourceTag/DataClassification":"PHI"}})),
                &settings()
            )
            .is_empty()
        );
        assert!(
            run(
                bd002_boundary_allows_phi,
                &tag(
                    json!({"StringEqualsIgnoreCase":{"aws:resourcetag/DataClassification":"phi"}})
                ),
                &settings()
            )
            .is_empty()
        );
        let h = run(
            bd002_boundary_allows_phi,
            &tag(json!({"StringEquals":{"aws:ResourceTag/DataClassification":"Internal"}})),
            &settings(),
        );
        assert_eq!(h.len(), 1);
        let h = run(
            bd002_boundary_allows_phi,
            &tag(
                json!({"StringEquals":{"aws:ResourceTag/DataClassification":"PHI","aws:SourceVpce":"vpce-1"}}),
            ),
            &settings(),
        );
        assert_eq!(
            h.len(),
            1,
            "a Deny that also needs the VPC endpoint denies less"
        );
    }

    #[test]
    fn partial_deny_reports_the_gap() {
        let doc = with_boundary(json!({"Statement":[
            {"Effect":"Allow","Action":["s3:*","dynamodb:*"],"Resource":"*"},
            {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::phi-*/*"},
            {"Effect":"Deny","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/patients-prod"}
        ]}));
        let h = run(bd002_boundary_allows_phi, &doc, &settings());
        assert_eq!(h.len(), 1);
        let ev = &h[0].evidence["not_denied"];
        let targets: Vec<&str> = ev
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["phi_resources"].as_str().unwrap())
            .collect();
        assert_eq!(
            targets,
            vec!["arn:aws:dynamodb:*:*:table/patients*", "arn:aws:s3:::phi-*"]
        );
        let s3: Vec<&str> = ev[1]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(
            s3.contains(&"s3:PutObject") && !s3.contains(&"s3:GetObject"),
            "{s3:?}"
        );
    }

    #[test]
    fn not_allowing_is_denying() {
        let doc = with_boundary(json!({"Statement":[
            {"Effect":"Allow","Action":["logs:*","s3:GetObject"],"Resource":["*"]},
            {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::phi-*"}
        ]}));
        assert!(run(bd002_boundary_allows_phi, &doc, &settings()).is_empty());
    }

    #[test]
    fn no_selectors_means_every_resource() {
        let doc = with_boundary(json!({"Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::phi-*"}
        ]}));
        let h = run(bd002_boundary_allows_phi, &doc, &Settings::default());
        assert_eq!(h.len(), 1);
        assert!(
            h[0].message.contains("every s3 resource")
                || h[0].message.contains("every dynamodb resource"),
            "{}",
            h[0].message
        );
    }

    #[test]
    fn bd001_needs_capability_and_spares_break_glass() {
        let s = settings();
        let mut reader = saml_role("reader");
        reader["RolePolicyList"] = json!([{"PolicyName":"p","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::phi-records/*"}]}}]);
        let mut dev = saml_role("dev");
        dev["RolePolicyList"] = json!([{"PolicyName":"p","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::dev-*"}]}}]);
        let mut selfsvc = saml_role("selfsvc");
        selfsvc["RolePolicyList"] = json!([{"PolicyName":"p","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::*:user/${aws:username}"}]}}]);
        let mut iam = saml_role("iam-admin");
        iam["RolePolicyList"] = json!([{"PolicyName":"p","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"iam:Attach*","Resource":"*"}]}}]);
        let mut bg = saml_role("break-glass");
        bg["RolePolicyList"] = json!([{"PolicyName":"p","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}]);
        let doc = authz_with(vec![], vec![], vec![reader, dev, selfsvc, iam, bg], vec![]);
        let h = run(bd001_human_role_without_boundary, &doc, &s);
        let who: Vec<&str> = h
            .iter()
            .map(|x| x.resource.rsplit('/').next().unwrap())
            .collect();
        assert_eq!(who, vec!["reader", "iam-admin"]);
        assert!(
            h[0].message
                .contains("can reach PHI data (s3:GetObject via inline policy p of role reader)"),
            "{}",
            h[0].message
        );
        assert!(
            h[1].message
                .contains("can write IAM (iam:AttachGroupPolicy"),
            "{}",
            h[1].message
        );
    }
}

#[cfg(test)]
mod engine_tests {
    //! BD001 asks what a human identity can really do: SCPs and explicit Denies in its
    //! own policies are applied through the evaluation engine before it fires.
    use serde_json::{Value, json};

    use super::*;
    use crate::config::Settings;
    use crate::rules::testutil::{authz_with, run, trust};

    fn human_with_inline(doc: Value) -> Value {
        let mut r = crate::rules::testutil::role(
            "analyst",
            trust(vec![
                json!({"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}),
            ]),
        );
        r["RolePolicyList"] = json!([{"PolicyName": "access", "PolicyDocument": doc}]);
        authz_with(vec![], vec![], vec![r], vec![])
    }

    fn settings() -> Settings {
        Settings {
            phi_resources: vec!["arn:aws:s3:::phi-*".into()],
            ..Settings::default()
        }
    }

    #[test]
    fn phi_reach_fires_without_a_boundary() {
        let iam = human_with_inline(json!({"Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::phi-records/*"}]}));
        let hits = run(bd001_human_role_without_boundary, &iam, &settings());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(
            hits[0].message.contains("can reach PHI data"),
            "{}",
            hits[0].message
        );
    }

    #[test]
    fn reach_taken_away_by_an_explicit_deny_does_not_count() {
        // The same grant, but the identity's own policy denies it on every PHI bucket:
        // the engine says Denied everywhere the grant applies, so nothing is reachable.
        let iam = human_with_inline(json!({"Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::phi-records/*"},
            {"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::phi-*"}]}));
        let hits = run(bd001_human_role_without_boundary, &iam, &settings());
        assert!(hits.is_empty(), "{hits:?}");
    }

    #[test]
    fn a_conditional_deny_still_leaves_reach() {
        // A Deny the engine cannot decide (a tag condition) does not remove the grant:
        // conditional is never treated as denied.
        let iam = human_with_inline(json!({"Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::phi-records/*"},
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"ops"}}}]}));
        let hits = run(bd001_human_role_without_boundary, &iam, &settings());
        assert_eq!(hits.len(), 1, "{hits:?}");
    }
}
