//! Baselines: record today's findings as accepted, so CI fails only on new ones.
//!
//! `phi-audit baseline -o baseline.json` writes the fingerprint, rule and
//! resource of every current finding, with the date it was recorded: the date
//! (UTC) of the snapshot's `collected_at`, never the clock, so the file depends
//! only on its input. `scan --baseline baseline.json` marks the findings whose
//! fingerprint is in the file as baselined: they stay in every report but do not
//! count towards `--fail-on`. The report's `summary.fixed_since_baseline` counts
//! the baseline entries that no longer match a finding, among the rules this scan
//! evaluated fully (an entry of a rule that was not selected, or whose data was
//! missing, is not "fixed": nobody looked).
//!
//! What is recorded: findings that are neither suppressed (a suppression is its
//! own, expiring, acceptance: baselining it would outlive the expiry) nor of the
//! SP family (config hygiene is fixed in the config, not accepted).

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::report::{Report, Summary};
use crate::rules::{Evaluated, Finding};
use crate::snapshot::{Snapshot, ToolInfo};

pub const BASELINE_SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Baseline {
    pub schema_version: u32,
    pub tool: ToolInfo,
    /// The AWS account the findings belong to.
    pub account: String,
    /// `collected_at` of the snapshot the baseline was recorded from.
    pub collected_at: String,
    pub findings: Vec<Entry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub resource: String,
    /// The date the finding was accepted (the snapshot's collection date, UTC).
    pub date: NaiveDate,
}

/// Whether a finding may be recorded in, or matched against, a baseline.
fn baselinable(f: &Finding) -> bool {
    f.suppressed.is_none() && !f.rule.starts_with("SP")
}

impl Baseline {
    /// The baseline of a report: every unsuppressed, non-SP finding, sorted by
    /// rule, resource and fingerprint (so the file diffs well in git).
    pub fn from_report(snapshot: &Snapshot, report: &Report) -> Baseline {
        let date = snapshot.collected_at.date_naive();
        let mut findings: Vec<Entry> = report
            .findings
            .iter()
            .filter(|f| baselinable(f))
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.to_string(),
                resource: f.resource.clone(),
                date,
            })
            .collect();
        findings.sort_by(|a, b| {
            (a.rule.as_str(), a.resource.as_str(), a.fingerprint.as_str()).cmp(&(
                b.rule.as_str(),
                b.resource.as_str(),
                b.fingerprint.as_str(),
            ))
        });
        findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            schema_version: BASELINE_SCHEMA_VERSION,
            tool: ToolInfo::current(),
            account: report.account.id.clone(),
            collected_at: report.collected_at.clone(),
            findings,
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a baseline serialises");
        s.push('\n');
        s
    }
}

/// Read and validate a baseline file. Every error names the file and says what
/// is wrong in one line.
pub fn load(path: &Path) -> Result<Baseline> {
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow!("{}: cannot read baseline file: {e}", path.display()))?;
    parse(&bytes).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Parse a baseline document; the error is the problem without the file name.
pub fn parse(bytes: &[u8]) -> std::result::Result<Baseline, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_eof() {
            format!(
                "truncated JSON (unexpected end of input at line {} column {})",
                e.line(),
                e.column()
            )
        } else {
            format!("not valid JSON: {e}")
        }
    })?;
    const HINT: &str = "write one with `phi-audit baseline -o FILE`";
    let obj = v.as_object().ok_or_else(|| {
        format!(
            "not a phi-audit baseline: expected a JSON object, found {} ({HINT})",
            kind(&v)
        )
    })?;
    if obj.contains_key("summary") && obj.contains_key("coverage") {
        return Err(format!("this is a scan report, not a baseline ({HINT})"));
    }
    match obj.get("schema_version").and_then(Value::as_u64) {
        Some(n) if n == u64::from(BASELINE_SCHEMA_VERSION) => {}
        Some(n) => {
            return Err(format!(
                "baseline schema_version {n} is not supported by phi-audit {} (expects {BASELINE_SCHEMA_VERSION})",
                env!("CARGO_PKG_VERSION")
            ));
        }
        None => {
            return Err(format!(
                "not a phi-audit baseline: no schema_version ({HINT})"
            ));
        }
    }
    let Some(list) = obj.get("findings") else {
        return Err("not a phi-audit baseline: no findings list".into());
    };
    let Some(items) = list.as_array() else {
        return Err(format!("findings: expected an array, found {}", kind(list)));
    };
    for (i, item) in items.iter().enumerate() {
        let Some(e) = item.as_object() else {
            return Err(format!(
                "findings[{i}]: expected an object with fingerprint, rule, resource and date, found {}",
                kind(item)
            ));
        };
        for key in ["fingerprint", "rule", "resource", "date"] {
            match e.get(key) {
                Some(Value::String(_)) => {}
                Some(other) => {
                    return Err(format!(
                        "findings[{i}].{key}: expected a string, found {}",
                        kind(other)
                    ));
                }
                None => return Err(format!("findings[{i}]: missing {key}")),
            }
        }
        let fp = e["fingerprint"].as_str().unwrap_or_default();
        if fp.len() != 64 || !fp.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(format!(
                "findings[{i}].fingerprint: expected 64 lowercase hex digits (sha256), found {fp:?}"
            ));
        }
        let date = e["date"].as_str().unwrap_or_default();
        if NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
            return Err(format!(
                "findings[{i}].date: expected a date such as 2026-11-20, found {date:?}"
            ));
        }
    }
    serde_json::from_value(v).map_err(|e| format!("not a valid phi-audit baseline: {e}"))
}

/// Mark the report's findings that are in the baseline, count the baseline
/// entries fixed since, and recount the summary. A baseline of another account
/// is an error: nothing would match and every entry would look fixed.
pub fn apply(report: &mut Report, baseline: &Baseline, path: &Path) -> Result<()> {
    if baseline.account != report.account.id {
        bail!(
            "{}: baseline was recorded for account {} but this scan is of account {}",
            path.display(),
            baseline.account,
            report.account.id
        );
    }
    let known: BTreeSet<&str> = baseline
        .findings
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect();
    for f in report
        .findings
        .iter_mut()
        .filter(|f| !f.rule.starts_with("SP"))
    {
        f.baselined = known.contains(f.fingerprint.as_str());
    }
    let current: BTreeSet<&str> = report
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let full: BTreeSet<&str> = report
        .evaluated
        .iter()
        .filter(|(_, e)| *e == Evaluated::Full)
        .map(|(c, _)| *c)
        .collect();
    let fixed: BTreeSet<&str> = baseline
        .findings
        .iter()
        .filter(|e| full.contains(e.rule.as_str()) && !current.contains(e.fingerprint.as_str()))
        .map(|e| e.fingerprint.as_str())
        .collect();
    let mut summary = Summary::of(&report.findings);
    summary.fixed_since_baseline = fixed.len();
    report.summary = summary;
    report.baseline_used = true;
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "b1d6ddacee5a2b077f3bd99c49df655d505a5222cb9cbd1dea6fcdd6cb0df031";

    fn doc(findings: &str) -> String {
        format!(
            r#"{{"schema_version": 1, "tool": {{"name": "phi-audit", "version": "0.1.0"}}, "account": "123456789012", "collected_at": "2026-11-20T00:00:00Z", "findings": {findings}}}"#
        )
    }

    #[test]
    fn parses_a_valid_baseline() {
        let b = parse(
            doc(&format!(
                r#"[{{"fingerprint": "{FP}", "rule": "PM001", "resource": "arn:aws:iam::123456789012:policy/x", "date": "2026-11-20"}}]"#
            ))
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(b.findings.len(), 1);
        assert_eq!(
            b.findings[0].date,
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
        );
        assert_eq!(parse(b.to_json().as_bytes()).unwrap(), b, "round trip");
    }

    #[test]
    fn explains_what_is_wrong() {
        let cases: &[(&str, &str)] = &[
            ("nope", "not valid JSON"),
            ("{\"schema_version\": 1, \"findings\": [", "truncated JSON"),
            (
                "[]",
                "not a phi-audit baseline: expected a JSON object, found an array",
            ),
            (
                "{\"findings\": []}",
                "not a phi-audit baseline: no schema_version",
            ),
            (
                "{\"schema_version\": 1, \"summary\": {}, \"coverage\": [], \"findings\": []}",
                "this is a scan report, not a baseline (write one with `phi-audit baseline -o FILE`)",
            ),
            (
                "{\"schema_version\": 9, \"findings\": []}",
                "schema_version 9 is not supported",
            ),
            ("{\"schema_version\": 1}", "no findings list"),
            (
                "{\"schema_version\": 1, \"findings\": {}}",
                "findings: expected an array, found an object",
            ),
        ];
        for (input, want) in cases {
            let e = parse(input.as_bytes()).unwrap_err();
            assert!(e.contains(want), "{input}: {e}");
        }
        let e = parse(doc(r#"[{"fingerprint": "abc", "rule": "PM001", "resource": "r", "date": "2026-11-20"}]"#).as_bytes())
            .unwrap_err();
        assert!(
            e.starts_with("findings[0].fingerprint: expected 64 lowercase hex digits"),
            "{e}"
        );
        let e = parse(doc(&format!(r#"[{{"fingerprint": "{FP}", "rule": "PM001", "resource": "r", "date": "yesterday"}}]"#)).as_bytes())
            .unwrap_err();
        assert!(e.starts_with("findings[0].date: expected a date"), "{e}");
        let e = parse(
            doc(&format!(
                r#"[{{"fingerprint": "{FP}", "rule": 1, "resource": "r", "date": "2026-11-20"}}]"#
            ))
            .as_bytes(),
        )
        .unwrap_err();
        assert_eq!(e, "findings[0].rule: expected a string, found a number");
        let e = parse(doc(r#"[{"rule": "PM001"}]"#).as_bytes()).unwrap_err();
        assert_eq!(e, "findings[0]: missing fingerprint");
        let e = parse(b"{\"schema_version\": 1, \"findings\": []}").unwrap_err();
        assert!(
            e.starts_with("not a valid phi-audit baseline: missing field"),
            "{e}"
        );
    }
}
