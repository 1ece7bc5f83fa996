//! `--format html`: the Markdown report's content as one self-contained HTML
//! file for consultants and auditors: inline CSS, no script, no web font, no
//! image, no external link or request of any kind, so it opens offline, can be
//! archived as evidence, and prints cleanly (print styles drop colour fills and
//! keep each rule and control block on one page where possible).
//!
//! Every piece of text is HTML-escaped; rule docs contribute plain text with
//! `code` spans only.

use std::fmt::Write as _;

use super::markdown::{by_priority, title_case};
use super::matrix::{self, Status};
use super::{Emitter, RenderOptions, Report, short_resource};
use crate::compliance::FRAMEWORKS;
use crate::rules::{Finding, Severity, registry};
use crate::snapshot::CoverageStatus;

pub struct Html;

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape our own doc text and turn its `code` spans into `<code>`.
fn doc_text(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

fn sev_badge(s: Severity) -> String {
    format!("<span class=\"badge sev-{0}\">{0}</span>", s.as_str())
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Pass => "st-pass",
        Status::Exception => "st-exception",
        Status::Incomplete => "st-incomplete",
        Status::NotEvaluated => "st-not-evaluated",
        Status::Fail => "st-fail",
    }
}

const CSS: &str = r#"
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 12px; }
h2 { font-size: 20px; border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 17px; margin-top: 24px; }
h4 { font-size: 15px; margin: 0 0 6px; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg-alt); padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
td.res { width: 30%; }
td.fp code, td.src code { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); }
td.num, th.num { text-align: right; }
.meta th { width: 160px; }
.muted { color: var(--muted); }
nav ul { list-style: none; padding: 0; display: flex; gap: 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 110px; }
.card .n { font-size: 22px; font-weight: 600; display: block; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.sev-critical { background: #8b0000; color: #fff; }
.sev-high { background: #cf222e; color: #fff; }
.sev-medium { background: #bf8700; color: #fff; }
.sev-low { background: #0969da; color: #fff; }
.sev-info { background: #6e7781; color: #fff; }
.st-pass { background: #dafbe1; color: #116329; border-color: #4ac26b; }
.st-fail { background: #ffebe9; color: #a40e26; border-color: #ff8182; }
.st-exception { background: #fff8c5; color: #7d4e00; border-color: #d4a72c; }
.st-incomplete, .st-not-evaluated { background: #eaeef2; color: #424a53; border-color: #afb8c1; }
.rule, .control { border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; margin: 10px 0; }
.rule p, .control p { margin: 4px 0; }
.fix { background: var(--bg-alt); border-left: 3px solid #0969da; padding: 6px 10px; }
footer { margin-top: 32px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
@page { margin: 14mm; }
@media print {
  body { font-size: 10.5pt; max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  h3, h4 { break-after: avoid; }
  .rule, .control, .card, tr { break-inside: avoid; }
  .badge { background: none !important; color: #000 !important; border: 1px solid #000 !important; }
  th, code { background: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

impl Emitter for Html {
    fn emit(
        &self,
        report: &Report,
        _opts: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        out.write_all(render(report).as_bytes())
    }
}

fn finding_rows(s: &mut String, list: &[&Finding], acct: &str) {
    s.push_str("<table><thead><tr><th>Resource</th><th>Finding</th><th>Fingerprint</th></tr></thead><tbody>\n");
    for f in list {
        let _ = writeln!(
            s,
            "<tr><td class=\"res\"><code title=\"{full}\">{short}</code></td><td>{msg}</td><td class=\"fp\"><code title=\"{fp}\">{fps}</code></td></tr>",
            full = esc(&f.resource),
            short = esc(&short_resource(&f.resource, acct)),
            msg = esc(&f.message),
            fp = esc(&f.fingerprint),
            fps = esc(f.fingerprint.get(..12).unwrap_or(&f.fingerprint)),
        );
    }
    s.push_str("</tbody></table>\n");
}

/// The whole document.
pub fn render(report: &Report) -> String {
    let acct = report.account.id.as_str();
    let account = match &report.account.alias {
        Some(a) => format!("{} ({a})", report.account.id),
        None => report.account.id.clone(),
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>phi-audit report: AWS account {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&account)
    );
    let _ = writeln!(
        s,
        "<header>\n<h1>phi-audit report: AWS account {}</h1>",
        esc(&account)
    );
    s.push_str("<table class=\"meta\"><tbody>\n");
    let _ = writeln!(
        s,
        "<tr><th>Account</th><td>{} (partition {})</td></tr>",
        esc(&account),
        esc(&report.account.partition)
    );
    let _ = writeln!(
        s,
        "<tr><th>Collected at</th><td>{}</td></tr>",
        esc(&report.collected_at)
    );
    let _ = writeln!(s, "<tr><th>Source</th><td>{}</td></tr>", esc(report.source));
    if let Some(c) = &report.caller {
        let _ = writeln!(
            s,
            "<tr><th>Caller</th><td><code>{}</code></td></tr>",
            esc(&c.arn)
        );
    }
    let _ = writeln!(
        s,
        "<tr><th>Tool</th><td>phi-audit {}</td></tr>",
        esc(&report.tool.version)
    );
    s.push_str("</tbody></table>\n");
    s.push_str("<nav><ul><li><a href=\"#summary\">Summary</a></li><li><a href=\"#findings\">Findings</a></li><li><a href=\"#controls\">Controls</a></li></ul></nav>\n</header>\n<main>\n");

    // Summary.
    s.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n");
    for sev in Severity::DESCENDING {
        let _ = writeln!(
            s,
            "<div class=\"card\"><span class=\"n\">{}</span>{}</div>",
            report.summary.count(sev),
            sev_badge(sev)
        );
    }
    let _ = writeln!(
        s,
        "<div class=\"card\"><span class=\"n\">{}</span>suppressed</div>",
        report.summary.suppressed
    );
    let _ = writeln!(
        s,
        "<div class=\"card\"><span class=\"n\">{}</span>baselined</div>",
        report.summary.baselined
    );
    if report.baseline_used {
        let _ = writeln!(
            s,
            "<div class=\"card\"><span class=\"n\">{}</span>fixed since baseline</div>",
            report.summary.fixed_since_baseline
        );
    }
    s.push_str("</div>\n<p class=\"muted\">Counts are open findings: neither suppressed nor baselined. These are what <code>--fail-on</code> counts.</p>\n");
    s.push_str("<h3>Coverage</h3>\n");
    if report.coverage.is_empty() {
        s.push_str("<p>No data source was needed by the selected rules.</p>\n");
    } else {
        s.push_str("<table><thead><tr><th>Data source</th><th>Status</th><th>Rules</th><th>Detail</th></tr></thead><tbody>\n");
        for c in &report.coverage {
            let class = if c.status == CoverageStatus::Ok {
                "st-pass"
            } else {
                "st-not-evaluated"
            };
            let _ = writeln!(
                s,
                "<tr><td class=\"src\"><code>{}</code></td><td><span class=\"badge {class}\">{}</span></td><td>{}</td><td>{}</td></tr>",
                esc(&c.source),
                esc(c.status.as_str()),
                esc(&c.rules.join(", ")),
                esc(&c.detail)
            );
        }
        s.push_str("</tbody></table>\n");
        if report
            .coverage
            .iter()
            .any(|c| c.status != CoverageStatus::Ok)
        {
            s.push_str("<p class=\"muted\">Rules that need a missing source are reported as not evaluated (or not fully evaluated), never as passed.</p>\n");
        }
    }
    s.push_str("</section>\n");

    // Findings.
    s.push_str("<section id=\"findings\">\n<h2>Findings by priority</h2>\n");
    let groups = by_priority(report);
    if groups.is_empty() {
        s.push_str("<p>No open findings.</p>\n");
    }
    for (sev, rules) in &groups {
        let n: usize = rules.iter().map(|(_, l)| l.len()).sum();
        let _ = writeln!(s, "<h3>{} {} ({n})</h3>", sev_badge(*sev), title_case(*sev));
        for (code, list) in rules {
            let Some(d) = registry::doc(code) else {
                continue;
            };
            let _ = writeln!(
                s,
                "<div class=\"rule\" id=\"rule-{code}\">\n<h4>{} {} <span class=\"muted\">({} finding{})</span></h4>",
                esc(d.code),
                esc(d.name),
                list.len(),
                if list.len() == 1 { "" } else { "s" }
            );
            let _ = writeln!(s, "<p>{}</p>", doc_text(d.summary));
            let controls = if d.controls.is_empty() {
                "none".to_string()
            } else {
                d.controls.join(", ")
            };
            let _ = writeln!(s, "<p><strong>Controls:</strong> {}</p>", esc(&controls));
            let _ = writeln!(
                s,
                "<p class=\"fix\"><strong>Remediation:</strong> {} <span class=\"muted\">(details: <code>phi-audit explain {}</code>)</span></p>",
                doc_text(d.remediation),
                esc(d.code)
            );
            finding_rows(&mut s, list, acct);
            s.push_str("</div>\n");
        }
    }
    let baselined: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.baselined && f.suppressed.is_none())
        .collect();
    if !baselined.is_empty() {
        let _ = writeln!(s, "<h3>Baselined ({})</h3>", baselined.len());
        s.push_str("<p class=\"muted\">Accepted in the baseline: still present, not counted by <code>--fail-on</code>.</p>\n");
        s.push_str("<table><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Finding</th></tr></thead><tbody>\n");
        for f in baselined {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                sev_badge(f.severity),
                esc(f.rule),
                esc(&short_resource(&f.resource, acct)),
                esc(&f.message)
            );
        }
        s.push_str("</tbody></table>\n");
    }
    let suppressed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .collect();
    if !suppressed.is_empty() {
        let _ = writeln!(s, "<h3>Suppressed ({})</h3>", suppressed.len());
        s.push_str("<p class=\"muted\">Documented exceptions from <code>[[suppress]]</code> in the configuration.</p>\n");
        s.push_str("<table><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Finding</th><th>Reason</th><th>Owner</th><th>Expires</th></tr></thead><tbody>\n");
        for f in suppressed {
            let sup = f.suppressed.as_ref().expect("filtered");
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                sev_badge(f.severity),
                esc(f.rule),
                esc(&short_resource(&f.resource, acct)),
                esc(&f.message),
                esc(&sup.reason),
                esc(sup.owner.as_deref().unwrap_or("—")),
                esc(sup.expires.as_deref().unwrap_or("never")),
            );
        }
        s.push_str("</tbody></table>\n");
    }
    s.push_str("</section>\n");

    // Controls.
    s.push_str("<section id=\"controls\">\n<h2>Controls</h2>\n");
    s.push_str("<p class=\"muted\">Each control lists the rules that test it and their result in this scan: pass, fail (open findings), exception (only suppressed findings), not fully evaluated or not evaluated. A control passes only when every rule that tests it was fully evaluated and found nothing open.</p>\n");
    let all = matrix::build(report, None);
    for (fw, fw_title) in FRAMEWORKS {
        let controls: Vec<_> = all.iter().filter(|c| c.framework == *fw).collect();
        if controls.is_empty() {
            continue;
        }
        let _ = writeln!(s, "<h3>{}</h3>", esc(fw_title));
        for c in controls {
            let _ = writeln!(
                s,
                "<div class=\"control\" id=\"control-{}\">\n<h4>{} {} <span class=\"badge {}\">{}</span></h4>\n<p>{}</p>",
                esc(&c.id.replace(['(', ')', '.'], "-")),
                esc(c.id),
                esc(c.title),
                status_class(c.status),
                esc(&c.label()),
                esc(c.requirement)
            );
            if c.rules.is_empty() {
                s.push_str("<p class=\"muted\">No rule in this build of phi-audit tests this control.</p>\n</div>\n");
                continue;
            }
            s.push_str("<table><thead><tr><th>Rule</th><th>Result</th></tr></thead><tbody>\n");
            for r in &c.rules {
                let _ = writeln!(
                    s,
                    "<tr><td>{} {}</td><td><span class=\"badge {}\">{}</span></td></tr>",
                    esc(r.code),
                    esc(r.name),
                    status_class(r.status),
                    esc(&r.label())
                );
            }
            s.push_str("</tbody></table>\n</div>\n");
        }
    }
    s.push_str("</section>\n</main>\n");
    let _ = writeln!(
        s,
        "<footer>Generated by phi-audit {} from data collected at {}. Control mappings are the project's reading of each requirement, not legal advice.</footer>\n</body>\n</html>",
        esc(&report.tool.version),
        esc(&report.collected_at)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(doc_text("use `a<b` here"), "use <code>a&lt;b</code> here");
    }
}
