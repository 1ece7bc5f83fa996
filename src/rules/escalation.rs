//! PM007 privilege-escalation: a principal's combined effective permissions (own and
//! group policies, after its permissions boundary and the SCPs along the organization
//! path) allow every action of a known escalation method (`rules/privesc-methods.toml`).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Value, json};

use super::classify::is_service_linked;
use super::effective::{
    OrgScps, best_outcome, boundary_arn, fill_template, policy_set, resource_pattern,
};
use super::permissions::admin_grants;
use super::{Context, Hit, Severity};
use crate::inventory::{Inventory, PrincipalRef};
use crate::policy::PolicyDocument;
use crate::policy::eval::{Decision, Outcome, PolicySet, evaluate};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub id: String,
    pub name: String,
    pub category: String,
    pub actions: Vec<String>,
    /// Optional per-action resource pattern (`{partition}`/`{account}` unfilled).
    #[serde(default)]
    pub resources: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MethodFile {
    method: Vec<Method>,
}

const SOURCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/rules/privesc-methods.toml"
));

pub fn parse_methods(src: &str) -> Result<Vec<Method>, String> {
    toml::from_str::<MethodFile>(src)
        .map(|f| f.method)
        .map_err(|e| e.to_string())
}

pub fn methods() -> &'static [Method] {
    static M: OnceLock<Vec<Method>> = OnceLock::new();
    // Tested: the shipped list parses, ids are unique, actions are in the catalogue.
    M.get_or_init(|| {
        parse_methods(SOURCE).unwrap_or_else(|e| panic!("rules/privesc-methods.toml: {e}"))
    })
}

/// The action and resource a principal must not reach for "full admin" to hold.
const ADMIN_PROBE_ACTION: &str = "zq7x9service:Zq7x9probe";

/// Holds full admin (PM002/PM003's definition) and keeps it after boundary and SCPs:
/// PM007 leaves such principals to PM002/PM003, which already report the worst case.
fn holds_full_admin(ctx: &Context<'_>, who: PrincipalRef, set: &PolicySet<'_>) -> bool {
    let inv = ctx.inv;
    let mut grants = admin_grants(ctx, who);
    if let PrincipalRef::User(u) = who {
        for &g in &inv.users[u].groups {
            grants.extend(admin_grants(ctx, PrincipalRef::Group(g)));
        }
    }
    if grants.is_empty() {
        return false;
    }
    let probe = format!(
        "arn:{}:zq7x9service:us-east-1:{}:{}",
        inv.partition,
        inv.account_id,
        super::phi::PROBE
    );
    // AdministratorAccess attached without a document: admin_grants counts it, the
    // engine cannot see it; without boundary and SCPs nothing removes it.
    let only_missing_docs = grants.iter().all(|g| g.statement.is_none());
    if only_missing_docs {
        return set.boundary.is_none() && set.scps.is_empty();
    }
    evaluate(set, ADMIN_PROBE_ACTION, &probe)
        .decision
        .may_allow()
}

/// One action of a method as the principal holds it.
struct HeldAction<'a> {
    action: &'a str,
    resource: String,
    outcome: Outcome,
}

struct Found<'a> {
    method: &'a Method,
    actions: Vec<HeldAction<'a>>,
}

impl Found<'_> {
    fn conditional(&self) -> bool {
        self.actions
            .iter()
            .any(|a| a.outcome.decision != Decision::Allowed)
    }

    fn to_json(&self) -> Value {
        json!({
            "id": self.method.id,
            "name": self.method.name,
            "category": self.method.category,
            "conditional": self.conditional(),
            "actions": self.actions.iter().map(|a| {
                let mut v = json!({
                    "action": a.action,
                    "resource": a.resource,
                    "decision": a.outcome.decision,
                    "granted_by": a.outcome.grants.iter().map(|g| g.to_json()).collect::<Vec<_>>(),
                });
                if a.outcome.decision != Decision::Allowed {
                    v["reasons"] = json!(a.outcome.reasons);
                }
                v
            }).collect::<Vec<_>>(),
        })
    }

    /// `iam:PassRole (policy a), ec2:RunInstances (policy b)`.
    fn describe(&self) -> String {
        self.actions
            .iter()
            .map(|a| {
                let mut labels: Vec<&str> =
                    a.outcome.grants.iter().map(|g| g.label.as_str()).collect();
                labels.dedup();
                let cond = if a.outcome.decision == Decision::Allowed {
                    ""
                } else {
                    ", conditional"
                };
                format!("{} via {}{cond}", a.action, labels.join(" + "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Every method the principal's effective permissions satisfy; among methods whose
/// actions contain another satisfied method's, only the smaller is kept.
/// The resource pattern of each action of each method, filled for the account.
fn method_patterns(inv: &Inventory) -> Vec<Vec<String>> {
    let (partition, account) = (inv.partition.as_str(), inv.account_id.as_str());
    methods()
        .iter()
        .map(|m| {
            m.actions
                .iter()
                .map(|action| match m.resources.get(action) {
                    Some(t) => fill_template(t, partition, account),
                    None => resource_pattern(action, partition, account),
                })
                .collect()
        })
        .collect()
}

/// A cheap necessary condition, computed once per policy document: which method actions
/// some Allow statement of the document names (on any resource). A method none of whose
/// holders' documents name all its actions needs no evaluation.
struct Prefilter {
    actions: Vec<&'static str>,
    /// Per method, the indexes of its actions in `actions`.
    method_actions: Vec<Vec<usize>>,
    /// Per document (by address, stable while the inventory lives): its action mask.
    masks: HashMap<usize, Vec<bool>>,
}

impl Prefilter {
    fn new() -> Prefilter {
        let mut actions: Vec<&'static str> = Vec::new();
        let method_actions = methods()
            .iter()
            .map(|m| {
                m.actions
                    .iter()
                    .map(
                        |a| match actions.iter().position(|x| x.eq_ignore_ascii_case(a)) {
                            Some(i) => i,
                            None => {
                                actions.push(a.as_str());
                                actions.len() - 1
                            }
                        },
                    )
                    .collect()
            })
            .collect();
        Prefilter {
            actions,
            method_actions,
            masks: HashMap::new(),
        }
    }

    /// Which methods the principal's identity policies name every action of.
    fn candidates(&mut self, set: &PolicySet<'_>) -> Vec<bool> {
        let mut mask = vec![false; self.actions.len()];
        for p in &set.identity {
            let Some(doc) = p.document else {
                mask.iter_mut().for_each(|m| *m = true);
                break;
            };
            let actions = &self.actions;
            let m = self
                .masks
                .entry(doc as *const PolicyDocument as usize)
                .or_insert_with(|| {
                    actions
                        .iter()
                        .map(|a| {
                            doc.statements
                                .iter()
                                .any(|s| s.is_allow() && s.covers_action(a))
                        })
                        .collect()
                });
            for (x, y) in mask.iter_mut().zip(m.iter()) {
                *x |= *y;
            }
        }
        self.method_actions
            .iter()
            .map(|idx| idx.iter().all(|&i| mask[i]))
            .collect()
    }
}

fn escalations<'a>(
    inv: &Inventory,
    set: &PolicySet<'_>,
    patterns: &'a [Vec<String>],
    candidates: &[bool],
) -> Vec<Found<'a>> {
    let (partition, account) = (inv.partition.as_str(), inv.account_id.as_str());
    let mut cache: HashMap<(&'a str, &'a str, bool), (Outcome, String)> = HashMap::new();
    let mut found: Vec<Found<'a>> = Vec::new();
    'methods: for ((m, pats), _) in methods()
        .iter()
        .zip(patterns)
        .zip(candidates)
        .filter(|(_, c)| **c)
    {
        let mut held = Vec::new();
        for (action, pattern) in m.actions.iter().zip(pats) {
            // Only self-escalation works on the caller itself (`user/${aws:username}`).
            let on_self = m.category == "self-escalation";
            let key = (action.as_str(), pattern.as_str(), on_self);
            let (outcome, resource) = cache
                .entry(key)
                .or_insert_with(|| best_outcome(set, action, pattern, on_self, partition, account))
                .clone();
            if !outcome.decision.may_allow() {
                continue 'methods;
            }
            held.push(HeldAction {
                action,
                resource,
                outcome,
            });
        }
        found.push(Found {
            method: m,
            actions: held,
        });
    }
    let lower =
        |m: &Method| -> Vec<String> { m.actions.iter().map(|a| a.to_ascii_lowercase()).collect() };
    let sets: Vec<Vec<String>> = found.iter().map(|f| lower(f.method)).collect();
    let keep: Vec<bool> = (0..found.len())
        .map(|i| {
            !(0..found.len()).any(|j| {
                j != i
                    && sets[j].len() < sets[i].len()
                    && sets[j].iter().all(|a| sets[i].contains(a))
            })
        })
        .collect();
    found
        .into_iter()
        .zip(keep)
        .filter_map(|(f, k)| k.then_some(f))
        .collect()
}

pub fn pm007_privilege_escalation(ctx: &Context<'_>) -> Vec<Hit> {
    let inv = ctx.inv;
    let org = OrgScps::from_snapshot(ctx.snapshot);
    let levels = org.levels();
    let patterns = method_patterns(inv);
    let principals = (0..inv.roles.len())
        .filter(|&i| !is_service_linked(&inv.roles[i].path))
        .map(PrincipalRef::Role)
        .chain((0..inv.users.len()).map(PrincipalRef::User));
    let mut prefilter = Prefilter::new();
    let mut hits = Vec::new();
    for who in principals {
        let set = policy_set(inv, who, &levels);
        if set.identity.is_empty() {
            continue;
        }
        let candidates = prefilter.candidates(&set);
        if !candidates.contains(&true) || holds_full_admin(ctx, who, &set) {
            continue;
        }
        let found = escalations(inv, &set, &patterns, &candidates);
        if found.is_empty() {
            continue;
        }
        let all_conditional = found.iter().all(Found::conditional);
        let first = &found[0];
        let more = if found.len() > 1 {
            format!(
                " (+{} more method{})",
                found.len() - 1,
                if found.len() == 2 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        let message = format!(
            "{} can escalate privileges{}: {} [{}] — {}{more}",
            inv.describe(who),
            if all_conditional {
                " if the conditions on its grants hold"
            } else {
                ""
            },
            first.method.id,
            first.method.name,
            first.describe(),
        );
        let mut evidence = json!({
            "principal": inv.arn(who),
            "methods": found.iter().map(Found::to_json).collect::<Vec<_>>(),
            "scps": org.note,
        });
        if let Some(b) = boundary_arn(inv, who) {
            evidence["permissions_boundary"] = json!(b);
        }
        if let PrincipalRef::User(u) = who {
            let groups: Vec<&str> = inv.users[u]
                .groups
                .iter()
                .map(|&g| inv.groups[g].name.as_str())
                .collect();
            if !groups.is_empty() {
                evidence["groups"] = json!(groups);
            }
        }
        hits.push(Hit {
            resource: inv.arn(who).to_string(),
            resource_type: Inventory::resource_type(who),
            message,
            evidence,
            discriminator: inv.arn(who).to_string(),
            severity: all_conditional.then_some(Severity::High),
        });
    }
    hits
}

#[cfg(test)]
#[path = "escalation_tests.rs"]
mod tests;
