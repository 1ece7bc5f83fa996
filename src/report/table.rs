//! `--format table`: for people at a terminal. A header naming the account and
//! source, the findings (severity, code, resource, message), one summary line per
//! severity, and one line per data source the scan could not use. Colour only on
//! a terminal.

use comfy_table::{
    Attribute, Cell, Color, ContentArrangement, Table as Grid, presets::UTF8_FULL_CONDENSED,
};

use super::{Emitter, RenderOptions, Report, short_resource};
use crate::rules::{Evaluated, Severity};
use crate::snapshot::CoverageStatus;

pub struct Table;

fn severity_cell(s: Severity, color: bool) -> Cell {
    let cell = Cell::new(s.as_str());
    if !color {
        return cell;
    }
    match s {
        Severity::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Severity::High => cell.fg(Color::Red),
        Severity::Medium => cell.fg(Color::Yellow),
        Severity::Low => cell.fg(Color::Cyan),
        Severity::Info => cell.add_attribute(Attribute::Dim),
    }
}

impl Emitter for Table {
    fn emit(
        &self,
        report: &Report,
        opts: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let account = match &report.account.alias {
            Some(alias) => format!("{} ({alias})", report.account.id),
            None => report.account.id.clone(),
        };
        if !opts.quiet {
            writeln!(
                out,
                "phi-audit {} · account {account} · source {} · collected {}",
                report.tool.version, report.source, report.collected_at
            )?;
            if let Some(c) = &report.caller {
                writeln!(out, "caller {}", c.arn)?;
            }
        }
        let shown: Vec<_> = report.active().collect();
        if shown.is_empty() {
            writeln!(out, "No findings.")?;
        } else {
            let mut grid = Grid::new();
            grid.load_preset(UTF8_FULL_CONDENSED);
            if opts.color {
                grid.enforce_styling();
            } else {
                grid.force_no_tty();
            }
            if opts.terminal || opts.width.is_some() {
                grid.set_content_arrangement(ContentArrangement::Dynamic);
                if let Some(w) = opts.width {
                    grid.set_width(w);
                }
            } else {
                // Piped or written to a file: one line per finding, easy to grep.
                grid.set_content_arrangement(ContentArrangement::Disabled);
            }
            grid.set_header(["Severity", "Code", "Resource", "Message"]);
            for f in &shown {
                grid.add_row(vec![
                    severity_cell(f.severity, opts.color),
                    Cell::new(f.rule),
                    Cell::new(short_resource(&f.resource, &report.account.id)),
                    Cell::new(&f.message),
                ]);
            }
            writeln!(out, "{grid}")?;
        }
        if opts.quiet {
            return Ok(());
        }
        for s in Severity::DESCENDING {
            writeln!(out, "{:>9}: {}", s.as_str(), report.summary.count(s))?;
        }
        let extra = [
            ("suppressed", report.summary.suppressed),
            ("baselined", report.summary.baselined),
        ];
        for (label, n) in extra {
            if n > 0 {
                writeln!(out, "{label:>9}: {n}")?;
            }
        }
        if report.baseline_used {
            writeln!(
                out,
                "fixed since baseline: {}",
                report.summary.fixed_since_baseline
            )?;
        }
        if let Some(line) = coverage_line(report) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    }
}

/// One line for everything this source could not show: which rules were not evaluated
/// or only partly, and which sources were missing (`--format json` has each source's why).
fn coverage_line(report: &Report) -> Option<String> {
    let missing: Vec<String> = report
        .coverage
        .iter()
        .filter(|c| c.status != CoverageStatus::Ok)
        .map(|c| format!("{} {}", c.source, c.status.as_str()))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let of = |want: Evaluated| -> Vec<&str> {
        report
            .evaluated
            .iter()
            .filter(|(_, e)| *e == want)
            .map(|(c, _)| *c)
            .collect()
    };
    let (none, partial) = (of(Evaluated::No), of(Evaluated::Partial));
    let mut parts = Vec::new();
    if !none.is_empty() {
        parts.push(format!("not evaluated: {}", none.join(" ")));
    }
    if !partial.is_empty() {
        parts.push(format!("partly evaluated: {}", partial.join(" ")));
    }
    Some(format!(
        "coverage incomplete ({}) — {}; `--format json` says why for each source",
        missing.join(", "),
        parts.join("; ")
    ))
}
