//! Command-line interface (clap derive). Flags are grouped under help headings
//! as INTERFACE.md groups them: source, rules, output, CI.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "phi-audit",
    version,
    about = "Audit the IAM posture of AWS accounts that hold PHI, mapped to HIPAA and SOC 2 controls",
    long_about = "phi-audit reads an AWS account's IAM configuration (exported authorization details or a \
                  phi-audit snapshot), evaluates it against rules for accounts that hold protected health \
                  information, and maps every finding to the HIPAA Security Rule, SOC 2 and NIST CSF 2.0 \
                  controls it endangers.\n\nExit codes: 0 no finding at or above --fail-on; 1 at least one; \
                  2 usage, configuration or input error; 3 incomplete coverage with --require-complete."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load IAM data, evaluate the rules, and report findings.
    Scan(ScanArgs),
    /// List the rule catalogue: code, name, severity, controls.
    Rules(RulesArgs),
    /// Show one rule's documentation: what it finds, why it matters for PHI, an example, the fix.
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Output of `aws iam get-account-authorization-details` (AWS CLI or raw API shape). Repeat for several pages.
    #[arg(long = "authz-details", value_name = "FILE", help_heading = "Source")]
    pub authz_details: Vec<PathBuf>,

    /// A snapshot written by `phi-audit collect`.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "authz_details",
        help_heading = "Source"
    )]
    pub snapshot: Option<PathBuf>,

    /// Collection time for --authz-details input (RFC 3339); default: the newest file's modification time.
    /// Ages ("unused for 90 days") are measured from it.
    #[arg(long, value_name = "TIME", help_heading = "Source")]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Configuration file (default: ./phi-audit.toml when present).
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    pub config: Option<PathBuf>,

    /// Only these rules: codes or family prefixes, comma-separated (e.g. PM,TR001).
    #[arg(
        long,
        value_name = "CODES",
        value_delimiter = ',',
        help_heading = "Rules"
    )]
    pub select: Vec<String>,

    /// Skip these rules: codes or prefixes. The most specific of --select/--ignore wins.
    #[arg(
        long,
        value_name = "CODES",
        value_delimiter = ',',
        help_heading = "Rules"
    )]
    pub ignore: Vec<String>,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Report format.
    #[arg(long, value_enum, default_value = "table", help_heading = "Output")]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// Table format: findings only, no header, summary or coverage notes.
    #[arg(long, short = 'q', help_heading = "Output")]
    pub quiet: bool,

    /// Never show a progress display (it is also off when standard error is not a terminal or CI is set).
    #[arg(long, help_heading = "Output")]
    pub no_progress: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    None,
}

#[derive(Debug, Args)]
pub struct CiArgs {
    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value = "high", help_heading = "CI")]
    pub fail_on: FailOn,

    /// Exit 3 when a data source the selected rules need was absent or denied.
    #[arg(long, help_heading = "CI")]
    pub require_complete: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub ci: CiArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    /// The README's rule table.
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule code, e.g. PM001.
    pub code: String,
}
