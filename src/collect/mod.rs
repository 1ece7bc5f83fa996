//! Live collection through the AWS SDK for Rust: one file per service, each filling
//! its part of the snapshot and recording a coverage entry (ok / denied / error /
//! unsupported, with the AWS error code and message).
//!
//! Read-only by construction: collectors call only the operations listed in their
//! `OPERATIONS` (List/Get/Describe/Generate-report), `phi-audit permissions` prints
//! exactly that list as an IAM policy, and a test checks every call a scan makes
//! against it. Secrets (secret access keys, session tokens) are never requested,
//! never stored, never printed.

pub mod accessanalyzer;
pub mod cloudtrail;
pub mod ec2;
pub mod iam;
pub mod organizations;
pub mod progress;
pub mod sts;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, Result};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_iam::config::SharedCredentialsProvider;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use chrono::{DateTime, Utc};

use crate::snapshot::{AccountInfo, CoverageStatus, Snapshot, Source, SourceCoverage, SourceKind};

/// How to reach AWS. Defaults follow the standard credential chain and config files.
#[derive(Clone, Debug, Default)]
pub struct LiveOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    pub endpoint_url: Option<String>,
    /// Whole-operation timeout (all attempts), seconds.
    pub operation_timeout: u64,
    /// Attempts per operation (1 = no retries).
    pub max_attempts: u32,
    /// Longest wait for the credential report to be generated, seconds.
    pub report_wait: u64,
    /// Regions for regional checks; `None`: the account's enabled regions.
    pub regions: Option<Vec<String>>,
    /// A role in the management account (or a delegated administrator) to read SCPs through.
    pub org_role_arn: Option<String>,
    pub progress: bool,
}

impl LiveOptions {
    pub const DEFAULT_OPERATION_TIMEOUT: u64 = 60;
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
    pub const DEFAULT_REPORT_WAIT: u64 = 120;
}

/// Every API operation phi-audit may call, as IAM actions. The union of the
/// collectors' lists: `phi-audit permissions` prints it, a test checks real calls against it.
pub fn operations() -> Vec<&'static str> {
    let mut ops: Vec<&'static str> = sts::OPERATIONS
        .iter()
        .chain(iam::OPERATIONS)
        .chain(ec2::OPERATIONS)
        .chain(organizations::OPERATIONS)
        .chain(accessanalyzer::OPERATIONS)
        .chain(cloudtrail::OPERATIONS)
        .copied()
        .collect();
    ops.sort_unstable();
    ops.dedup();
    ops
}

/// The least-privilege, read-only policy phi-audit's collection needs.
pub fn permissions_policy() -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PhiAuditReadOnlyCollection",
            "Effect": "Allow",
            "Action": operations(),
            "Resource": "*"
        }]
    })
}

/// Counts every API operation the SDK clients execute (`iam:ListAccessKeys` → n).
#[derive(Clone, Debug, Default)]
pub struct CallCounter(Arc<Mutex<BTreeMap<String, u64>>>);

impl CallCounter {
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "phi-audit-call-counter"
    }

    // Once per operation (not per retry attempt), after the operation's own config
    // layer (which carries its Metadata) is in the bag; `read_before_execution` runs
    // too early for client-level interceptors to see it.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _rc: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(md) = cfg.load::<Metadata>() {
            let key = format!("{}:{}", iam_prefix(md.service()), md.name());
            if let Ok(mut m) = self.0.lock() {
                *m.entry(key).or_default() += 1;
            }
        }
        Ok(())
    }
}

/// The IAM action prefix of an SDK service name (`AccessAnalyzer` → `access-analyzer`).
fn iam_prefix(service: &str) -> String {
    match service {
        "AccessAnalyzer" => "access-analyzer".into(),
        other => other.to_ascii_lowercase(),
    }
}

/// The shared SDK configuration: credential chain (or an assumed audit role),
/// region, endpoint, explicit timeouts and standard retries with backoff
/// (throttling and 5xx are retried; AccessDenied is not).
pub async fn sdk_config(opts: &LiveOptions) -> Result<aws_config::SdkConfig> {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(opts.operation_timeout.clamp(1, 30)))
        .operation_attempt_timeout(Duration::from_secs(opts.operation_timeout.clamp(1, 30)))
        .operation_timeout(Duration::from_secs(opts.operation_timeout.max(1)))
        .build();
    let retry = RetryConfig::standard()
        .with_max_attempts(opts.max_attempts.max(1))
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(10));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(retry);
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let mut config = loader.load().await;
    if config.region().is_none() {
        // IAM and STS are global; a region is still needed to sign. us-east-1 is IAM's home.
        config = config
            .into_builder()
            .region(aws_config::Region::new("us-east-1"))
            .build();
    }
    if let Some(role) = &opts.role_arn {
        config = assume(&config, role, opts.external_id.as_deref()).await;
    }
    Ok(config)
}

/// The same configuration with credentials of an assumed role (session name `phi-audit`).
pub async fn assume(
    config: &aws_config::SdkConfig,
    role: &str,
    external_id: Option<&str>,
) -> aws_config::SdkConfig {
    let mut b = AssumeRoleProvider::builder(role)
        .session_name("phi-audit")
        .configure(config);
    if let Some(id) = external_id {
        b = b.external_id(id);
    }
    let provider = b.build().await;
    config
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

/// A failed call, classified for coverage: the AWS error code and message.
pub fn classify<E>(
    err: &aws_smithy_runtime_api::client::result::SdkError<E, HttpResponse>,
) -> (CoverageStatus, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let http = se.raw().status().as_u16();
            let Some(code) = e.code() else {
                // No AWS error code: an emulator or proxy that does not implement the API.
                let status = if matches!(http, 404 | 405 | 500 | 501) {
                    CoverageStatus::Unsupported
                } else {
                    CoverageStatus::Error
                };
                return (
                    status,
                    format!(
                        "HTTP {http} without an AWS error code (the endpoint may not implement this API)"
                    ),
                );
            };
            let msg = e.message().unwrap_or("").trim();
            let status = match code {
                "AccessDenied"
                | "AccessDeniedException"
                | "UnauthorizedOperation"
                | "UnauthorizedAccess"
                | "AuthorizationError" => CoverageStatus::Denied,
                "NotImplemented"
                | "UnsupportedOperation"
                | "InvalidAction"
                | "UnknownOperationException" => CoverageStatus::Unsupported,
                _ => CoverageStatus::Error,
            };
            (
                status,
                format!("{code}: {msg}")
                    .trim_end_matches([':', ' '])
                    .to_string(),
            )
        }
        SdkError::TimeoutError(_) => (
            CoverageStatus::Error,
            "timed out (operation timeout reached)".into(),
        ),
        SdkError::DispatchFailure(d) => {
            let detail = match d.as_connector_error() {
                Some(c) => error_chain(c),
                None => error_chain(err),
            };
            let what = if d.is_io() || d.is_timeout() {
                "cannot reach the endpoint"
            } else {
                "request not sent"
            };
            (CoverageStatus::Error, format!("{what}: {detail}"))
        }
        SdkError::ConstructionFailure(_) => (
            CoverageStatus::Error,
            format!("request not sent: {}", error_chain(err)),
        ),
        SdkError::ResponseError(_) => (
            CoverageStatus::Unsupported,
            format!(
                "unparseable response (the endpoint may not implement this API): {}",
                aws_smithy_types::error::display::DisplayErrorContext(err)
            ),
        ),
        _ => (
            CoverageStatus::Error,
            aws_smithy_types::error::display::DisplayErrorContext(err).to_string(),
        ),
    }
}

/// An error and its sources as one line (`a: b: c`), without Debug dumps, deduplicated
/// where a wrapper repeats its source's text.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let text = err.to_string();
        if !text.is_empty() && !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = err.source();
    }
    parts.join(": ")
}

pub fn coverage(
    source: Source,
    status: CoverageStatus,
    detail: impl Into<String>,
) -> SourceCoverage {
    SourceCoverage {
        source: source.id().into(),
        status,
        detail: detail.into(),
    }
}

pub fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// Collect a live snapshot. Fails (exit 2) only when the caller's identity cannot be
/// established; any other source that is denied or broken becomes a coverage entry.
pub async fn collect(opts: &LiveOptions) -> Result<Snapshot> {
    let collected_at = Utc::now();
    let config = sdk_config(opts).await?;
    let counter = CallCounter::default();
    let progress = progress::Progress::new(opts.progress);

    let caller = sts::caller_identity(&config, &counter, &progress)
        .await
        .context("cannot establish who is calling (sts:GetCallerIdentity); check credentials, --profile, --role-arn and --endpoint-url")?;
    let partition = crate::snapshot::arn_account(&caller.arn)
        .map(|(p, _)| p.to_string())
        .unwrap_or_else(|| "aws".into());

    let mut snap = Snapshot::empty(
        AccountInfo {
            id: caller.account.clone(),
            alias: None,
            partition,
        },
        Some(caller),
        collected_at,
        SourceKind::Live,
        vec![coverage(
            Source::CallerIdentity,
            CoverageStatus::Ok,
            "sts:GetCallerIdentity",
        )],
    );
    let org_config = match &opts.org_role_arn {
        Some(role) => Some(assume(&config, role, None).await),
        None => None,
    };
    let account_id = snap.account.id.clone();
    let others = async {
        let regional = async {
            let (region_cov, regions) = match &opts.regions {
                Some(r) => (
                    coverage(
                        Source::Regions,
                        CoverageStatus::Ok,
                        format!("{} region(s) from --regions", r.len()),
                    ),
                    Some(r.clone()),
                ),
                None => ec2::enabled_regions(&config, &counter, &progress).await,
            };
            let analyzers = match &regions {
                Some(r) => accessanalyzer::collect(&config, &counter, &progress, r).await,
                None => (
                    coverage(
                        Source::AccessAnalyzer,
                        CoverageStatus::Error,
                        "not collected: the regions to scan are unknown",
                    ),
                    None,
                ),
            };
            (region_cov, regions, analyzers)
        };
        tokio::join!(
            organizations::collect(
                &config,
                org_config.as_ref(),
                &counter,
                &progress,
                &account_id
            ),
            regional,
            cloudtrail::collect(&config, &counter, &progress),
        )
    };
    let (_, ((org_cov, scp_cov, org), (region_cov, regions, (aa_cov, aa)), (trail_cov, trails))) = tokio::join!(
        iam::collect(&config, &counter, &progress, opts, &mut snap),
        others
    );
    snap.coverage
        .extend([org_cov, scp_cov, region_cov, aa_cov, trail_cov]);
    snap.organization = org;
    snap.regions = regions;
    snap.access_analyzer = aa;
    snap.cloudtrail = trails;
    progress.finish();
    snap.api_calls = counter.snapshot();
    // Coverage in a fixed order, whatever order the collectors finished in.
    snap.coverage.sort_by_key(|c| {
        Source::from_id(&c.source).map(|s| Source::ALL.iter().position(|x| *x == s))
    });
    Ok(snap)
}
