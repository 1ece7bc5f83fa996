//! `[[suppress]]` entries from `phi-audit.toml`: attach them to the findings they
//! cover, and report the entries that need attention as the engine's own rules.
//!
//! - A suppression covers a finding when its `rule` is the finding's rule and its
//!   `resource` (an exact ARN or an IAM-style glob, matched case-sensitively as IAM
//!   matches ARNs) matches the finding's resource. A covered finding stays in the
//!   report with the suppression attached and leaves the exit code alone.
//! - A suppression whose `expires` date is before the scan date stops suppressing:
//!   the findings it covered are reported again, and SP001 fires. The scan date is
//!   the snapshot's `collected_at` date (UTC), never the clock, so a scan of the
//!   same snapshot gives the same result on any day; `expires` is the last day the
//!   suppression still applies.
//! - A suppression that covers no finding raises SP002, but only when its rule was
//!   fully evaluated in this scan: if the rule was not selected, or its data source
//!   was missing or partial, "unused" cannot be told from "not looked at".
//!
//! SP findings are never suppressed themselves; fix the config entry instead.

use chrono::NaiveDate;
use serde_json::json;

use crate::config::{Settings, Suppression};
use crate::policy::arn_match;
use crate::rules::{Context, Evaluated, Finding, Hit, SuppressionInfo};

/// The resource type of SP findings: the config entry, not an AWS resource.
pub const RESOURCE_TYPE: &str = "PhiAudit::Config::Suppression";

/// The `check` of SP001/SP002 in the registry: their findings come from
/// [`apply`], which the engine runs after every other rule.
pub fn emitted_by_engine(_ctx: &Context<'_>) -> Vec<Hit> {
    Vec::new()
}

/// Does this suppression cover the finding?
pub fn covers(s: &Suppression, f: &Finding) -> bool {
    !f.rule.starts_with("SP")
        && f.rule.eq_ignore_ascii_case(&s.rule)
        && arn_match(&s.resource, &f.resource)
}

/// Attach every live suppression to the findings it covers (the first matching
/// entry in config order wins) and return the SP001/SP002 hits, by code.
pub fn apply(
    findings: &mut [Finding],
    settings: &Settings,
    scan_date: NaiveDate,
    evaluated: &[(&'static str, Evaluated)],
) -> Vec<(&'static str, Hit)> {
    let mut hits = Vec::new();
    for s in &settings.suppressions {
        let expired = s.expires.is_some_and(|e| e < scan_date);
        let mut matched = Vec::new();
        for f in findings.iter_mut().filter(|f| covers(s, f)) {
            matched.push(f.resource.clone());
            if !expired && f.suppressed.is_none() {
                f.suppressed = Some(SuppressionInfo {
                    reason: s.reason.clone(),
                    owner: s.owner.clone(),
                    expires: s.expires.map(|d| d.to_string()),
                    resource: s.resource.clone(),
                });
            }
        }
        matched.sort();
        matched.dedup();
        let rule = s.rule.to_ascii_uppercase();
        let evidence = json!({
            "line": s.line,
            "rule": rule,
            "resource": s.resource,
            "reason": s.reason,
            "owner": s.owner,
            "expires": s.expires.map(|d| d.to_string()),
            "scan_date": scan_date.to_string(),
            "matched": matched,
        });
        if let Some(expires) = s.expires.filter(|_| expired) {
            let tail = match matched.len() {
                0 => "it matches no finding any more".to_string(),
                1 => "the finding it covered is reported again".to_string(),
                n => format!("the {n} findings it covered are reported again"),
            };
            hits.push((
                "SP001",
                Hit {
                    resource: s.resource.clone(),
                    resource_type: RESOURCE_TYPE,
                    message: format!(
                        "suppression of {rule} on {} (config line {}) expired on {expires}, before the scan date {scan_date}; {tail}",
                        s.resource, s.line
                    ),
                    evidence,
                    discriminator: format!("{rule}|{expires}"),
                    severity: None,
                },
            ));
        } else if matched.is_empty() && fully_evaluated(evaluated, &rule) {
            hits.push((
                "SP002",
                Hit {
                    resource: s.resource.clone(),
                    resource_type: RESOURCE_TYPE,
                    message: format!(
                        "suppression of {rule} on {} (config line {}) matches no finding",
                        s.resource, s.line
                    ),
                    evidence,
                    discriminator: rule.clone(),
                    severity: None,
                },
            ));
        }
    }
    hits
}

fn fully_evaluated(evaluated: &[(&'static str, Evaluated)], rule: &str) -> bool {
    evaluated
        .iter()
        .any(|(code, e)| code.eq_ignore_ascii_case(rule) && *e == Evaluated::Full)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Severity;

    fn finding(rule: &'static str, resource: &str) -> Finding {
        Finding {
            rule,
            name: "x",
            severity: Severity::High,
            resource: resource.into(),
            resource_type: "AWS::IAM::Policy",
            message: String::new(),
            evidence: json!({}),
            controls: vec![],
            remediation: "",
            fingerprint: String::new(),
            suppressed: None,
            baselined: false,
        }
    }

    fn supp(rule: &str, resource: &str, expires: Option<&str>, line: usize) -> Suppression {
        Suppression {
            rule: rule.into(),
            resource: resource.into(),
            reason: "because".into(),
            owner: Some("team@example.org".into()),
            expires: expires.map(|e| e.parse().unwrap()),
            line,
        }
    }

    fn settings(s: Vec<Suppression>) -> Settings {
        Settings {
            suppressions: s,
            ..Settings::default()
        }
    }

    const DATE: &str = "2026-11-20";
    const ALL: &[(&str, Evaluated)] = &[("PM001", Evaluated::Full), ("PM002", Evaluated::Partial)];

    #[test]
    fn exact_and_glob_match_rule_and_resource() {
        let mut fs = vec![
            finding("PM001", "arn:aws:iam::123456789012:policy/legacy-etl"),
            finding("PM001", "arn:aws:iam::123456789012:policy/etl-2"),
            finding("PM004", "arn:aws:iam::123456789012:policy/legacy-etl"),
            finding("PM001", "arn:aws:iam::123456789012:role/etl"),
        ];
        let st = settings(vec![
            supp(
                "pm001",
                "arn:aws:iam::123456789012:policy/legacy-etl",
                None,
                3,
            ),
            supp(
                "PM001",
                "arn:aws:iam::123456789012:policy/*etl*",
                Some("2026-11-20"),
                9,
            ),
        ]);
        let hits = apply(&mut fs, &st, DATE.parse().unwrap(), ALL);
        assert!(hits.is_empty(), "{hits:?}");
        // First entry wins for the exact match; the glob covers the other policy.
        assert_eq!(
            fs[0].suppressed.as_ref().unwrap().resource,
            st.suppressions[0].resource
        );
        assert_eq!(
            fs[1].suppressed.as_ref().unwrap().expires.as_deref(),
            Some("2026-11-20"),
            "a suppression still applies on its expiry date"
        );
        assert!(fs[2].suppressed.is_none(), "other rule");
        assert!(
            fs[3].suppressed.is_none(),
            "globs are case-sensitive and anchored: role/etl is not policy/*etl*"
        );
    }

    #[test]
    fn expired_suppression_stops_suppressing_and_raises_sp001() {
        let mut fs = vec![finding("PM001", "arn:aws:iam::123456789012:policy/a")];
        let st = settings(vec![supp(
            "PM001",
            "arn:aws:iam::123456789012:policy/a",
            Some("2026-11-19"),
            4,
        )]);
        let hits = apply(&mut fs, &st, DATE.parse().unwrap(), ALL);
        assert!(fs[0].suppressed.is_none());
        assert_eq!(hits.len(), 1);
        let (code, hit) = &hits[0];
        assert_eq!(*code, "SP001");
        assert_eq!(hit.resource, "arn:aws:iam::123456789012:policy/a");
        assert!(hit.message.contains("expired on 2026-11-19, before the scan date 2026-11-20; the finding it covered is reported again"), "{}", hit.message);
        assert_eq!(
            hit.evidence["matched"],
            json!(["arn:aws:iam::123456789012:policy/a"])
        );
    }

    #[test]
    fn unused_only_when_its_rule_was_fully_evaluated() {
        let mut fs = vec![];
        let st = settings(vec![
            supp("PM001", "arn:aws:iam::123456789012:policy/gone", None, 1),
            supp("PM002", "arn:aws:iam::123456789012:role/x", None, 2),
            supp("PM004", "arn:aws:iam::123456789012:policy/y", None, 3),
        ]);
        let hits = apply(&mut fs, &st, DATE.parse().unwrap(), ALL);
        let got: Vec<(&str, &str)> = hits
            .iter()
            .map(|(c, h)| (*c, h.resource.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![("SP002", "arn:aws:iam::123456789012:policy/gone")]
        );
    }

    #[test]
    fn expired_and_unused_is_one_sp001() {
        let mut fs = vec![];
        let st = settings(vec![supp(
            "PM001",
            "arn:aws:iam::123456789012:policy/gone",
            Some("2025-01-01"),
            1,
        )]);
        let hits = apply(&mut fs, &st, DATE.parse().unwrap(), ALL);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0, "SP001");
        assert!(
            hits[0]
                .1
                .message
                .ends_with("it matches no finding any more")
        );
    }

    #[test]
    fn sp_findings_are_never_suppressed() {
        let f = finding("SP002", "arn:aws:iam::123456789012:policy/a");
        assert!(!covers(&supp("SP002", "*", None, 1), &f));
    }
}
