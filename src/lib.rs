//! phi-audit: collect → snapshot → evaluate → report.
//!
//! `main` parses arguments and calls [`run`]; everything else is library code so
//! tests and benchmarks drive the same paths the binary does.

pub mod access;
pub mod baseline;
pub mod cli;
pub mod collect;
pub mod compliance;
pub mod config;
pub mod evidence;
pub mod fingerprint;
pub mod inventory;
pub mod policy;
pub mod report;
pub mod rules;
pub mod snapshot;
pub mod suppress;

use std::io::{IsTerminal, Write};

use anyhow::{Context as _, Result, anyhow, bail};

use crate::cli::{
    BaselineArgs, Cli, Command, ControlsArgs, ControlsFormat, ExplainArgs, FailOn, ListFormat,
    RuleArgs, RulesArgs, ScanArgs, SourceArgs,
};
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
        Command::Controls(args) => controls(args),
        Command::Baseline(args) => record_baseline(args),
        Command::Collect(args) => collect_command(args),
        Command::Permissions => permissions(),
        Command::Access(args) => access_command(args),
    }
}

/// Load the snapshot a SOURCE names (a file, or live collection with progress).
pub fn load_source(src: &SourceArgs) -> Result<Snapshot> {
    load_source_with(src, true)
}

/// Load the snapshot a SOURCE names; `progress` allows a progress display for live collection.
pub fn load_source_with(src: &SourceArgs, progress: bool) -> Result<Snapshot> {
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
    if as_of.is_some() {
        bail!("--as-of applies to --authz-details input; a live scan is collected now");
    }
    collect_live(&src.live, progress)
}

fn live_options(live: &cli::LiveArgs, progress: bool) -> collect::LiveOptions {
    collect::LiveOptions {
        profile: live.profile.clone(),
        region: live.region.clone(),
        role_arn: live.role_arn.clone(),
        external_id: live.external_id.clone(),
        endpoint_url: live.endpoint_url.clone(),
        operation_timeout: live.api_timeout,
        max_attempts: live.max_attempts,
        report_wait: live.report_wait,
        regions: (!live.regions.is_empty()).then(|| live.regions.clone()),
        org_role_arn: live.org_role_arn.clone(),
        progress,
    }
}

/// Collect a live snapshot: the one place a tokio runtime is started.
pub fn collect_live(live: &cli::LiveArgs, progress: bool) -> Result<Snapshot> {
    let opts = live_options(live, progress);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(collect::collect(&opts))
}

fn collect_command(args: cli::CollectArgs) -> Result<u8> {
    let snap = collect_live(&args.live, !args.no_progress)?;
    let mut text = serde_json::to_vec_pretty(&snap)?;
    text.push(b'\n');
    std::fs::write(&args.output, text)
        .with_context(|| format!("{}: cannot write snapshot", args.output.display()))?;
    let incomplete: Vec<&str> = snap
        .coverage
        .iter()
        .filter(|c| c.status != snapshot::CoverageStatus::Ok)
        .map(|c| c.source.as_str())
        .collect();
    if !incomplete.is_empty() {
        eprintln!(
            "warning: not collected: {} (see `coverage` in {})",
            incomplete.join(", "),
            args.output.display()
        );
    }
    Ok(EXIT_OK)
}

fn access_command(args: cli::AccessArgs) -> Result<u8> {
    let (settings, _) = config::load(args.config.as_deref())?;
    let snapshot = load_source(&args.source)?;
    let inv = Inventory::build(&snapshot).context("IAM data")?;
    let query = access::Query {
        resources: args.resource.clone(),
        action: args.action.clone(),
    };
    let matrix = access::build(&snapshot, &inv, &settings, &query)?;
    // Rendered in full first, so a closed pipe surfaces as an io::Error (not an error).
    let text = match args.format {
        ControlsFormat::Json => format!("{}\n", serde_json::to_string_pretty(&matrix.to_json())?),
        ControlsFormat::Table => {
            let width = std::io::stdout()
                .is_terminal()
                .then(terminal_width)
                .flatten();
            matrix.render_table(width)
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(EXIT_OK)
}

fn permissions() -> Result<u8> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &collect::permissions_policy())?;
    writeln!(out)?;
    Ok(EXIT_OK)
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

/// `--select`/`--ignore`, checked against the registry.
fn selection(rules: &RuleArgs) -> Result<Selection> {
    let selection = Selection {
        select: rules.select.clone(),
        ignore: rules.ignore.clone(),
    };
    selection
        .validate()
        .map_err(|e| anyhow!("--select/--ignore: {e}"))?;
    Ok(selection)
}

fn scan(args: ScanArgs) -> Result<u8> {
    let selection = selection(&args.rules)?;
    let (settings, config_path) = config::load(args.rules.config.as_deref())?;
    // A broken baseline is an input error: report it before doing any work.
    let accepted = args
        .ci
        .baseline
        .as_deref()
        .map(baseline::load)
        .transpose()?;
    let snapshot = load_source_with(&args.source, !args.output.no_progress)?;
    let mut report = evaluate(&snapshot, &settings, &selection)?;
    report.config_file = config_path.as_ref().map(|p| p.display().to_string());
    if let (Some(b), Some(path)) = (&accepted, args.ci.baseline.as_deref()) {
        baseline::apply(&mut report, b, path)?;
    }
    if let Some(dir) = &args.output.evidence_dir {
        evidence::write(
            dir,
            &evidence::Inputs {
                snapshot: &snapshot,
                report: &report,
                config: config_path.as_deref(),
                baseline: args.ci.baseline.as_deref(),
            },
        )?;
    }

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

fn record_baseline(args: BaselineArgs) -> Result<u8> {
    let selection = selection(&args.rules)?;
    let (settings, _) = config::load(args.rules.config.as_deref())?;
    let snapshot = load_source(&args.source)?;
    let report = evaluate(&snapshot, &settings, &selection)?;
    let accepted = baseline::Baseline::from_report(&snapshot, &report);
    let text = accepted.to_json();
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("{}: cannot write baseline", path.display()))?;
            eprintln!(
                "phi-audit: recorded {} finding{} in {}",
                accepted.findings.len(),
                if accepted.findings.len() == 1 {
                    ""
                } else {
                    "s"
                },
                path.display()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(EXIT_OK)
}

fn controls(args: ControlsArgs) -> Result<u8> {
    let selection = selection(&args.rules)?;
    let (settings, _) = config::load(args.rules.config.as_deref())?;
    let snapshot = load_source(&args.source)?;
    let report = evaluate(&snapshot, &settings, &selection)?;
    let framework = args.framework.map(cli::Framework::id);
    let rows = report::matrix::build(&report, framework);
    let mut out = std::io::stdout().lock();
    match args.format {
        ControlsFormat::Json => {
            let doc = report::matrix::to_json(&report, framework, &rows);
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        ControlsFormat::Table => {
            let width = std::io::stdout()
                .is_terminal()
                .then(terminal_width)
                .flatten();
            out.write_all(report::matrix::render_table(&report, &rows, width).as_bytes())?;
        }
    }
    out.flush()?;
    Ok(EXIT_OK)
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
    if d.controls.is_empty() {
        writeln!(
            out,
            "  none (the rule checks phi-audit's own configuration)"
        )?;
    }
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
