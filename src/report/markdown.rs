//! `--format markdown`: a report for people (pull-request comments, wikis,
//! tickets): summary, findings grouped by priority with the remediation of each
//! rule, suppressed and baselined findings, and one section per HIPAA / SOC 2 /
//! NIST CSF control with the rules that test it and their result.
//!
//! Text that comes from the account (names, messages, reasons) is escaped;
//! rule docs are our own Markdown and are inserted as written.

use std::fmt::Write as _;

use super::matrix::{self, ControlResult};
use super::{Emitter, RenderOptions, Report, short_resource};
use crate::compliance::FRAMEWORKS;
use crate::rules::{Finding, Severity, registry};
use crate::snapshot::CoverageStatus;

pub struct Markdown;

/// One rule's findings within a priority group.
pub type RuleGroup<'a> = (&'static str, Vec<&'a Finding>);

/// Active findings (neither suppressed nor baselined) by severity, then by rule,
/// in report order. Severities without findings are left out.
pub fn by_priority(report: &Report) -> Vec<(Severity, Vec<RuleGroup<'_>>)> {
    let mut out = Vec::new();
    for sev in Severity::DESCENDING {
        let mut rules: Vec<RuleGroup<'_>> = Vec::new();
        for f in report.active().filter(|f| f.severity == sev) {
            match rules.iter_mut().find(|(c, _)| *c == f.rule) {
                Some((_, list)) => list.push(f),
                None => rules.push((f.rule, vec![f])),
            }
        }
        if !rules.is_empty() {
            out.push((sev, rules));
        }
    }
    out
}

pub fn title_case(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// Escape account-provided text for inline Markdown (table cells included).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A sentence from a rule doc (summary, remediation): its `code` spans are kept,
/// everything else is escaped, so a plain `"*" on "*"` is not read as emphasis.
pub fn doc_text(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // Unbalanced backticks: treat it all as text.
        return escape(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 { code(p) } else { escape(p) })
        .collect()
}

/// Inline code for account-provided text, safe in a table cell.
pub fn code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ").replace('|', "\\|");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

fn account_line(report: &Report) -> String {
    match &report.account.alias {
        Some(a) => format!("{} ({})", report.account.id, a),
        None => report.account.id.clone(),
    }
}

fn controls_line(codes: &[&str]) -> String {
    if codes.is_empty() {
        "none".into()
    } else {
        codes.join(", ")
    }
}

impl Emitter for Markdown {
    fn emit(
        &self,
        report: &Report,
        _opts: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        out.write_all(render(report).as_bytes())
    }
}

/// The whole document.
pub fn render(report: &Report) -> String {
    let mut s = String::new();
    let acct = &report.account.id;
    let _ = writeln!(
        s,
        "# phi-audit report: AWS account {}\n",
        escape(&account_line(report))
    );
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(
        s,
        "| Account | {} (partition {}) |",
        escape(&account_line(report)),
        escape(&report.account.partition)
    );
    let _ = writeln!(s, "| Collected at | {} |", escape(&report.collected_at));
    let _ = writeln!(s, "| Source | {} |", escape(report.source));
    if let Some(c) = &report.caller {
        let _ = writeln!(s, "| Caller | {} |", code(&c.arn));
    }
    let _ = writeln!(s, "| Tool | phi-audit {} |", escape(&report.tool.version));
    let _ = writeln!(s);

    // Summary.
    let _ = writeln!(s, "## Summary\n");
    let _ = writeln!(s, "| Severity | Open findings |\n|---|---:|");
    for sev in Severity::DESCENDING {
        let _ = writeln!(s, "| {} | {} |", title_case(sev), report.summary.count(sev));
    }
    let _ = writeln!(s, "| Suppressed | {} |", report.summary.suppressed);
    let _ = writeln!(s, "| Baselined | {} |", report.summary.baselined);
    if report.baseline_used {
        let _ = writeln!(
            s,
            "| Fixed since baseline | {} |",
            report.summary.fixed_since_baseline
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Open findings are neither suppressed nor baselined; they are what `--fail-on` counts.\n"
    );

    let _ = writeln!(s, "### Coverage\n");
    if report.coverage.is_empty() {
        let _ = writeln!(s, "No data source was needed by the selected rules.\n");
    } else {
        let _ = writeln!(
            s,
            "| Data source | Status | Rules | Detail |\n|---|---|---|---|"
        );
        for c in &report.coverage {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                code(&c.source),
                c.status.as_str(),
                c.rules.join(", "),
                escape(&c.detail)
            );
        }
        let _ = writeln!(s);
        if report
            .coverage
            .iter()
            .any(|c| c.status != CoverageStatus::Ok)
        {
            let _ = writeln!(
                s,
                "Rules that need a missing source are reported as not evaluated (or not fully evaluated), never as passed.\n"
            );
        }
    }

    // Findings.
    let _ = writeln!(s, "## Findings by priority\n");
    let groups = by_priority(report);
    if groups.is_empty() {
        let _ = writeln!(s, "No open findings.\n");
    }
    for (sev, rules) in &groups {
        let n: usize = rules.iter().map(|(_, l)| l.len()).sum();
        let _ = writeln!(s, "### {} ({n})\n", title_case(*sev));
        for (code_, list) in rules {
            let Some(d) = registry::doc(code_) else {
                continue;
            };
            let _ = writeln!(
                s,
                "#### {} {} ({} finding{})\n",
                d.code,
                d.name,
                list.len(),
                if list.len() == 1 { "" } else { "s" }
            );
            let _ = writeln!(s, "{}\n", doc_text(d.summary));
            let _ = writeln!(s, "- **Controls:** {}", controls_line(&d.controls));
            let _ = writeln!(s, "- **Remediation:** {}", doc_text(d.remediation));
            let _ = writeln!(s, "- **Details:** `phi-audit explain {}`\n", d.code);
            let _ = writeln!(s, "| Resource | Finding |\n|---|---|");
            for f in list {
                let _ = writeln!(
                    s,
                    "| {} | {} |",
                    code(&short_resource(&f.resource, acct)),
                    escape(&f.message)
                );
            }
            let _ = writeln!(s);
        }
    }

    let baselined: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.baselined && f.suppressed.is_none())
        .collect();
    if !baselined.is_empty() {
        let _ = writeln!(s, "### Baselined ({})\n", baselined.len());
        let _ = writeln!(
            s,
            "Accepted in the baseline: still present, not counted by `--fail-on`.\n"
        );
        let _ = writeln!(
            s,
            "| Severity | Rule | Resource | Finding |\n|---|---|---|---|"
        );
        for f in baselined {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                f.severity,
                f.rule,
                code(&short_resource(&f.resource, acct)),
                escape(&f.message)
            );
        }
        let _ = writeln!(s);
    }
    let suppressed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .collect();
    if !suppressed.is_empty() {
        let _ = writeln!(s, "### Suppressed ({})\n", suppressed.len());
        let _ = writeln!(
            s,
            "Documented exceptions from `[[suppress]]` in the configuration.\n"
        );
        let _ = writeln!(
            s,
            "| Severity | Rule | Resource | Finding | Reason | Owner | Expires |\n|---|---|---|---|---|---|---|"
        );
        for f in suppressed {
            let sup = f.suppressed.as_ref().expect("filtered");
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                f.severity,
                f.rule,
                code(&short_resource(&f.resource, acct)),
                escape(&f.message),
                escape(&sup.reason),
                escape(sup.owner.as_deref().unwrap_or("—")),
                escape(sup.expires.as_deref().unwrap_or("never")),
            );
        }
        let _ = writeln!(s);
    }

    // Controls.
    let _ = writeln!(s, "## Controls\n");
    let _ = writeln!(
        s,
        "Each control lists the rules that test it and their result in this scan: pass, fail (open findings), exception (only suppressed findings), not fully evaluated or not evaluated. A control passes only when every rule that tests it was fully evaluated and found nothing open.\n"
    );
    let all = matrix::build(report, None);
    for (fw, fw_title) in FRAMEWORKS {
        let controls: Vec<&ControlResult> = all.iter().filter(|c| c.framework == *fw).collect();
        if controls.is_empty() {
            continue;
        }
        let _ = writeln!(s, "### {fw_title}\n");
        for c in controls {
            let _ = writeln!(s, "#### {} {}: {}\n", c.id, c.title, c.label());
            let _ = writeln!(s, "{}\n", c.requirement);
            if c.rules.is_empty() {
                let _ = writeln!(
                    s,
                    "No rule in this build of phi-audit tests this control.\n"
                );
                continue;
            }
            let _ = writeln!(s, "| Rule | Result |\n|---|---|");
            for r in &c.rules {
                let _ = writeln!(s, "| {} {} | {} |", r.code, r.name, escape(&r.label()));
            }
            let _ = writeln!(s);
        }
    }
    let _ = writeln!(
        s,
        "---\n\nGenerated by phi-audit {} from data collected at {}. Control mappings are the project's reading of each requirement, not legal advice.",
        escape(&report.tool.version),
        escape(&report.collected_at)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_in_account_text() {
        assert_eq!(
            escape("a|b *c* <x> [l](u)"),
            "a\\|b \\*c\\* \\<x\\> \\[l\\](u)"
        );
        assert_eq!(escape("two\nlines"), "two lines");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(
            doc_text("allow \"*\" on `arn:aws:s3:::x/*` and *"),
            "allow \"\\*\" on `arn:aws:s3:::x/*` and \\*"
        );
    }
}
