//! The rule engine: a registry of rules (code + doc + check function) and the
//! pure evaluation of a snapshot into findings.
//!
//! A check function gets a [`Context`] (snapshot, parsed inventory, settings)
//! and returns [`Hit`]s: what it found, where, and why. Everything that is the
//! same for every finding of a rule (name, controls, remediation, severity
//! override, fingerprint) is added here from the registry, never by the check.

pub mod boundaries;
pub mod classify;
pub mod credentials;
pub mod effective;
pub mod escalation;
pub mod governance;
pub mod monitoring;
pub mod organization;
pub mod permissions;
pub mod phi;
pub mod registry;
#[cfg(test)]
pub(crate) mod testutil;
pub mod trust;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Settings;
use crate::inventory::Inventory;
use crate::snapshot::{CoverageStatus, Snapshot, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const DESCENDING: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity {other:?} (critical, high, medium, low, info)"
            )),
        }
    }
}

/// How messages name a statement: `statement[0] "Sid"` or `statement[0]` (0-based,
/// like the JSON evidence). Shared by every rule family.
pub(crate) fn stmt_ref(stmt: &crate::policy::Statement) -> String {
    match &stmt.sid {
        Some(sid) if !sid.is_empty() => format!("statement[{}] {sid:?}", stmt.index),
        _ => format!("statement[{}]", stmt.index),
    }
}

/// A list for a one-line message: the first `max` items, then "(+N more)".
pub(crate) fn list_short<S: AsRef<str>>(items: &[S], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" (+{} more)", items.len() - max));
    }
    s
}

/// What a check reports. The engine turns it into a [`Finding`].
#[derive(Clone, Debug)]
pub struct Hit {
    pub resource: String,
    pub resource_type: &'static str,
    pub message: String,
    pub evidence: Value,
    /// Distinguishes several findings of one rule on one resource (e.g. the canonical
    /// statement). Part of the fingerprint; must not contain anything run-dependent.
    pub discriminator: String,
    /// Set when the rule escalates or lowers its own default (e.g. CR001 high when PHI is reachable).
    pub severity: Option<Severity>,
}

/// Attached by the CI layer when a suppression matches.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SuppressionInfo {
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<String>,
    pub resource: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub resource: String,
    pub resource_type: &'static str,
    pub message: String,
    pub evidence: Value,
    pub controls: Vec<&'static str>,
    pub remediation: &'static str,
    pub fingerprint: String,
    pub suppressed: Option<SuppressionInfo>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub baselined: bool,
}

/// What every check function sees.
pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    pub inv: &'a Inventory,
    pub settings: &'a Settings,
}

pub type CheckFn = fn(&Context<'_>) -> Vec<Hit>;

/// How a rule depends on a data source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Without it the rule cannot run at all.
    Required(Source),
    /// Without it the rule runs on part of the account (the coverage entry says which).
    Partial(Source),
}

impl Need {
    pub fn source(self) -> Source {
        match self {
            Need::Required(s) | Need::Partial(s) => s,
        }
    }
}

/// Whether a rule was evaluated on this source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evaluated {
    Full,
    Partial,
    No,
}

/// Rule selection from `--select` / `--ignore`: codes or prefixes, most specific wins.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// Check selectors against the registry: each must be a code or a prefix of one.
    pub fn validate(&self) -> Result<(), String> {
        let mut bad = Vec::new();
        for sel in self.select.iter().chain(&self.ignore) {
            let up = sel.to_ascii_uppercase();
            if !registry::codes().any(|c| c.starts_with(&up)) {
                let hint = crate::config::nearest(&up, registry::codes())
                    .map(|c| format!(" (did you mean {c}?)"))
                    .unwrap_or_default();
                bad.push(format!("{sel:?}{hint}"));
            }
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "unknown rule code or prefix {}; `phi-audit rules` lists them",
                bad.join(", ")
            ))
        }
    }

    pub fn is_selected(&self, code: &str) -> bool {
        let best = |list: &[String]| {
            list.iter()
                .map(|s| s.to_ascii_uppercase())
                .filter(|s| code.starts_with(s.as_str()))
                .map(|s| s.len())
                .max()
        };
        match (best(&self.select), best(&self.ignore)) {
            (None, None) => self.select.is_empty(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(s), Some(i)) => s > i,
        }
    }
}

/// The coverage of one source for the selected rules, as the report shows it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Coverage {
    pub source: String,
    pub status: CoverageStatus,
    pub detail: String,
    pub rules: Vec<&'static str>,
}

pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub coverage: Vec<Coverage>,
    /// Per selected rule: was it evaluated fully, partly or not at all.
    pub evaluated: Vec<(&'static str, Evaluated)>,
}

/// Run every selected rule over a snapshot. Pure: same input, same output.
pub fn evaluate(
    snapshot: &Snapshot,
    inv: &Inventory,
    settings: &Settings,
    selection: &Selection,
) -> Evaluation {
    let ctx = Context {
        snapshot,
        inv,
        settings,
    };
    let mut findings = Vec::new();
    let mut evaluated = Vec::new();
    for rule in registry::RULES
        .iter()
        .filter(|r| selection.is_selected(r.code))
    {
        let missing_required = rule
            .needs
            .iter()
            .any(|n| matches!(n, Need::Required(s) if !snapshot.source_ok(*s)));
        if missing_required {
            evaluated.push((rule.code, Evaluated::No));
            continue;
        }
        let partial = rule
            .needs
            .iter()
            .any(|n| matches!(n, Need::Partial(s) if !snapshot.source_ok(*s)));
        evaluated.push((
            rule.code,
            if partial {
                Evaluated::Partial
            } else {
                Evaluated::Full
            },
        ));
        for hit in (rule.check)(&ctx) {
            findings.push(finding(rule, hit, settings));
        }
    }
    // `[[suppress]]`: attach suppressions to the findings they cover; expired and
    // unused suppressions come back as the engine's own SP001/SP002 findings.
    let date = snapshot.collected_at.date_naive();
    for (code, hit) in crate::suppress::apply(&mut findings, settings, date, &evaluated) {
        if let Some(rule) = registry::find(code).filter(|r| selection.is_selected(r.code)) {
            findings.push(finding(rule, hit, settings));
        }
    }
    sort_findings(&mut findings);
    let coverage = coverage(snapshot, inv, selection);
    Evaluation {
        findings,
        coverage,
        evaluated,
    }
}

/// A check's hit as a finding: what is the same for every finding of the rule
/// comes from the registry, the severity from config, rule or doc (in that order).
fn finding(rule: &registry::Rule, hit: Hit, settings: &Settings) -> Finding {
    let doc = rule.doc();
    let severity = settings
        .severity_overrides
        .get(rule.code)
        .copied()
        .or(hit.severity)
        .unwrap_or(doc.severity);
    Finding {
        rule: rule.code,
        name: doc.name,
        severity,
        fingerprint: crate::fingerprint::fingerprint(rule.code, &hit.resource, &hit.discriminator),
        resource: hit.resource,
        resource_type: hit.resource_type,
        message: hit.message,
        evidence: hit.evidence,
        controls: doc.controls.clone(),
        remediation: doc.remediation,
        suppressed: None,
        baselined: false,
    }
}

/// Severity descending, then rule, resource, message, fingerprint: a total order.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.resource.cmp(&b.resource))
            .then_with(|| a.message.cmp(&b.message))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
}

fn coverage(snapshot: &Snapshot, inv: &Inventory, selection: &Selection) -> Vec<Coverage> {
    let mut out = Vec::new();
    for &source in Source::ALL {
        let rules: Vec<&'static str> = registry::RULES
            .iter()
            .filter(|r| {
                selection.is_selected(r.code) && r.needs.iter().any(|n| n.source() == source)
            })
            .map(|r| r.code)
            .collect();
        if rules.is_empty() {
            continue;
        }
        let (status, mut detail) = match snapshot.coverage_of(source) {
            Some(c) => (c.status, c.detail.clone()),
            None => (
                CoverageStatus::Absent,
                "not present in this source".to_string(),
            ),
        };
        if status != CoverageStatus::Ok {
            let (partial, none): (Vec<_>, Vec<_>) = registry::RULES
                .iter()
                .filter(|r| rules.contains(&r.code))
                .partition(|r| r.needs.contains(&Need::Partial(source)));
            let mut parts = Vec::new();
            if !none.is_empty() {
                parts.push(format!(
                    "not evaluated: {}",
                    none.iter().map(|r| r.code).collect::<Vec<_>>().join(", ")
                ));
            }
            if !partial.is_empty() {
                // Without the credential report the PM rules skip IAM users; without
                // authorization details CR001 cannot tell whether a key reaches PHI.
                let scope = match source {
                    Source::CredentialReport => "evaluated for roles and groups only",
                    Source::AuthorizationDetails => "evaluated without PHI reach",
                    Source::ServiceControlPolicies => "evaluated without SCPs",
                    Source::RoleDetails => {
                        "evaluated only for roles whose MaxSessionDuration the input carries"
                    }
                    _ => "evaluated in part",
                };
                parts.push(format!(
                    "{scope}: {}",
                    partial
                        .iter()
                        .map(|r| r.code)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            detail = format!("{detail} ({})", parts.join("; "));
        } else if source == Source::AuthorizationDetails && !inv.missing_policies.is_empty() {
            let list: BTreeSet<&str> = inv.missing_policies.iter().map(String::as_str).collect();
            let shown: Vec<&str> = list.iter().take(3).copied().collect();
            detail = format!(
                "{detail}; {} attached polic{} without a document in the input (e.g. {}): rules saw only the documents present",
                list.len(),
                if list.len() == 1 { "y" } else { "ies" },
                shown.join(", ")
            );
        }
        out.push(Coverage {
            source: source.id().to_string(),
            status,
            detail,
            rules,
        });
    }
    out
}
