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
    /// Show the control → rules → result matrix (HIPAA, SOC 2, NIST CSF) for a source.
    Controls(ControlsArgs),
    /// Record the current findings as accepted, for `scan --baseline`.
    Baseline(BaselineArgs),
    /// Collect the account's IAM data from AWS (read-only) and write a snapshot file.
    Collect(CollectArgs),
    /// Print the read-only IAM policy phi-audit's collection needs.
    Permissions,
    /// Who can reach PHI: per PHI resource, the principals that can read, write or decrypt it.
    Access(AccessArgs),
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

    #[command(flatten)]
    pub live: LiveArgs,
}

/// Live collection (the default source when no file is given).
#[derive(Debug, Args, Clone, Default)]
pub struct LiveArgs {
    /// Named profile from the AWS config files (default: the standard credential chain).
    #[arg(long, value_name = "NAME", help_heading = "Live AWS source")]
    pub profile: Option<String>,

    /// Home region for API calls (default: from the environment or profile, else us-east-1).
    #[arg(long, value_name = "REGION", help_heading = "Live AWS source")]
    pub region: Option<String>,

    /// Assume this audit role first (session name `phi-audit`).
    #[arg(long, value_name = "ARN", help_heading = "Live AWS source")]
    pub role_arn: Option<String>,

    /// ExternalId for --role-arn.
    #[arg(
        long,
        value_name = "ID",
        requires = "role_arn",
        help_heading = "Live AWS source"
    )]
    pub external_id: Option<String>,

    /// Send every API call to this endpoint (also honoured: AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>).
    #[arg(long, value_name = "URL", help_heading = "Live AWS source")]
    pub endpoint_url: Option<String>,

    /// Give up on one API operation (all its retries) after this many seconds.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 60,
        help_heading = "Live AWS source"
    )]
    pub api_timeout: u64,

    /// Attempts per API operation; throttling and 5xx are retried with backoff, AccessDenied is not.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=10), help_heading = "Live AWS source")]
    pub max_attempts: u32,

    /// Longest wait for IAM to generate the credential report, in seconds.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 120,
        help_heading = "Live AWS source"
    )]
    pub report_wait: u64,

    /// Regions for regional checks (Access Analyzer), comma-separated (default: the account's enabled regions).
    #[arg(
        long,
        value_name = "REGIONS",
        value_delimiter = ',',
        help_heading = "Live AWS source"
    )]
    pub regions: Vec<String>,

    /// Read SCPs through this role in the management account (or a delegated administrator).
    #[arg(long, value_name = "ARN", help_heading = "Live AWS source")]
    pub org_role_arn: Option<String>,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub live: LiveArgs,

    /// Where to write the snapshot (JSON).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,

    /// Never show a progress display.
    #[arg(long)]
    pub no_progress: bool,
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

    /// Also write an evidence bundle to DIR: the snapshot, JSON/SARIF/HTML reports, the config used
    /// and a manifest with the sha256 of every file.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub evidence_dir: Option<PathBuf>,
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

    /// A file written by `phi-audit baseline`: its findings are reported as baselined and do not
    /// count towards --fail-on; the report says how many of them are fixed now.
    #[arg(long, value_name = "FILE", help_heading = "CI")]
    pub baseline: Option<PathBuf>,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Framework {
    Hipaa,
    Soc2,
    Csf,
}

impl Framework {
    /// The framework id used in the control catalogue.
    pub fn id(self) -> &'static str {
        match self {
            Framework::Hipaa => "hipaa",
            Framework::Soc2 => "soc2",
            Framework::Csf => "csf",
        }
    }
}

#[derive(Debug, Args)]
pub struct ControlsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub rules: RuleArgs,

    /// Only this framework's controls (default: all).
    #[arg(long, value_enum, help_heading = "Output")]
    pub framework: Option<Framework>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table", help_heading = "Output")]
    pub format: ControlsFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ControlsFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub rules: RuleArgs,

    /// Write the baseline to FILE (default: standard output).
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule code, e.g. PM001.
    pub code: String,
}

#[derive(Debug, Args)]
pub struct AccessArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Configuration file (default: ./phi-audit.toml when present); its `[phi] resources` are the
    /// resources reported on when no --resource is given.
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    pub config: Option<PathBuf>,

    /// Report on this ARN or ARN glob instead of the configured PHI resources (repeatable).
    #[arg(long, value_name = "ARN_GLOB", help_heading = "Query")]
    pub resource: Vec<String>,

    /// Only PHI data actions matching this action or pattern (e.g. s3:GetObject, kms:*).
    #[arg(long, value_name = "ACTION", help_heading = "Query")]
    pub action: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table", help_heading = "Output")]
    pub format: ControlsFormat,
}
