//! `scan --evidence-dir DIR`: what an auditor asks for, in one directory.
//!
//! | file | content |
//! |---|---|
//! | `snapshot.json` | the snapshot the scan evaluated (`scan --snapshot` reproduces the findings) |
//! | `report.json`, `report.sarif`, `report.html` | the reports |
//! | `phi-audit.toml` or `config-defaults.txt` | a byte-for-byte copy of the config file used, or a note that built-in defaults were used |
//! | `baseline.json` | a copy of the `--baseline` file, when one was given |
//! | `manifest.json` | tool version, account, caller identity, `collected_at`, the generation time, the summary, and the size and sha256 of every other file |
//!
//! The manifest's `generated_at` is the only value in the bundle read from the
//! clock. Nothing here can hold a secret: the snapshot model has no field for
//! access keys or session tokens, and command-line arguments (which may carry an
//! external id) are not recorded.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::report::{self, Format, RenderOptions, Report};
use crate::snapshot::{AccountInfo, CallerIdentity, Snapshot, ToolInfo};

pub const MANIFEST_VERSION: u32 = 1;

/// What the bundle is made of.
pub struct Inputs<'a> {
    pub snapshot: &'a Snapshot,
    pub report: &'a Report,
    /// The config file the scan read, if any.
    pub config: Option<&'a Path>,
    /// The `--baseline` file, if any.
    pub baseline: Option<&'a Path>,
}

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub manifest_version: u32,
    pub tool: ToolInfo,
    pub account: AccountInfo,
    /// Who collected the data (`sts:GetCallerIdentity`); null for exported input.
    pub caller: Option<CallerIdentity>,
    pub collected_at: String,
    pub generated_at: String,
    pub source: &'static str,
    pub config: Option<String>,
    pub baseline: Option<String>,
    pub summary: report::Summary,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Serialize)]
pub struct FileEntry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    pub description: &'static str,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn render(format: Format, report: &Report) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    report::emitter(format).emit(report, &RenderOptions::default(), &mut buf)?;
    Ok(buf)
}

/// Write the bundle into `dir` (created when missing; files of the same names are
/// replaced). Returns the manifest.
pub fn write(dir: &Path, inputs: &Inputs<'_>) -> Result<Manifest> {
    if dir.exists() && !dir.is_dir() {
        bail!("{}: --evidence-dir must be a directory", dir.display());
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create evidence directory", dir.display()))?;

    let mut files: Vec<(String, Vec<u8>, &'static str)> = Vec::new();
    let mut snapshot = serde_json::to_vec_pretty(inputs.snapshot)?;
    snapshot.push(b'\n');
    files.push((
        "snapshot.json".into(),
        snapshot,
        "the snapshot that was evaluated; `phi-audit scan --snapshot snapshot.json` reproduces the findings",
    ));
    files.push((
        "report.json".into(),
        render(Format::Json, inputs.report)?,
        "JSON report (schema_version 1)",
    ));
    files.push((
        "report.sarif".into(),
        render(Format::Sarif, inputs.report)?,
        "SARIF 2.1.0 report",
    ));
    files.push((
        "report.html".into(),
        render(Format::Html, inputs.report)?,
        "human-readable report with the control matrix",
    ));
    let config = match inputs.config {
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("{}: cannot read config file", path.display()))?;
            files.push((
                "phi-audit.toml".into(),
                bytes,
                "copy of the configuration file the scan used",
            ));
            Some(path.display().to_string())
        }
        None => {
            files.push((
                "config-defaults.txt".into(),
                b"No configuration file was found or given: the scan used phi-audit's built-in defaults\n(no PHI selectors, so every resource of a PHI-capable service counts as possibly PHI;\nno known accounts; default thresholds and tag keys; no suppressions).\n".to_vec(),
                "note: no configuration file, built-in defaults were used",
            ));
            None
        }
    };
    let baseline = match inputs.baseline {
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("{}: cannot read baseline file", path.display()))?;
            files.push((
                "baseline.json".into(),
                bytes,
                "copy of the baseline the scan compared against",
            ));
            Some(path.display().to_string())
        }
        None => None,
    };

    let mut entries = Vec::new();
    for (name, bytes, description) in &files {
        let path: PathBuf = dir.join(name);
        std::fs::write(&path, bytes)
            .with_context(|| format!("{}: cannot write evidence file", path.display()))?;
        entries.push(FileEntry {
            path: name.clone(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
            description,
        });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let r = inputs.report;
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        tool: ToolInfo::current(),
        account: r.account.clone(),
        caller: inputs.snapshot.caller.clone(),
        collected_at: r.collected_at.clone(),
        generated_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        source: r.source,
        config,
        baseline,
        summary: r.summary.clone(),
        files: entries,
    };
    let mut text = serde_json::to_vec_pretty(&manifest)?;
    text.push(b'\n');
    let path = dir.join("manifest.json");
    std::fs::write(&path, text)
        .with_context(|| format!("{}: cannot write evidence file", path.display()))?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            super::sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
