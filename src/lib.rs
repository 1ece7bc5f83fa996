//! phi-audit: collect → snapshot → evaluate → report.
//!
//! `main` parses arguments and calls [`run`]; everything else is library code so
//! tests and benchmarks drive the same paths the binary does.

pub mod cli;
pub mod compliance;
pub mod config;
pub mod fingerprint;
pub mod inventory;
pub mod policy;
pub mod report;
pub mod rules;
pub mod snapshot;

use std::io::{IsTerminal, Write};

use anyhow::{Context as _, Result, anyhow, bail};

use crate::cli::{Cli, Command, ExplainArgs, FailOn, ListFormat, RulesArgs, ScanArgs, SourceArgs};
use crate::inventory::Inventory;
use crate::report::{RenderOptions, Report};
use crate::rules::{Selection, Severity, registry};
use crate::snapshot::Snapshot;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_INCOMPLETE: u8 = 3;

/// Run a parsed command line; returns the process exit code. Errors map to exit 2.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules(args) => list_rules(args),
        Command::Explain(args) => explain(args),
    }
}

/// Load the snapshot a SOURCE names.
pub fn load_source(src: &SourceArgs) -> Result<Snapshot> {
    let as_of = src
        .as_of
        .as_deref()
        .map(|t| snapshot::parse_time(t).map_err(|e| anyhow!("--as-of: {e}")))
        .transpose()?;
    if let Some(path) = &src.snapshot {
        if as_of.is_some() {
            bail!(
                "--as-of applies to --authz-details input; a snapshot carries its own collected_at"
            );
        }
        return snapshot::load_snapshot(path);
    }
    if !src.authz_details.is_empty() {
        return snapshot::load_authz_details(&src.authz_details, as_of);
    }
    bail!(
        "no input: pass --authz-details FILE (output of `aws iam get-account-authorization-details`) or --snapshot FILE \
         (live collection from AWS is not part of this build yet)"
    )
}

/// Load, evaluate and build the report (no rendering): the library entry point.
pub fn evaluate(
    snapshot: &Snapshot,
    settings: &config::Settings,
    selection: &Selection,
) -> Result<Report> {
    let inv = Inventory::build(snapshot).context("IAM data")?;
    let eval = rules::evaluate(snapshot, &inv, settings, selection);
    Ok(Report::new(
        snapshot,
        eval.findings,
        eval.coverage,
        eval.evaluated,
    ))
}

fn threshold(f: FailOn) -> Option<Severity> {
    match f {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::None => None,
    }
}

fn scan(args: ScanArgs) -> Result<u8> {
    let selection = Selection {
        select: args.rules.select.clone(),
        ignore: args.rules.ignore.clone(),
    };
    selection
        .validate()
        .map_err(|e| anyhow!("--select/--ignore: {e}"))?;
    let (settings, _config_path) = config::load(args.rules.config.as_deref())?;
    let snapshot = load_source(&args.source)?;
    let report = evaluate(&snapshot, &settings, &selection)?;

    let to_terminal = args.output.output.is_none() && std::io::stdout().is_terminal();
    let opts = RenderOptions {
        color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
        quiet: args.output.quiet,
        terminal: to_terminal,
        width: if to_terminal { terminal_width() } else { None },
    };
    let mut buf = Vec::new();
    report::emitter(args.output.format).emit(&report, &opts, &mut buf)?;
    match &args.output.output {
        Some(path) => std::fs::write(path, &buf)
            .with_context(|| format!("{}: cannot write report", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&buf)?;
            out.flush()?;
        }
    }

    if args.ci.require_complete && report.incomplete() {
        return Ok(EXIT_INCOMPLETE);
    }
    let failing =
        threshold(args.ci.fail_on).is_some_and(|t| report.active().any(|f| f.severity >= t));
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}

fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or(Some(120))
}

fn list_rules(args: RulesArgs) -> Result<u8> {
    let mut out = std::io::stdout().lock();
    match args.format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = registry::RULES
                .iter()
                .map(|r| {
                    let d = r.doc();
                    serde_json::json!({
                        "code": d.code,
                        "name": d.name,
                        "family": r.family,
                        "severity": d.severity,
                        "controls": d.controls,
                        "summary": d.summary,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
        ListFormat::Markdown => write!(out, "{}", rules_markdown())?,
        ListFormat::Table => {
            let mut grid = comfy_table::Table::new();
            grid.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
            grid.set_header(["Code", "Name", "Severity", "Controls"]);
            for r in registry::RULES {
                let d = r.doc();
                grid.add_row(vec![
                    d.code.to_string(),
                    d.name.to_string(),
                    d.severity.to_string(),
                    d.controls.join(", "),
                ]);
            }
            writeln!(out, "{grid}")?;
        }
    }
    Ok(EXIT_OK)
}

/// The rule table of the README (kept in sync by a test).
pub fn rules_markdown() -> String {
    let mut s = String::from("| code | name | severity | controls |\n|---|---|---|---|\n");
    for r in registry::RULES {
        let d = r.doc();
        let controls = if d.controls.is_empty() {
            "—".to_string()
        } else {
            d.controls.join(", ")
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            d.code, d.name, d.severity, controls
        ));
    }
    s
}

fn explain(args: ExplainArgs) -> Result<u8> {
    let Some(rule) = registry::find(&args.code) else {
        let hint = config::nearest(&args.code.to_ascii_uppercase(), registry::codes())
            .map(|c| format!(" (did you mean {c}?)"))
            .unwrap_or_default();
        bail!(
            "unknown rule code {:?}{hint}; `phi-audit rules` lists them",
            args.code
        );
    };
    let d = rule.doc();
    let mut out = std::io::stdout().lock();
    writeln!(out, "# {} {}\n", d.code, d.name)?;
    writeln!(out, "Severity: {}", d.severity)?;
    writeln!(out, "Family:   {}", rule.family)?;
    writeln!(out, "Controls:")?;
    for c in &d.controls {
        match compliance::control(c) {
            Some(ctl) => writeln!(out, "  - {c} {}: {}", ctl.title, ctl.requirement)?,
            None => writeln!(out, "  - {c}")?,
        }
    }
    writeln!(out, "\n{}", d.summary)?;
    write!(out, "\n{}", d.body.trim_start())?;
    Ok(EXIT_OK)
}
