//! The control → rules → result matrix (`phi-audit controls`, and the control
//! sections of the Markdown and HTML reports).
//!
//! A rule's result for one scan is one of:
//! - `fail`: it reported at least one unsuppressed finding (baselined findings
//!   count: a baseline gates CI, it does not make a control pass);
//! - `exception`: it was fully evaluated and every finding it reported is
//!   suppressed with a documented reason;
//! - `pass`: it was fully evaluated and reported nothing;
//! - `incomplete`: it ran on part of the account only (a data source it needs was
//!   partly missing) and reported nothing; this is never shown as a pass;
//! - `not-evaluated`: it was not selected, or a data source it requires was absent.
//!
//! A control fails when one of its rules fails; passes only when every rule
//! that tests it passed (or has an exception); and is `incomplete` or
//! `not-evaluated` otherwise, including when no rule in this build tests it.
//! Suppression-hygiene rules (SP) can make a control fail, never pass on their
//! own: they check the exceptions, not the account.

use serde::Serialize;

use super::Report;
use crate::compliance;
use crate::rules::{Evaluated, registry};
use crate::snapshot::CoverageStatus;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Exception,
    Incomplete,
    NotEvaluated,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Exception => "exception",
            Status::Incomplete => "incomplete",
            Status::NotEvaluated => "not-evaluated",
            Status::Fail => "fail",
        }
    }
}

/// One rule's result under a control.
#[derive(Clone, Debug, Serialize)]
pub struct RuleResult {
    pub code: &'static str,
    pub name: &'static str,
    pub status: Status,
    /// Unsuppressed findings (baselined ones included).
    pub findings: usize,
    pub suppressed: usize,
    pub baselined: usize,
    /// Why the rule was not (fully) evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RuleResult {
    /// Human label: `pass`, `fail (3)`, `exception (1 suppressed)`, `not evaluated: …`.
    pub fn label(&self) -> String {
        match self.status {
            Status::Pass => "pass".into(),
            Status::Fail => {
                let mut s = format!("fail ({})", self.findings);
                if self.baselined > 0 {
                    s.push_str(&format!(", {} baselined", self.baselined));
                }
                if self.suppressed > 0 {
                    s.push_str(&format!(", {} suppressed", self.suppressed));
                }
                if let Some(r) = &self.reason {
                    s.push_str(&format!("; not fully evaluated: {r}"));
                }
                s
            }
            Status::Exception => format!("exception ({} suppressed)", self.suppressed),
            Status::Incomplete => match &self.reason {
                Some(r) => format!("not fully evaluated: {r}"),
                None => "not fully evaluated".into(),
            },
            Status::NotEvaluated => match &self.reason {
                Some(r) => format!("not evaluated: {r}"),
                None => "not evaluated".into(),
            },
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ControlResult {
    pub id: &'static str,
    pub framework: &'static str,
    pub title: &'static str,
    pub requirement: &'static str,
    pub status: Status,
    pub rules: Vec<RuleResult>,
}

impl ControlResult {
    pub fn label(&self) -> String {
        match self.status {
            Status::Fail => {
                let n: usize = self.rules.iter().map(|r| r.findings).sum();
                format!("fail ({n})")
            }
            Status::NotEvaluated => "not evaluated".into(),
            Status::Incomplete => "not fully evaluated".into(),
            Status::Exception => "pass with exceptions".into(),
            Status::Pass => "pass".into(),
        }
    }
}

/// Every control of the catalogue (optionally one framework), in catalogue order,
/// with every registered rule that names it, in registry order.
pub fn build(report: &Report, framework: Option<&str>) -> Vec<ControlResult> {
    compliance::controls()
        .iter()
        .filter(|c| framework.is_none_or(|f| c.framework == f))
        .map(|c| {
            let rules: Vec<RuleResult> = registry::RULES
                .iter()
                .filter(|r| r.doc().controls.contains(&c.id.as_str()))
                .map(|r| rule_result(report, r.code))
                .collect();
            ControlResult {
                id: c.id.as_str(),
                framework: c.framework.as_str(),
                title: c.title.as_str(),
                requirement: c.requirement.as_str(),
                status: control_status(&rules),
                rules,
            }
        })
        .collect()
}

fn control_status(rules: &[RuleResult]) -> Status {
    if rules.iter().any(|r| r.status == Status::Fail) {
        return Status::Fail;
    }
    // Suppression hygiene (SP) can make a control fail but never makes it pass
    // on its own: it checks the exceptions, not the account.
    if rules
        .iter()
        .filter(|r| !r.code.starts_with("SP"))
        .all(|r| r.status == Status::NotEvaluated)
    {
        return Status::NotEvaluated;
    }
    if rules
        .iter()
        .any(|r| matches!(r.status, Status::NotEvaluated | Status::Incomplete))
    {
        return Status::Incomplete;
    }
    if rules.iter().any(|r| r.status == Status::Exception) {
        return Status::Exception;
    }
    Status::Pass
}

/// The result of one rule in this report.
pub fn rule_result(report: &Report, code: &'static str) -> RuleResult {
    let doc = registry::doc(code).expect("registered rule");
    let mine = report.findings.iter().filter(|f| f.rule == code);
    let (mut findings, mut suppressed, mut baselined) = (0, 0, 0);
    for f in mine {
        if f.suppressed.is_some() {
            suppressed += 1;
        } else {
            findings += 1;
            if f.baselined {
                baselined += 1;
            }
        }
    }
    let evaluated = report
        .evaluated
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, e)| *e);
    let gaps = || {
        let list: Vec<String> = report
            .coverage
            .iter()
            .filter(|c| c.status != CoverageStatus::Ok && c.rules.contains(&code))
            .map(|c| format!("{} {}", c.source, c.status.as_str()))
            .collect();
        (!list.is_empty()).then(|| list.join(", "))
    };
    let (status, reason) = match evaluated {
        None => (Status::NotEvaluated, Some("not selected".to_string())),
        Some(Evaluated::No) => (Status::NotEvaluated, gaps()),
        Some(Evaluated::Full) if findings > 0 => (Status::Fail, None),
        Some(Evaluated::Partial) if findings > 0 => (Status::Fail, gaps()),
        Some(Evaluated::Partial) => (Status::Incomplete, gaps()),
        Some(Evaluated::Full) if suppressed > 0 => (Status::Exception, None),
        Some(Evaluated::Full) => (Status::Pass, None),
    };
    RuleResult {
        code,
        name: doc.name,
        status,
        findings,
        suppressed,
        baselined,
        reason,
    }
}

/// The display name of a framework id (`hipaa` → "HIPAA Security Rule (…)").
pub fn framework_title(id: &str) -> &'static str {
    compliance::FRAMEWORKS
        .iter()
        .find(|(f, _)| *f == id)
        .map(|(_, t)| *t)
        .unwrap_or("Other")
}

/// `phi-audit controls --format json`.
pub fn to_json(
    report: &Report,
    framework: Option<&str>,
    rows: &[ControlResult],
) -> serde_json::Value {
    serde_json::json!({
        "schema_version": 1,
        "tool": report.tool,
        "account": report.account,
        "collected_at": report.collected_at,
        "source": report.source,
        "framework": framework.unwrap_or("all"),
        "coverage": report.coverage,
        "controls": rows,
    })
}

/// `phi-audit controls` in the terminal: one row per control, its rules and
/// their results.
pub fn render_table(report: &Report, rows: &[ControlResult], width: Option<u16>) -> String {
    use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
    let account = match &report.account.alias {
        Some(a) => format!("{} ({a})", report.account.id),
        None => report.account.id.clone(),
    };
    let mut s = format!(
        "phi-audit {} · account {account} · source {} · collected {}\n",
        report.tool.version, report.source, report.collected_at
    );
    let mut grid = Table::new();
    grid.load_preset(UTF8_FULL_CONDENSED);
    grid.force_no_tty();
    match width {
        Some(w) => {
            grid.set_content_arrangement(ContentArrangement::Dynamic);
            grid.set_width(w);
        }
        None => {
            grid.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    grid.set_header(["Control", "Title", "Result", "Rules"]);
    for c in rows {
        let rules = if c.rules.is_empty() {
            "(no rule in this build tests it)".to_string()
        } else {
            c.rules
                .iter()
                .map(|r| format!("{} {}", r.code, r.label()))
                .collect::<Vec<_>>()
                .join("\n")
        };
        grid.add_row(vec![
            c.id.to_string(),
            c.title.to_string(),
            c.label(),
            rules,
        ]);
    }
    s.push_str(&grid.to_string());
    s.push('\n');
    s.push_str(
        "A control passes only when every rule that tests it was fully evaluated and found nothing open; \
         `phi-audit explain CODE` describes a rule.\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: &'static str, status: Status) -> RuleResult {
        RuleResult {
            code,
            name: "x",
            status,
            findings: usize::from(status == Status::Fail),
            suppressed: 0,
            baselined: 0,
            reason: None,
        }
    }

    #[test]
    fn a_control_passes_only_when_every_rule_was_fully_evaluated_and_clean() {
        use Status::*;
        let cases: &[(&[RuleResult], Status)] = &[
            (&[], NotEvaluated),
            (&[r("PM001", Pass), r("PM004", Pass)], Pass),
            (&[r("PM001", Pass), r("PM004", Exception)], Exception),
            (&[r("PM001", Pass), r("PM002", Incomplete)], Incomplete),
            (&[r("PM001", Pass), r("CR001", NotEvaluated)], Incomplete),
            (
                &[r("CR001", NotEvaluated), r("CR002", NotEvaluated)],
                NotEvaluated,
            ),
            (&[r("PM001", Fail), r("CR001", NotEvaluated)], Fail),
            // SP rules alone never make a control pass, but can make it fail.
            (&[r("SP001", Pass)], NotEvaluated),
            (&[r("SP001", Pass), r("CR001", NotEvaluated)], NotEvaluated),
            (&[r("SP001", Fail), r("CR001", NotEvaluated)], Fail),
            (&[r("SP001", Pass), r("PM001", Pass)], Pass),
        ];
        for (rules, want) in cases {
            let codes: Vec<_> = rules.iter().map(|r| (r.code, r.status)).collect();
            assert_eq!(control_status(rules), *want, "{codes:?}");
        }
    }
}
