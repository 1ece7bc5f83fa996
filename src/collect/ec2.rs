//! EC2 DescribeRegions: the account's enabled regions, for regional checks
//! (Access Analyzer) when `--regions` is not given. Chosen because every account can
//! call it, it honours opt-in regions (disabled opt-in regions are left out), and the
//! SDK and moto both support it; `--regions` skips the call.

use super::{CallCounter, classify, coverage, progress::Progress};
use crate::snapshot::{CoverageStatus, Source, SourceCoverage};

pub const OPERATIONS: &[&str] = &["ec2:DescribeRegions"];

pub async fn enabled_regions(
    config: &aws_config::SdkConfig,
    counter: &CallCounter,
    progress: &Progress,
) -> (SourceCoverage, Option<Vec<String>>) {
    let client = aws_sdk_ec2::Client::from_conf(
        aws_sdk_ec2::config::Builder::from(config)
            .interceptor(counter.clone())
            .build(),
    );
    let line = progress.start("ec2.regions");
    match client.describe_regions().all_regions(false).send().await {
        Ok(out) => {
            let mut regions: Vec<String> = out
                .regions()
                .iter()
                .filter(|r| r.opt_in_status() != Some("not-opted-in"))
                .filter_map(|r| r.region_name().map(str::to_string))
                // Other partitions' regions are never reachable with these credentials.
                .filter(|r| {
                    !r.starts_with("cn-") && !r.starts_with("us-gov-") && !r.starts_with("us-iso")
                })
                .collect();
            regions.sort();
            let detail = format!(
                "{} enabled region(s) from ec2:DescribeRegions",
                regions.len()
            );
            line.done(&detail);
            (
                coverage(Source::Regions, CoverageStatus::Ok, detail),
                Some(regions),
            )
        }
        Err(e) => {
            let (status, detail) = classify(&e);
            let detail =
                format!("DescribeRegions: {detail} (pass --regions to choose regions yourself)");
            line.done(&detail);
            (coverage(Source::Regions, status, detail), None)
        }
    }
}
