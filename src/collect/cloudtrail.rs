//! CloudTrail: every trail visible from the home region (shadow trails of multi-region
//! trails included), with GetTrailStatus and GetEventSelectors (basic or advanced).

use aws_sdk_cloudtrail::Client;
use serde_json::{Value, json};

use super::{CallCounter, classify, coverage, progress::Progress};
use crate::snapshot::{CoverageStatus, Source, SourceCoverage, Trail};

pub const OPERATIONS: &[&str] = &[
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
];

pub async fn collect(
    config: &aws_config::SdkConfig,
    counter: &CallCounter,
    progress: &Progress,
) -> (SourceCoverage, Option<Vec<Trail>>) {
    let client = Client::from_conf(
        aws_sdk_cloudtrail::config::Builder::from(config)
            .interceptor(counter.clone())
            .build(),
    );
    let line = progress.start("cloudtrail.trails");
    let described = match client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
    {
        Ok(o) => o,
        Err(e) => {
            let (status, detail) = classify(&e);
            line.done(&detail);
            return (
                coverage(
                    Source::CloudTrail,
                    status,
                    format!("DescribeTrails: {detail}"),
                ),
                None,
            );
        }
    };
    let mut trails = Vec::new();
    let mut problems = Vec::new();
    for t in described.trail_list() {
        let arn = t.trail_arn().unwrap_or_default().to_string();
        let mut trail = Trail {
            name: t.name().unwrap_or_default().to_string(),
            arn: arn.clone(),
            home_region: t.home_region().unwrap_or_default().to_string(),
            is_multi_region: t.is_multi_region_trail().unwrap_or(false),
            is_organization_trail: t.is_organization_trail().unwrap_or(false),
            log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
            s3_bucket: t.s3_bucket_name().map(str::to_string),
            is_logging: None,
            event_selectors: None,
        };
        match client.get_trail_status().name(&arn).send().await {
            Ok(s) => trail.is_logging = s.is_logging(),
            Err(e) => problems.push(format!("GetTrailStatus {}: {}", trail.name, classify(&e).1)),
        }
        match client.get_event_selectors().trail_name(&arn).send().await {
            Ok(s) => trail.event_selectors = Some(selectors_json(&s)),
            Err(e) => problems.push(format!(
                "GetEventSelectors {}: {}",
                trail.name,
                classify(&e).1
            )),
        }
        trails.push(trail);
    }
    trails.sort_by(|a, b| a.arn.cmp(&b.arn));
    let (status, detail) = if problems.is_empty() {
        (CoverageStatus::Ok, format!("{} trail(s)", trails.len()))
    } else {
        (
            CoverageStatus::Error,
            format!("{} trail(s); {}", trails.len(), problems.join("; ")),
        )
    };
    line.done(&detail);
    (coverage(Source::CloudTrail, status, detail), Some(trails))
}

fn selectors_json(
    s: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> Value {
    if !s.advanced_event_selectors().is_empty() {
        let adv: Vec<Value> = s
            .advanced_event_selectors()
            .iter()
            .map(|a| {
                json!({
                    "Name": a.name(),
                    "FieldSelectors": a.field_selectors().iter().map(|f| json!({
                        "Field": f.field(),
                        "Equals": f.equals(),
                        "StartsWith": f.starts_with(),
                        "EndsWith": f.ends_with(),
                        "NotEquals": f.not_equals(),
                        "NotStartsWith": f.not_starts_with(),
                        "NotEndsWith": f.not_ends_with(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        return json!({ "AdvancedEventSelectors": adv });
    }
    let basic: Vec<Value> = s
        .event_selectors()
        .iter()
        .map(|e| {
            json!({
                "ReadWriteType": e.read_write_type().map(|r| r.as_str()),
                "IncludeManagementEvents": e.include_management_events(),
                "DataResources": e.data_resources().iter().map(|d| json!({"Type": d.r#type(), "Values": d.values()})).collect::<Vec<_>>(),
                "ExcludeManagementEventSources": e.exclude_management_event_sources(),
            })
        })
        .collect();
    json!({ "EventSelectors": basic })
}
