//! `phi-audit access`: who can reach PHI. For each PHI resource selector (config
//! `[phi] resources`, or `--resource`), the principals whose effective permissions
//! (identity policies, permissions boundary, SCPs; see [`crate::policy::eval`]) allow a
//! PHI data action on it, grouped by access kind (read / write / decrypt), with the
//! granting policies and whether the result depends on a Condition.
//!
//! Resource-based policies (bucket, key policies) are not evaluated: within one account
//! they can only narrow these grants with a Deny, or add principals the identity side
//! does not show (for example a bucket policy naming a role). The report says so.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use serde::Serialize;
use serde_json::{Value, json};

use crate::inventory::{Inventory, PrincipalRef};
use crate::policy::action_match;
use crate::policy::eval::Decision;
use crate::rules::effective::{OrgScps, best_outcome_on, policy_set};
use crate::rules::phi::{self, Access, PROBE, phi_actions, selector_applies, selector_probe};
use crate::snapshot::Snapshot;

/// What `access` is asked.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// ARN globs; empty: the config's `[phi] resources`.
    pub resources: Vec<String>,
    /// Only PHI actions matching this pattern (`s3:GetObject`, `kms:*`).
    pub action: Option<String>,
}

/// One principal's access of one kind to one selector.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub resource: String,
    pub access: &'static str,
    pub principal: String,
    pub principal_type: &'static str,
    /// `allowed` or `conditional`.
    pub decision: Decision,
    /// The PHI actions allowed (or conditionally allowed).
    pub actions: Vec<String>,
    /// The concrete resources evaluated, with `*` for the probe name.
    pub on: Vec<String>,
    /// Granting policies (ARN, or `owner-arn#inline-name`), with labels.
    pub granted_by: Vec<String>,
    pub granted_by_labels: Vec<String>,
    /// The actions of `actions` that are only conditionally allowed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditional_actions: Vec<String>,
    /// Why those actions are conditional.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Matrix {
    pub account: String,
    pub resources: Vec<String>,
    pub scps: String,
    pub resource_policies: &'static str,
    pub rows: Vec<Row>,
}

fn access_str(a: Access) -> &'static str {
    match a {
        Access::Read => "read",
        Access::Write => "write",
        Access::Decrypt => "decrypt",
    }
}

fn readable(arn: &str) -> String {
    arn.replace(PROBE, "*")
}

/// The pattern whose resources a selector names for an action: an S3 bucket selector
/// extends to its objects (S3 PHI actions act on objects).
fn filter_for(selector: &str, action: &str) -> String {
    let parts: Vec<&str> = selector.splitn(6, ':').collect();
    if parts.len() == 6
        && phi::service_of(action).eq_ignore_ascii_case("s3")
        && !parts[5].contains('/')
    {
        format!("{selector}/*")
    } else {
        selector.to_string()
    }
}

pub fn build(
    snapshot: &Snapshot,
    inv: &Inventory,
    settings: &crate::config::Settings,
    q: &Query,
) -> Result<Matrix> {
    let selectors: Vec<String> = if q.resources.is_empty() {
        settings.phi_resources.clone()
    } else {
        q.resources.clone()
    };
    if selectors.is_empty() {
        bail!(
            "no PHI resource to report on: give --resource ARN_GLOB, or list ARN globs under [phi] resources in phi-audit.toml"
        );
    }
    let actions: Vec<&phi::PhiAction> = phi_actions()
        .iter()
        .filter(|a| {
            q.action
                .as_deref()
                .is_none_or(|p| action_match(p, &a.action))
        })
        .collect();
    if actions.is_empty() {
        bail!(
            "--action {:?} matches no PHI data action (rules/phi-actions.toml lists them)",
            q.action.as_deref().unwrap_or("")
        );
    }
    let (partition, account) = (inv.partition.as_str(), inv.account_id.as_str());
    let org = OrgScps::from_snapshot(snapshot);
    let levels = org.levels();
    let principals: Vec<PrincipalRef> = (0..inv.roles.len())
        .map(PrincipalRef::Role)
        .chain((0..inv.users.len()).map(PrincipalRef::User))
        .collect();
    // (selector, access, principal) -> row, in a deterministic order.
    let mut rows: BTreeMap<(usize, &'static str, String), Row> = BTreeMap::new();
    // (selector index, action, probe ARN, filter pattern): the same for every principal.
    let mut targets = Vec::new();
    for (si, selector) in selectors.iter().enumerate() {
        for a in &actions {
            if !selector_applies(selector, &a.action) {
                continue;
            }
            if let Some(probe) = selector_probe(selector, &a.action, partition, account) {
                targets.push((si, *a, probe, filter_for(selector, &a.action)));
            }
        }
    }
    for &who in &principals {
        let set = policy_set(inv, who, &levels);
        if set.identity.is_empty() {
            continue;
        }
        for (si, a, probe, filter) in &targets {
            let (si, selector) = (*si, &selectors[*si]);
            let (out, on) = best_outcome_on(
                &set,
                &a.action,
                filter,
                vec![probe.clone()],
                true,
                partition,
                account,
            );
            if !out.decision.may_allow() {
                continue;
            }
            let kind = access_str(a.access);
            let row = rows
                .entry((si, kind, inv.arn(who).to_string()))
                .or_insert_with(|| Row {
                    resource: selector.clone(),
                    access: kind,
                    principal: inv.arn(who).to_string(),
                    principal_type: Inventory::resource_type(who),
                    decision: Decision::Conditional,
                    actions: Vec::new(),
                    on: Vec::new(),
                    granted_by: Vec::new(),
                    granted_by_labels: Vec::new(),
                    conditional_actions: Vec::new(),
                    reasons: Vec::new(),
                });
            if out.decision == Decision::Allowed {
                row.decision = Decision::Allowed;
            }
            row.actions.push(a.action.clone());
            let on = readable(&on);
            if !row.on.contains(&on) {
                row.on.push(on);
            }
            for g in &out.grants {
                if !row.granted_by.contains(&g.policy) {
                    row.granted_by.push(g.policy.clone());
                    row.granted_by_labels.push(g.label.clone());
                }
            }
            if out.decision == Decision::Conditional {
                row.conditional_actions.push(a.action.clone());
                for r in &out.reasons {
                    let r = format!("{}: {r}", a.action);
                    if !row.reasons.contains(&r) {
                        row.reasons.push(r);
                    }
                }
            }
        }
    }
    let mut rows: Vec<Row> = rows.into_values().collect();
    // A row is `allowed` when one of its actions is allowed unconditionally;
    // `conditional_actions` and `reasons` still name the others.
    for r in &mut rows {
        r.on.sort();
    }
    rows.sort_by(|a, b| {
        (
            selectors.iter().position(|s| *s == a.resource),
            a.access,
            &a.principal,
        )
            .cmp(&(
                selectors.iter().position(|s| *s == b.resource),
                b.access,
                &b.principal,
            ))
    });
    Ok(Matrix {
        account: inv.account_id.clone(),
        resources: selectors,
        scps: org.note.clone(),
        resource_policies: "not evaluated: resource-based policies (bucket, key, secret policies) can add or deny access this matrix does not show",
        rows,
    })
}

impl Matrix {
    pub fn to_json(&self) -> Value {
        json!({
            "schema_version": 1,
            "account": self.account,
            "resources": self.resources,
            "scps": self.scps,
            "resource_policies": self.resource_policies,
            "rows": self.rows,
        })
    }

    pub fn render_table(&self, width: Option<u16>) -> String {
        let mut out = String::new();
        for selector in &self.resources {
            out.push_str(&format!("PHI resource {selector}\n"));
            let rows: Vec<&Row> = self
                .rows
                .iter()
                .filter(|r| &r.resource == selector)
                .collect();
            if rows.is_empty() {
                out.push_str("  no principal can reach it through its identity policies\n\n");
                continue;
            }
            let mut grid = comfy_table::Table::new();
            grid.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
            if let Some(w) = width {
                grid.set_width(w);
            }
            grid.set_header(["Access", "Principal", "Decision", "Actions", "Granted by"]);
            for r in rows {
                let short = r
                    .principal
                    .split_once(":iam::")
                    .and_then(|(_, rest)| rest.split_once(':'))
                    .map(|(_, name)| name.to_string())
                    .unwrap_or_else(|| r.principal.clone());
                let mut actions = r
                    .actions
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if r.actions.len() > 3 {
                    actions.push_str(&format!(" (+{} more)", r.actions.len() - 3));
                }
                grid.add_row(vec![
                    r.access.to_string(),
                    short,
                    match (r.decision, r.conditional_actions.len()) {
                        (Decision::Allowed, n) if n > 0 => format!("allowed (+{n} conditional)"),
                        (d, _) => d.as_str().to_string(),
                    },
                    actions,
                    r.granted_by_labels.join("; "),
                ]);
            }
            out.push_str(&format!("{grid}\n\n"));
        }
        out.push_str(&format!(
            "{}; resource-based policies not evaluated (a bucket or key policy may add or deny access)\n",
            self.scps
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::rules::testutil::{ACCOUNT, authz_with, managed, role, snapshot, trust};

    fn doc(statements: Vec<Value>) -> Value {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    fn matrix(q: &Query) -> Matrix {
        let mk = |name: &str, pol: &str| {
            let mut r = role(
                name,
                trust(vec![
                    json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                ]),
            );
            r["AttachedManagedPolicies"] = json!([{"PolicyName": pol, "PolicyArn": format!("arn:aws:iam::{ACCOUNT}:policy/{pol}")}]);
            r
        };
        let iam = authz_with(
            vec![],
            vec![],
            vec![
                mk("reader", "read-phi"),
                mk("other", "read-other"),
                mk("mfa", "mfa-read"),
            ],
            vec![
                managed(
                    "read-phi",
                    doc(vec![
                        json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::phi-records-prod/*"}),
                    ]),
                    1,
                ),
                managed(
                    "read-other",
                    doc(vec![
                        json!({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::public/*"}),
                    ]),
                    1,
                ),
                managed(
                    "mfa-read",
                    doc(vec![
                        json!({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
                    ]),
                    1,
                ),
            ],
        );
        let snap = snapshot(&iam);
        let inv = Inventory::build(&snap).unwrap();
        build(&snap, &inv, &Settings::default(), q).unwrap()
    }

    #[test]
    fn lists_readers_of_a_bucket_with_grant_and_condition() {
        let m = matrix(&Query {
            resources: vec!["arn:aws:s3:::phi-records-prod".into()],
            action: None,
        });
        let who: Vec<(&str, &str, Decision)> = m
            .rows
            .iter()
            .map(|r| {
                (
                    r.principal.rsplit('/').next().unwrap(),
                    r.access,
                    r.decision,
                )
            })
            .collect();
        assert_eq!(
            who,
            vec![
                ("mfa", "read", Decision::Conditional),
                ("reader", "read", Decision::Allowed)
            ]
        );
        let reader = &m.rows[1];
        assert_eq!(reader.actions, vec!["s3:GetObject"]);
        assert_eq!(
            reader.granted_by,
            vec![format!("arn:aws:iam::{ACCOUNT}:policy/read-phi")]
        );
        assert_eq!(m.rows[0].conditional_actions, m.rows[0].actions);
        assert!(reader.conditional_actions.is_empty());
        assert!(
            m.rows[0].reasons.iter().any(|r| r.contains("condition")),
            "{:?}",
            m.rows[0].reasons
        );
    }

    #[test]
    fn glob_selector_finds_scoped_grants_and_action_filter_narrows() {
        let m = matrix(&Query {
            resources: vec!["arn:aws:s3:::phi-*".into()],
            action: Some("s3:GetObject".into()),
        });
        assert_eq!(m.rows.len(), 2);
        let reader = m
            .rows
            .iter()
            .find(|r| r.principal.ends_with("/reader"))
            .unwrap();
        assert_eq!(reader.on, vec!["arn:aws:s3:::phi-records-prod/*"]);
        let m = matrix(&Query {
            resources: vec!["arn:aws:s3:::phi-*".into()],
            action: Some("s3:PutObject".into()),
        });
        assert!(m.rows.is_empty());
    }

    #[test]
    fn no_selector_is_an_error() {
        let snap = snapshot(&authz_with(vec![], vec![], vec![], vec![]));
        let inv = Inventory::build(&snap).unwrap();
        assert!(build(&snap, &inv, &Settings::default(), &Query::default()).is_err());
    }
}
