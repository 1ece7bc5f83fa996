//! The organization and monitoring rules (OG001, OG002, MN001, MN002, MN004) on the offline
//! demo snapshot (`fixtures/demo/clinic-snapshot.json`, made by
//! `scripts/make_demo_snapshot.py`), and the guarantee that missing data is never a pass.

use std::collections::BTreeSet;

use phi_audit::config::Settings;
use phi_audit::report::Report;
use phi_audit::rules::{Evaluated, Selection};
use phi_audit::snapshot::{CoverageStatus, Snapshot, Source, load_snapshot};
use serde_json::Value;

use crate::support::{fixture, phi_audit, root, scan_files, stdout, triples};

const RULES: [&str; 5] = ["OG001", "OG002", "MN001", "MN002", "MN004"];
const ORG_ACCOUNT: &str = "arn:aws:organizations::246813579024:account/o-7h2k9d4m1x/123456789012";

fn demo_snapshot() -> Snapshot {
    load_snapshot(&fixture("demo/clinic-snapshot.json")).expect("demo snapshot")
}

fn evaluate(snap: &Snapshot) -> Report {
    phi_audit::evaluate(snap, &Settings::default(), &Selection::default()).unwrap()
}

fn ours(r: &Report) -> BTreeSet<(String, String, String)> {
    triples(r)
        .into_iter()
        .filter(|(rule, _, _)| RULES.contains(&rule.as_str()))
        .collect()
}

fn evaluated(r: &Report, code: &str) -> Evaluated {
    r.evaluated
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, e)| *e)
        .unwrap_or_else(|| panic!("{code} not in the evaluation"))
}

#[test]
fn demo_snapshot_fires_the_planted_organization_and_monitoring_findings() {
    let report = scan_files(
        &[fixture("demo/clinic-snapshot.json")],
        Some(&fixture("demo/phi-audit.toml")),
    );
    let want: BTreeSet<(String, String, String)> = [
        ("OG001", ORG_ACCOUNT, "high"),
        (
            "MN001",
            "arn:aws:access-analyzer:us-west-2:123456789012:analyzer",
            "medium",
        ),
        ("MN002", "arn:aws:s3:::phi-records-prod", "high"),
        ("MN004", "arn:aws:iam::123456789012:root", "high"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(ours(&report), want);
    for code in RULES {
        assert_eq!(evaluated(&report, code), Evaluated::Full, "{code}");
    }

    // OG001: exactly the three guardrails the clinic's SCPs lack, one finding each.
    let og: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "OG001")
        .collect();
    let ids: Vec<&str> = og
        .iter()
        .map(|f| f.evidence["guardrail"]["id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec!["deny-iam-users", "deny-public-ami", "deny-public-s3"]
    );
    let fingerprints: BTreeSet<&str> = og.iter().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!(fingerprints.len(), 3, "one fingerprint per guardrail");
    let s3 = og
        .iter()
        .find(|f| f.evidence["guardrail"]["id"] == "deny-public-s3")
        .unwrap();
    assert_eq!(
        s3.message,
        "SCP guardrail deny-public-s3 is missing for account 123456789012: no SCP on Root → Workloads → Prod → 123456789012 blocks s3:PutAccountPublicAccessBlock, s3:PutBucketPublicAccessBlock"
    );
    assert_eq!(
        s3.controls,
        vec![
            "HIPAA-164.312(b)",
            "HIPAA-164.312(a)(1)",
            "SOC2-CC6.1",
            "SOC2-CC6.6",
            "SOC2-CC7.2"
        ]
    );
    let path: Vec<&str> = s3.evidence["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["target_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        path,
        vec![
            "r-7h2k",
            "ou-7h2k-wk8d5x2q",
            "ou-7h2k-p3r8d0a1",
            "123456789012"
        ]
    );

    // MN002 names the analyzer finding; MN004 names the trail and why it falls short.
    let mn2 = report.findings.iter().find(|f| f.rule == "MN002").unwrap();
    assert_eq!(
        mn2.evidence["finding_id"],
        "0d6a7b3e-4c1f-4b8e-9a52-7f3c1e2d9b40"
    );
    assert_eq!(mn2.evidence["analyzer"]["name"], "clinic-account-analyzer");
    assert_eq!(mn2.resource_type, "AWS::S3::Bucket");
    let mn4 = report.findings.iter().find(|f| f.rule == "MN004").unwrap();
    assert!(
        mn4.message.ends_with(
            "(clinic-audit: single-region (home region us-east-1), log file validation off)"
        ),
        "{}",
        mn4.message
    );
    let mn1 = report.findings.iter().find(|f| f.rule == "MN001").unwrap();
    assert!(
        mn1.message
            .starts_with("us-west-2: no IAM Access Analyzer analyzer"),
        "{}",
        mn1.message
    );
}

#[test]
fn the_present_guardrails_are_evaluated_not_assumed() {
    // protect-cloudtrail and deny-leave-org are present through clinic-baseline-guardrails
    // (the break-glass carve-out names one role). Removing that SCP's attachment makes them
    // missing too: the rule reads the SCP content, not the SCP names.
    let mut snap = demo_snapshot();
    let org = snap.organization.as_mut().unwrap();
    org.path.as_mut().unwrap()[1]
        .policy_ids
        .retain(|p| p != "p-4q9m2x7c");
    let report = evaluate(&snap);
    let mut ids: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule == "OG001")
        .map(|f| f.evidence["guardrail"]["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        vec![
            "deny-iam-users",
            "deny-leave-org",
            "deny-public-ami",
            "deny-public-s3",
            "protect-cloudtrail"
        ]
    );
}

#[test]
fn og001_fixture_reports_exactly_the_guardrails_expected_json_lists() {
    let dir = root().join("fixtures/rules/OG001");
    let report = scan_files(&[dir.join("fires.json")], None);
    let expected: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let want: BTreeSet<&str> = expected
        .iter()
        .map(|e| e["guardrail"].as_str().unwrap())
        .collect();
    let got: BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule == "OG001")
        .map(|f| f.evidence["guardrail"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, want);
    // The look-alike S3 lock is set aside because its condition exempts everyone.
    let s3 = report
        .findings
        .iter()
        .find(|f| f.rule == "OG001" && f.evidence["guardrail"]["id"] == "deny-public-s3")
        .unwrap();
    let not_counted = &s3.evidence["action_sets"][0]["results"][0]["not_counted"][0];
    assert_eq!(not_counted["scp_name"], "s3-block-public-access-lock");
    assert!(
        not_counted["reason"]
            .as_str()
            .unwrap()
            .contains("exempts every principal")
    );

    // The near-miss reaches all five through different levels: cloudtrail:* at the root,
    // an allow-list at Workloads (IAM users, leaving), a lock at Prod, a Deny at the account.
    let near = load_snapshot(&dir.join("near-miss.json")).unwrap();
    let org = near.organization.as_ref().unwrap();
    assert!(org.path.as_ref().unwrap()[1].policy_ids == vec!["p-allowlist"]);
    assert!(evaluate(&near).findings.iter().all(|f| f.rule != "OG001"));
}

#[test]
fn missing_or_partial_data_is_not_evaluated_never_passed() {
    // SCP content unreadable (a member account scanned without --org-role-arn).
    let mut snap = demo_snapshot();
    let scps = snap
        .coverage
        .iter_mut()
        .find(|c| c.source == Source::ServiceControlPolicies.id())
        .unwrap();
    scps.status = CoverageStatus::Denied;
    scps.detail = "ListParents: AccessDenied".into();
    snap.organization.as_mut().unwrap().path = None;
    // One Access Analyzer region denied: the source is not ok.
    let aa = snap
        .coverage
        .iter_mut()
        .find(|c| c.source == Source::AccessAnalyzer.id())
        .unwrap();
    aa.status = CoverageStatus::Denied;
    aa.detail = "1 of 2 region(s) not collected (us-west-2: ListAnalyzers: AccessDenied)".into();
    let region = &mut snap.access_analyzer.as_mut().unwrap()[1];
    region.status = CoverageStatus::Denied;
    region.detail = "ListAnalyzers: AccessDenied".into();
    let report = evaluate(&snap);
    for code in ["OG001", "MN001", "MN002"] {
        assert_eq!(evaluated(&report, code), Evaluated::No, "{code}");
        assert!(report.findings.iter().all(|f| f.rule != code), "{code}");
    }
    assert_eq!(evaluated(&report, "OG002"), Evaluated::Full);
    assert_eq!(evaluated(&report, "MN004"), Evaluated::Full);
    let cov = report
        .coverage
        .iter()
        .find(|c| c.source == "accessanalyzer.analyzers")
        .unwrap();
    assert!(
        cov.detail.contains("us-west-2") && cov.detail.contains("not evaluated: MN001, MN002"),
        "{}",
        cov.detail
    );

    // An authorization-details export has none of these sources.
    let export = scan_files(&[fixture("demo/clinic-authz.json")], None);
    for code in RULES {
        assert_eq!(evaluated(&export, code), Evaluated::No, "{code}");
    }
}

#[test]
fn not_in_an_organization_and_the_management_account_are_og002_not_passes() {
    let mut snap = demo_snapshot();
    snap.organization.as_mut().unwrap().is_management_account = true;
    let report = evaluate(&snap);
    let og2: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "OG002")
        .collect();
    assert_eq!(og2.len(), 1, "{og2:?}");
    assert!(
        og2[0]
            .message
            .contains("is the management account of organization o-7h2k9d4m1x")
    );
    // OG001 does not treat the attached SCPs as protecting it: all five are missing.
    let og1: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "OG001")
        .collect();
    assert_eq!(og1.len(), 5);
    assert!(og1.iter().all(|f| {
        f.resource == ORG_ACCOUNT
            && f.message
                .contains("SCPs never apply to the management account")
    }));

    snap.organization = None;
    let report = evaluate(&snap);
    let og: BTreeSet<(String, String, String)> = triples(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("OG"))
        .collect();
    let root = "arn:aws:iam::123456789012:root".to_string();
    let want: BTreeSet<(String, String, String)> = [
        ("OG001".to_string(), root.clone(), "high".to_string()),
        ("OG002".to_string(), root, "medium".to_string()),
    ]
    .into();
    assert_eq!(og, want);
    assert_eq!(
        report.findings.iter().filter(|f| f.rule == "OG001").count(),
        5
    );
    for code in ["OG001", "OG002"] {
        assert_eq!(evaluated(&report, code), Evaluated::Full, "{code}");
    }
}

#[test]
fn explain_prints_the_guardrail_docs() {
    let out = phi_audit(&["explain", "OG001"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    for needle in [
        "deny-public-ami",
        "ArnNotLike",
        "Allow-list",
        "CONSOLIDATED_BILLING",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn accounts_of_the_organization_are_not_outside_accounts() {
    // The vendor account is outside the clinic's organization: TR002 and TR004 fire.
    let vendor_role = "arn:aws:iam::123456789012:role/claims-vendor-integration";
    let has = |r: &Report, rule: &str| {
        r.findings
            .iter()
            .any(|f| f.rule == rule && f.resource == vendor_role)
    };
    let mut snap = demo_snapshot();
    let before = evaluate(&snap);
    assert!(has(&before, "TR002") && has(&before, "TR004"));
    // Once ListAccounts shows it as a member, it is neither outside nor external.
    snap.organization
        .as_mut()
        .unwrap()
        .accounts
        .as_mut()
        .unwrap()
        .push("999988887777".into());
    let after = evaluate(&snap);
    assert!(!has(&after, "TR002") && !has(&after, "TR004"));
    // The management account is known to members through DescribeOrganization alone.
    let mut snap = demo_snapshot();
    let org = snap.organization.as_mut().unwrap();
    org.accounts = None;
    org.management_account_id = "999988887777".into();
    assert!(!has(&evaluate(&snap), "TR004"));
}
