//! Reports: one model ([`Report`]), one emitter per format behind [`Emitter`].

pub mod csv;
pub mod html;
pub mod json;
pub mod markdown;
pub mod matrix;
pub mod sarif;
pub mod table;

use chrono::SecondsFormat;
use serde::Serialize;

use crate::rules::{Coverage, Evaluated, Finding, Severity};
use crate::snapshot::{AccountInfo, CallerIdentity, CoverageStatus, Snapshot, ToolInfo};

pub const REPORT_SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub suppressed: usize,
    pub baselined: usize,
    pub fixed_since_baseline: usize,
}

impl Summary {
    /// Counts by severity of the findings that count (neither suppressed nor
    /// baselined), plus the suppressed and baselined ones. `fixed_since_baseline`
    /// is set by the baseline pass.
    pub fn of(findings: &[Finding]) -> Summary {
        let mut summary = Summary::default();
        for f in findings {
            if f.suppressed.is_some() {
                summary.suppressed += 1;
            } else if f.baselined {
                summary.baselined += 1;
            } else {
                match f.severity {
                    Severity::Critical => summary.critical += 1,
                    Severity::High => summary.high += 1,
                    Severity::Medium => summary.medium += 1,
                    Severity::Low => summary.low += 1,
                    Severity::Info => summary.info += 1,
                }
            }
        }
        summary
    }

    pub fn count(&self, s: Severity) -> usize {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

/// The JSON report, field for field as INTERFACE.md specifies (schema_version 1).
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub account: AccountInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller: Option<CallerIdentity>,
    pub collected_at: String,
    pub source: &'static str,
    pub coverage: Vec<Coverage>,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// Not serialised: which rules ran (for table notes and the controls matrix).
    #[serde(skip)]
    pub evaluated: Vec<(&'static str, Evaluated)>,
    /// Not serialised: a `--baseline` was applied (SARIF sets `baselineState`).
    #[serde(skip)]
    pub baseline_used: bool,
    /// Not serialised: the config file the scan used, as given (SARIF locates
    /// SP findings in it).
    #[serde(skip)]
    pub config_file: Option<String>,
}

impl Report {
    pub fn new(
        snapshot: &Snapshot,
        findings: Vec<Finding>,
        coverage: Vec<Coverage>,
        evaluated: Vec<(&'static str, Evaluated)>,
    ) -> Report {
        let summary = Summary::of(&findings);
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: ToolInfo::current(),
            account: snapshot.account.clone(),
            caller: snapshot.caller.clone(),
            collected_at: snapshot
                .collected_at
                .to_rfc3339_opts(SecondsFormat::Secs, true),
            source: snapshot.source.as_str(),
            coverage,
            summary,
            findings,
            evaluated,
            baseline_used: false,
            config_file: None,
        }
    }

    /// Findings that count: not suppressed, not baselined.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none() && !f.baselined)
    }

    /// True when some selected rule could not be evaluated fully from this source.
    pub fn incomplete(&self) -> bool {
        self.coverage.iter().any(|c| c.status != CoverageStatus::Ok)
    }
}

/// Options that change how a report is rendered, not what it says.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    pub color: bool,
    pub quiet: bool,
    /// Writing to a terminal: wrap the table to its width.
    pub terminal: bool,
    /// Explicit width (from `COLUMNS`); otherwise the terminal's own.
    pub width: Option<u16>,
}

pub trait Emitter {
    fn emit(
        &self,
        report: &Report,
        opts: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Markdown,
    Html,
    Csv,
}

pub fn emitter(format: Format) -> Box<dyn Emitter> {
    match format {
        Format::Table => Box::new(table::Table),
        Format::Json => Box::new(json::Json),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Markdown => Box::new(markdown::Markdown),
        Format::Html => Box::new(html::Html),
        Format::Csv => Box::new(csv::Csv),
    }
}

/// `arn:aws:iam::123456789012:role/x` → `role/x`; AWS managed → `aws:policy/X`.
pub fn short_resource(arn: &str, account: &str) -> String {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_p), Some(_svc), Some(_region), Some(acct), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return arn.to_string();
    };
    if acct == account {
        rest.to_string()
    } else if acct == "aws" {
        format!("aws:{rest}")
    } else {
        arn.to_string()
    }
}
