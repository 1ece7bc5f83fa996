//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use phi_audit::config::Settings;
use phi_audit::report::Report;
use phi_audit::rules::Selection;
use phi_audit::snapshot;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// The demo's collection time: ages in the demo are measured from here.
pub const DEMO_AS_OF: &str = "2026-11-20T00:00:00Z";

/// Run the real binary, isolated from the user's config, AWS environment and terminal.
pub fn phi_audit(args: &[&str]) -> Output {
    phi_audit_in(&std::env::temp_dir(), args)
}

pub fn phi_audit_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phi-audit"))
        .args(args)
        .current_dir(dir)
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .output()
        .expect("run phi-audit")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Scan authz-details files through the library with a config file (or defaults).
pub fn scan_files(files: &[PathBuf], config: Option<&Path>) -> Report {
    // A phi-audit snapshot fixture (it has `schema_version`) or authz-details pages.
    let is_snapshot = files.len() == 1
        && std::fs::read_to_string(&files[0])
            .is_ok_and(|t| t.trim_start().starts_with('{') && t.contains("\"schema_version\""));
    let snap = if is_snapshot {
        snapshot::load_snapshot(&files[0]).unwrap_or_else(|e| panic!("load {files:?}: {e:#}"))
    } else {
        snapshot::load_authz_details(files, Some(snapshot::parse_time(DEMO_AS_OF).unwrap()))
            .unwrap_or_else(|e| panic!("load {files:?}: {e:#}"))
    };
    let settings = match config {
        Some(p) => phi_audit::config::load(Some(p)).unwrap().0,
        None => Settings::default(),
    };
    phi_audit::evaluate(&snap, &settings, &Selection::default()).unwrap()
}

/// (rule, resource, severity) of every finding, in report order.
pub fn triples(r: &Report) -> Vec<(String, String, String)> {
    r.findings
        .iter()
        .map(|f| {
            (
                f.rule.to_string(),
                f.resource.clone(),
                f.severity.to_string(),
            )
        })
        .collect()
}
