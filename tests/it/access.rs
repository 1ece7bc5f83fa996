//! `phi-audit access` (who can reach PHI) and PM007 over many methods, through the real
//! binary and the library.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{fixture, phi_audit, scan_files, stderr, stdout};

fn demo_access(extra: &[&str]) -> std::process::Output {
    let authz = fixture("demo/clinic-authz.json");
    let config = fixture("demo/phi-audit.toml");
    let mut args = vec![
        "access",
        "--authz-details",
        authz.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    phi_audit(&args)
}

#[test]
fn access_lists_who_can_read_the_demo_phi_bucket() {
    let out = demo_access(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("PHI resource arn:aws:s3:::phi-*"), "{text}");
    for needle in [
        "role/ehr-api-task",
        "policy ehr-api-data",
        "role/patient-portal-lambda",
        "AWSReservedSSO_ClinicianReadOnly_abcdef1234567890",
        "user/it.admin",
        "AdministratorAccess through group Admins",
        "conditional",
        "resource-based policies not evaluated",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn access_json_for_one_bucket_and_action() {
    let out = demo_access(&[
        "--resource",
        "arn:aws:s3:::phi-records-prod",
        "--action",
        "s3:GetObject",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(
        doc["resources"],
        serde_json::json!(["arn:aws:s3:::phi-records-prod"])
    );
    let rows = doc["rows"].as_array().unwrap();
    let readers: BTreeSet<&str> = rows
        .iter()
        .map(|r| {
            assert_eq!(r["access"], "read");
            assert_eq!(r["actions"], serde_json::json!(["s3:GetObject"]));
            assert!(!r["granted_by"].as_array().unwrap().is_empty(), "{r}");
            r["principal"].as_str().unwrap().rsplit('/').next().unwrap()
        })
        .collect();
    for who in [
        "ehr-api-task",
        "patient-portal-lambda",
        "ClinicAdmins",
        "it.admin",
    ] {
        assert!(readers.contains(who), "{who} missing from {readers:?}");
    }
    // The developer's sandbox reaches clinic-dev-* only.
    assert!(!readers.contains("developer"), "{readers:?}");
    // Conditional rows say why.
    for r in rows.iter().filter(|r| r["decision"] == "conditional") {
        assert!(!r["reasons"].as_array().unwrap().is_empty(), "{r}");
    }
}

#[test]
fn access_without_any_phi_resource_is_a_usage_error() {
    let authz = fixture("demo/clinic-authz.json");
    let out = phi_audit(&["access", "--authz-details", authz.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--resource"), "{}", stderr(&out));
}

#[test]
fn pm007_fires_on_at_least_fifteen_distinct_methods() {
    let report = scan_files(&[fixture("rules/PM007/methods.json")], None);
    let mut methods = BTreeSet::new();
    let mut roles = 0;
    for f in report.findings.iter().filter(|f| f.rule == "PM007") {
        roles += 1;
        // Role pe-<method id> holds exactly that method's actions.
        let want = f.resource.rsplit("role/pe-").next().unwrap();
        let got: Vec<&str> = f.evidence["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        assert_eq!(got, vec![want], "{}", f.message);
        for a in f.evidence["methods"][0]["actions"].as_array().unwrap() {
            assert_eq!(a["decision"], "allowed");
            assert!(
                a["granted_by"][0]["policy"]
                    .as_str()
                    .unwrap()
                    .ends_with("#method"),
                "{a}"
            );
        }
        methods.insert(want.to_string());
    }
    assert!(methods.len() >= 15, "{methods:?}");
    assert_eq!(roles, methods.len());
}
