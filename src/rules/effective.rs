//! The evaluation engine ([`crate::policy::eval`]) applied to the inventory: the policy
//! set of a principal (own, group, boundary, SCPs), the action catalogue
//! (`rules/actions.toml` + `rules/phi-actions.toml`), and "may this principal perform this
//! action on some resource of its type".

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Deserialize;

use super::Context;
use super::classify::{held_label, held_policies};
use super::phi::phi_actions;
use crate::inventory::{Inventory, PrincipalRef};
use crate::policy::eval::{
    Decision, NamedPolicy, Outcome, PolicySet, ScpLevel, concrete_arn, evaluate,
};
use crate::policy::{DocKind, PolicyDocument, action_match, arn_match};
use crate::snapshot::Snapshot;

// ---------------------------------------------------------------------------
// Action catalogue
// ---------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueAction {
    pub action: String,
    /// ARN pattern of the resources the action acts on, `{partition}`/`{account}` unfilled.
    pub resource: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    action: Vec<CatalogueAction>,
}

const CATALOGUE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/actions.toml"));

pub fn parse_catalogue(src: &str) -> Result<Vec<CatalogueAction>, String> {
    toml::from_str::<CatalogueFile>(src)
        .map(|f| f.action)
        .map_err(|e| e.to_string())
}

/// The escalation-relevant actions of `rules/actions.toml`.
pub fn catalogue() -> &'static [CatalogueAction] {
    static C: OnceLock<Vec<CatalogueAction>> = OnceLock::new();
    // Tested: the shipped catalogue parses and covers every method action.
    C.get_or_init(|| {
        parse_catalogue(CATALOGUE).unwrap_or_else(|e| panic!("rules/actions.toml: {e}"))
    })
}

/// Every concrete action the engine knows: the catalogue and the PHI data actions.
pub fn known_actions() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = catalogue().iter().map(|a| a.action.as_str()).collect();
    out.extend(phi_actions().iter().map(|a| a.action.as_str()));
    out.sort_by_key(|a| a.to_ascii_lowercase());
    out.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    out
}

/// Expand an action pattern (`iam:Put*`, `s3:GetObject`) into the known concrete actions
/// it matches. A concrete action the catalogue lacks is returned as is.
pub fn expand_actions(pattern: &str) -> Vec<String> {
    let hits: Vec<String> = known_actions()
        .into_iter()
        .filter(|a| action_match(pattern, a))
        .map(str::to_string)
        .collect();
    if hits.is_empty() && !pattern.contains(['*', '?']) {
        vec![pattern.to_string()]
    } else {
        hits
    }
}

/// The resource pattern an action acts on (catalogue), filled for the account.
pub fn resource_pattern(action: &str, partition: &str, account: &str) -> String {
    let template = catalogue()
        .iter()
        .find(|a| a.action.eq_ignore_ascii_case(action))
        .map(|a| a.resource.as_str())
        .unwrap_or("*");
    fill_template(template, partition, account)
}

pub fn fill_template(template: &str, partition: &str, account: &str) -> String {
    template
        .replace("{partition}", partition)
        .replace("{account}", account)
}

// ---------------------------------------------------------------------------
// SCPs along the organization path
// ---------------------------------------------------------------------------

struct OwnedPolicy {
    id: String,
    label: String,
    document: Option<PolicyDocument>,
}

struct OwnedLevel {
    name: String,
    policies: Vec<OwnedPolicy>,
}

/// The SCPs that apply to the scanned account, parsed once, and why (or why not).
pub struct OrgScps {
    levels: Vec<OwnedLevel>,
    /// True when SCPs are part of the evaluation.
    pub applied: bool,
    /// One line for evidence and reports: what the evaluation did with SCPs.
    pub note: String,
}

impl OrgScps {
    pub fn from_snapshot(snapshot: &Snapshot) -> OrgScps {
        let not_applied = |note: &str| OrgScps {
            levels: Vec::new(),
            applied: false,
            note: note.to_string(),
        };
        let Some(org) = &snapshot.organization else {
            return not_applied("SCPs not evaluated: the input has no organization data");
        };
        if org.is_management_account {
            return not_applied(
                "SCPs do not apply: the account is the organization's management account",
            );
        }
        if org.feature_set == "CONSOLIDATED_BILLING" {
            return not_applied(
                "SCPs do not apply: the organization has consolidated billing only",
            );
        }
        let Some(path) = &org.path else {
            return not_applied("SCPs not evaluated: the organization path could not be read");
        };
        let levels = path
            .iter()
            .map(|node| {
                let kind = match node.kind.as_str() {
                    "ROOT" => "root",
                    "ORGANIZATIONAL_UNIT" => "OU",
                    "ACCOUNT" => "account",
                    _ => "level",
                };
                let name = format!("{kind} {}", node.name.as_deref().unwrap_or(&node.id));
                let policies = node
                    .policy_ids
                    .iter()
                    .map(|id| match org.policies.iter().find(|p| &p.id == id) {
                        Some(p) => OwnedPolicy {
                            id: p.id.clone(),
                            label: format!("SCP {}", p.name),
                            document: PolicyDocument::parse(&p.content, DocKind::Identity).ok(),
                        },
                        None => OwnedPolicy {
                            id: id.clone(),
                            label: format!("SCP {id}"),
                            document: None,
                        },
                    })
                    .collect();
                OwnedLevel { name, policies }
            })
            .collect();
        OrgScps {
            levels,
            applied: true,
            note: "SCPs evaluated along the organization path".to_string(),
        }
    }

    pub fn levels(&self) -> Vec<ScpLevel<'_>> {
        self.levels
            .iter()
            .map(|l| ScpLevel {
                name: l.name.clone(),
                policies: l
                    .policies
                    .iter()
                    .map(|p| NamedPolicy {
                        id: p.id.clone(),
                        label: p.label.clone(),
                        document: p.document.as_ref(),
                    })
                    .collect(),
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------
// A principal's policy set
// ---------------------------------------------------------------------------

/// The permissions boundary ARN of a role or user.
pub fn boundary_arn(inv: &Inventory, who: PrincipalRef) -> Option<&str> {
    match who {
        PrincipalRef::Role(i) => inv.roles[i].boundary.as_deref(),
        PrincipalRef::User(i) => inv.users[i].boundary.as_deref(),
        PrincipalRef::Group(_) => None,
    }
}

/// Identity policies (own and, for a user, its groups'), the boundary, and the SCP levels.
/// Attached policies whose document the input lacks are left out (the coverage note of
/// `iam.authorization_details` says so); a boundary without a document is kept and makes
/// results conditional.
pub fn policy_set<'a>(
    inv: &'a Inventory,
    who: PrincipalRef,
    scps: &[ScpLevel<'a>],
) -> PolicySet<'a> {
    let identity = held_policies(inv, who)
        .iter()
        .map(|(held, group)| NamedPolicy {
            id: held.id(),
            label: held_label(held, inv, *group),
            document: Some(held.document),
        })
        .collect();
    let boundary = boundary_arn(inv, who).map(|arn| {
        let p = inv.policy(arn);
        NamedPolicy {
            id: arn.to_string(),
            label: format!("policy {}", p.map(|p| p.name.as_str()).unwrap_or(arn)),
            document: p.and_then(|p| p.document.as_ref()),
        }
    });
    PolicySet {
        identity,
        boundary,
        scps: scps.to_vec(),
    }
}

/// Fast path for the common case: no identity Allow names the action on any resource,
/// so no resource can be allowed (NotAllowed; Deny statements are not looked up).
fn no_identity_allow(set: &PolicySet<'_>, action: &str) -> Option<Outcome> {
    let any = set.identity.iter().any(|p| {
        p.document.is_none_or(|d| {
            d.statements
                .iter()
                .any(|s| s.is_allow() && s.covers_action(action))
        })
    });
    (!any).then(|| Outcome {
        decision: Decision::NotAllowed,
        grants: Vec::new(),
        denies: Vec::new(),
        reasons: vec!["no identity policy allows it".to_string()],
    })
}

/// May the principal perform `action` on at least one resource matching `pattern`?
/// Evaluates the pattern's own probe ARN and, filled the same way, each Resource pattern
/// of the identity and boundary Allows that grant the action and fall inside `pattern`
/// (so an Allow scoped to `role/app-*` is tried on `role/app-…`). `pattern` `*` means the
/// action takes no resource-level permission: evaluated on `*`. Returns the best outcome
/// (Allowed over Conditional over NotAllowed over Denied) with the resource it was for.
///
/// `on_self`: whether a Resource naming the caller through a policy variable
/// (`user/${aws:username}`) counts. It does for self-escalation (attaching a policy to
/// oneself); it does not when the method needs another principal (creating an access key
/// for oneself gains nothing).
pub fn best_outcome(
    set: &PolicySet<'_>,
    action: &str,
    pattern: &str,
    on_self: bool,
    partition: &str,
    account: &str,
) -> (Outcome, String) {
    if let Some(out) = no_identity_allow(set, action) {
        return (out, pattern.to_string());
    }
    if pattern == "*" {
        return (evaluate(set, action, "*"), "*".to_string());
    }
    let primary = concrete_arn(pattern, partition, account).unwrap_or_else(|| pattern.to_string());
    best_outcome_on(
        set,
        action,
        pattern,
        vec![primary],
        on_self,
        partition,
        account,
    )
}

/// [`best_outcome`] with the caller's own first candidates (concrete ARNs); further
/// candidates come from the Allow statements' Resource patterns that `filter` matches
/// (patterns with a policy variable such as `${aws:username}` only if `policy_variables`).
pub fn best_outcome_on(
    set: &PolicySet<'_>,
    action: &str,
    filter: &str,
    mut candidates: Vec<String>,
    policy_variables: bool,
    partition: &str,
    account: &str,
) -> (Outcome, String) {
    if let Some(out) = no_identity_allow(set, action) {
        return (out, candidates.swap_remove(0));
    }
    let mut seen: HashSet<String> = candidates.iter().cloned().collect();
    let docs = set
        .identity
        .iter()
        .chain(set.boundary.iter())
        .filter_map(|p| p.document);
    for doc in docs {
        for st in doc
            .statements
            .iter()
            .filter(|s| s.is_allow() && s.covers_action(action))
        {
            let Some(r) = &st.resource else { continue };
            if r.negated {
                continue;
            }
            for p in r
                .patterns
                .iter()
                .filter(|p| policy_variables || !p.contains("${"))
            {
                if let Some(c) = concrete_arn(p, partition, account)
                    && arn_match(filter, &c)
                    && seen.insert(c.clone())
                {
                    candidates.push(c);
                }
            }
        }
    }
    let mut best: Option<(Outcome, String)> = None;
    for c in candidates {
        let out = evaluate(set, action, &c);
        let better = best.as_ref().is_none_or(|(b, _)| out.decision > b.decision);
        if better {
            let done = out.decision == Decision::Allowed;
            best = Some((out, c));
            if done {
                break;
            }
        }
    }
    best.expect("at least one candidate")
}

/// May the principal perform `action` on some resource that `within` (an Allow statement
/// that grants it) covers? Candidates: the service's probe ARN and the filled Resource
/// patterns of the principal's identity and boundary Allows for the action, kept when
/// `within` covers them. Used to tell whether a grant is blocked for its holder.
pub fn reach_within(
    set: &PolicySet<'_>,
    action: &str,
    within: &crate::policy::Statement,
    partition: &str,
    account: &str,
) -> Outcome {
    let mut candidates = vec![super::phi::service_probe(action, partition, account)];
    if let Some(r) = &within.resource
        && !r.negated
    {
        candidates.extend(
            r.patterns
                .iter()
                .filter_map(|p| concrete_arn(p, partition, account)),
        );
    }
    let docs = set
        .identity
        .iter()
        .chain(set.boundary.iter())
        .filter_map(|p| p.document);
    for doc in docs {
        for st in doc
            .statements
            .iter()
            .filter(|s| s.is_allow() && s.covers_action(action))
        {
            if let Some(r) = &st.resource
                && !r.negated
            {
                candidates.extend(
                    r.patterns
                        .iter()
                        .filter_map(|p| concrete_arn(p, partition, account)),
                );
            }
        }
    }
    candidates.sort();
    candidates.dedup();
    let mut best: Option<Outcome> = None;
    for c in candidates.iter().filter(|c| within.covers_resource(c)) {
        let out = evaluate(set, action, c);
        if best.as_ref().is_none_or(|b| out.decision > b.decision) {
            best = Some(out);
        }
    }
    best.unwrap_or_else(|| Outcome {
        decision: Decision::NotAllowed,
        grants: Vec::new(),
        denies: Vec::new(),
        reasons: vec!["no resource the grant covers is left".to_string()],
    })
}

/// What a principal holds after SCPs, its boundary and explicit Denies: admin grants
/// that the engine says still amount to admin, and the grants (PHI reach, IAM writes)
/// whose actions it may still perform (or conditionally) on a resource the granting
/// statement covers. Shared by the rules that ask "can this principal really …?"
/// (TR005, BD001). A grant the engine cannot place is kept: never dropped silently.
pub(crate) fn effective_grants(
    ctx: &Context<'_>,
    who: PrincipalRef,
    admin: Vec<super::permissions::AdminGrant>,
    grants: Vec<super::classify::Grant>,
) -> (
    Vec<super::permissions::AdminGrant>,
    Vec<super::classify::Grant>,
) {
    let inv = ctx.inv;
    let admin = if !admin.is_empty() && super::permissions::admin_neutralised(ctx, who).is_some() {
        Vec::new()
    } else {
        admin
    };
    if grants.is_empty() {
        return (admin, grants);
    }
    let org = OrgScps::from_snapshot(ctx.snapshot);
    let levels = org.levels();
    let set = policy_set(inv, who, &levels);
    let held = super::classify::held_policies(inv, who);
    let grants = grants
        .into_iter()
        .filter(|g| {
            let stmt = held
                .iter()
                .filter(|(h, _)| h.id() == g.policy)
                .flat_map(|(h, _)| h.document.statements.iter())
                .find(|s| Some(s.index) == g.statement);
            // A grant the engine cannot place is kept: never drop silently.
            stmt.is_none_or(|stmt| {
                g.actions.iter().any(|a| {
                    reach_within(&set, a, stmt, &inv.partition, &inv.account_id)
                        .decision
                        .may_allow()
                })
            })
        })
        .collect();
    (admin, grants)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_parses_and_is_concrete() {
        let c = catalogue();
        assert!(!c.is_empty());
        for a in c {
            assert!(!a.action.contains(['*', '?']), "{}", a.action);
            assert!(
                a.resource == "*" || a.resource.starts_with("arn:{partition}:"),
                "{}",
                a.resource
            );
        }
        let mut names: Vec<String> = c.iter().map(|a| a.action.to_ascii_lowercase()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(n, names.len(), "duplicate catalogue entries");
    }

    #[test]
    fn expands_wildcards_over_the_catalogue() {
        let iam_put = expand_actions("iam:Put*");
        assert_eq!(
            iam_put,
            vec![
                "iam:PutGroupPolicy",
                "iam:PutRolePolicy",
                "iam:PutUserPolicy"
            ]
        );
        assert!(expand_actions("s3:GetObject*").contains(&"s3:GetObjectVersion".to_string()));
        assert_eq!(expand_actions("x:Unknown"), vec!["x:Unknown"]);
        assert!(expand_actions("*").len() > 100);
    }

    #[test]
    fn resource_patterns_come_from_the_catalogue() {
        assert_eq!(
            resource_pattern("iam:PassRole", "aws", "123456789012"),
            "arn:aws:iam::123456789012:role/*"
        );
        assert_eq!(
            resource_pattern("ecs:RegisterTaskDefinition", "aws", "1"),
            "*"
        );
        assert_eq!(resource_pattern("unknown:Thing", "aws", "1"), "*");
    }

    #[test]
    fn pm001_grant_blocked_by_every_holders_boundary_is_low_with_reason() {
        use crate::config::Settings;
        use crate::rules::permissions::pm001_wildcard_resource_on_phi_data;
        use crate::rules::testutil::{ACCOUNT, authz_with, managed, role, run, trust};
        use serde_json::json;

        let doc = |st: serde_json::Value| json!({"Version": "2012-10-17", "Statement": [st]});
        let wide = managed(
            "wide",
            doc(json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})),
            1,
        );
        let boundary = managed(
            "no-s3",
            doc(json!({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})),
            0,
        );
        let holder = |with_boundary: bool| {
            let mut r = role("app", trust(vec![]));
            r["AttachedManagedPolicies"] = json!([{"PolicyName": "wide", "PolicyArn": format!("arn:aws:iam::{ACCOUNT}:policy/wide")}]);
            if with_boundary {
                r["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": format!("arn:aws:iam::{ACCOUNT}:policy/no-s3")});
            }
            r
        };
        let hits = run(
            pm001_wildcard_resource_on_phi_data,
            &authz_with(
                vec![],
                vec![],
                vec![holder(true)],
                vec![wide.clone(), boundary.clone()],
            ),
            &Settings::default(),
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].severity, Some(crate::rules::Severity::Low));
        assert!(
            hits[0].message.contains("blocked for every holder"),
            "{}",
            hits[0].message
        );
        assert!(
            hits[0]
                .message
                .contains("permissions boundary policy no-s3 does not allow it"),
            "{}",
            hits[0].message
        );
        // Without the boundary: default severity, no note.
        let hits = run(
            pm001_wildcard_resource_on_phi_data,
            &authz_with(vec![], vec![], vec![holder(false)], vec![wide, boundary]),
            &Settings::default(),
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].severity, None);
        assert!(hits[0].evidence.get("blocked_for_every_holder").is_none());
    }

    #[test]
    fn pm002_admin_taken_away_by_boundary_is_medium_unless_iam_stays_open() {
        use crate::config::Settings;
        use crate::rules::permissions::pm002_admin_on_workload;
        use crate::rules::testutil::{ACCOUNT, authz_with, managed, role, run, trust};
        use serde_json::json;

        let doc = |st: serde_json::Value| json!({"Version": "2012-10-17", "Statement": [st]});
        let admin = managed(
            "admin",
            doc(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
            1,
        );
        let scenario = |boundary_actions: serde_json::Value| {
            let b = managed(
                "bound",
                doc(json!({"Effect": "Allow", "Action": boundary_actions, "Resource": "*"})),
                0,
            );
            let mut r = role(
                "worker",
                trust(vec![
                    json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                ]),
            );
            r["AttachedManagedPolicies"] = json!([{"PolicyName": "admin", "PolicyArn": format!("arn:aws:iam::{ACCOUNT}:policy/admin")}]);
            r["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": format!("arn:aws:iam::{ACCOUNT}:policy/bound")});
            run(
                pm002_admin_on_workload,
                &authz_with(vec![], vec![], vec![r], vec![admin.clone(), b]),
                &Settings::default(),
            )
        };
        let hits = scenario(json!(["s3:GetObject", "sqs:SendMessage"]));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].severity, Some(crate::rules::Severity::Medium));
        assert!(
            hits[0]
                .message
                .contains("permissions boundary policy bound does not allow it"),
            "{}",
            hits[0].message
        );
        // A boundary that leaves IAM writes open does not neutralise admin.
        let hits = scenario(json!(["s3:GetObject", "iam:*"]));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].severity, None, "{}", hits[0].message);
        // A boundary that allows everything changes nothing.
        let hits = scenario(json!("*"));
        assert_eq!(hits[0].severity, None);
    }
}
