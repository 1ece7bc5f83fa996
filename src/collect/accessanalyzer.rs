//! IAM Access Analyzer, per region: the analyzers (external access and unused access)
//! and their ACTIVE findings (ListFindingsV2, paginated). Regions run concurrently
//! with a bound; a slow or denied region is recorded for that region and does not
//! stall or fail the others.

use aws_sdk_accessanalyzer::Client;
use aws_sdk_accessanalyzer::types::Criterion;
use futures::StreamExt;

use super::{CallCounter, classify, coverage, progress::Progress, to_chrono};
use crate::snapshot::{
    Analyzer, AnalyzerFinding, CoverageStatus, RegionAnalyzers, Source, SourceCoverage,
};

pub const OPERATIONS: &[&str] = &[
    "access-analyzer:ListAnalyzers",
    "access-analyzer:ListFindingsV2",
];

const REGIONS_IN_FLIGHT: usize = 4;

pub async fn collect(
    config: &aws_config::SdkConfig,
    counter: &CallCounter,
    progress: &Progress,
    regions: &[String],
) -> (SourceCoverage, Option<Vec<RegionAnalyzers>>) {
    let line = progress.start("accessanalyzer.analyzers");
    let mut results: Vec<RegionAnalyzers> = futures::stream::iter(regions.iter().cloned())
        .map(|region| async move {
            let client = Client::from_conf(
                aws_sdk_accessanalyzer::config::Builder::from(config)
                    .region(aws_config::Region::new(region.clone()))
                    .interceptor(counter.clone())
                    .build(),
            );
            in_region(&client, region).await
        })
        .buffer_unordered(REGIONS_IN_FLIGHT)
        .collect()
        .await;
    results.sort_by(|a, b| a.region.cmp(&b.region));
    let bad: Vec<&RegionAnalyzers> = results
        .iter()
        .filter(|r| r.status != CoverageStatus::Ok)
        .collect();
    let cov = if bad.is_empty() {
        let n: usize = results.iter().map(|r| r.findings.len()).sum();
        coverage(
            Source::AccessAnalyzer,
            CoverageStatus::Ok,
            format!("{} region(s), {n} active finding(s)", results.len()),
        )
    } else {
        // The worst status decides; every failed region is named.
        let status = bad
            .iter()
            .map(|r| r.status)
            .max()
            .unwrap_or(CoverageStatus::Error);
        let list: Vec<String> = bad
            .iter()
            .map(|r| format!("{}: {}", r.region, r.detail))
            .collect();
        coverage(
            Source::AccessAnalyzer,
            status,
            format!(
                "{} of {} region(s) not collected ({})",
                bad.len(),
                results.len(),
                list.join("; ")
            ),
        )
    };
    line.done(&cov.detail);
    (cov, Some(results))
}

async fn in_region(client: &Client, region: String) -> RegionAnalyzers {
    let mut out = RegionAnalyzers {
        region,
        status: CoverageStatus::Ok,
        detail: String::new(),
        analyzers: Vec::new(),
        findings: Vec::new(),
    };
    let mut pages = client.list_analyzers().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => out.analyzers.extend(p.analyzers().iter().map(|a| Analyzer {
                arn: a.arn().to_string(),
                name: a.name().to_string(),
                kind: a.r#type().as_str().to_string(),
                status: a.status().as_str().to_string(),
            })),
            Err(e) => {
                let (status, detail) = classify(&e);
                out.status = status;
                out.detail = format!("ListAnalyzers: {detail}");
                return out;
            }
        }
    }
    for analyzer in out.analyzers.iter().filter(|a| a.status == "ACTIVE") {
        let mut pages = client
            .list_findings_v2()
            .analyzer_arn(&analyzer.arn)
            .filter("status", Criterion::builder().eq("ACTIVE").build())
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            match page {
                Ok(p) => out
                    .findings
                    .extend(p.findings().iter().map(|f| AnalyzerFinding {
                        id: f.id().to_string(),
                        analyzer_arn: analyzer.arn.clone(),
                        resource: f.resource().map(str::to_string),
                        resource_type: Some(f.resource_type().as_str().to_string()),
                        resource_owner_account:
                            Some(f.resource_owner_account().to_string()).filter(|s| !s.is_empty()),
                        finding_type: f.finding_type().map(|t| t.as_str().to_string()),
                        status: f.status().as_str().to_string(),
                        created_at: to_chrono(f.created_at()),
                    })),
                Err(e) => {
                    let (status, detail) = classify(&e);
                    out.status = status;
                    out.detail = format!("ListFindingsV2 ({}): {detail}", analyzer.name);
                    return out;
                }
            }
        }
    }
    out.findings.sort_by(|a, b| a.id.cmp(&b.id));
    out
}
