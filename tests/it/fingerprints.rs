//! Fingerprints identify a finding across runs: they survive reordered entities,
//! statements and lists, the other export shape, and unrelated edits; they
//! change when the offending statement itself changes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::{fixture, scan_files};

pub fn demo_value() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("demo/clinic-authz.json")).unwrap())
        .unwrap()
}

/// Write a JSON value to a fresh temporary file.
pub fn temp_json(name: &str, v: &Value) -> PathBuf {
    let dir = crate::ci::scratch();
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p
}

/// (rule, resource) → fingerprints, for the demo config.
fn fingerprints(files: &[PathBuf]) -> BTreeMap<String, (String, String)> {
    let cfg = fixture("demo/phi-audit.toml");
    let r = scan_files(files, Some(&cfg));
    let mut out = BTreeMap::new();
    for f in &r.findings {
        let prev = out.insert(
            f.fingerprint.clone(),
            (f.rule.to_string(), f.resource.clone()),
        );
        assert!(prev.is_none(), "duplicate fingerprint {}", f.fingerprint);
    }
    assert!(out.len() >= 8, "{out:?}");
    out
}

fn reverse(v: &mut Value) {
    if let Some(a) = v.as_array_mut() {
        a.reverse();
    }
}

/// Reverse every entity list, every policy's statements and every action and
/// resource list in the export.
pub fn reorder_everything(doc: &mut Value) {
    for key in [
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ] {
        reverse(&mut doc[key]);
    }
    fn walk(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, child) in m.iter_mut() {
                    if matches!(
                        k.as_str(),
                        "Statement"
                            | "Action"
                            | "NotAction"
                            | "Resource"
                            | "NotResource"
                            | "AttachedManagedPolicies"
                            | "RolePolicyList"
                            | "UserPolicyList"
                            | "GroupPolicyList"
                            | "PolicyVersionList"
                            | "Tags"
                    ) {
                        reverse(child);
                    }
                    walk(child);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(doc);
}

fn policy_mut<'a>(doc: &'a mut Value, name: &str) -> &'a mut Value {
    doc["Policies"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["PolicyName"] == name)
        .unwrap_or_else(|| panic!("policy {name}"))
}

fn default_statements(policy: &mut Value) -> &mut Vec<Value> {
    let default = policy["DefaultVersionId"].as_str().unwrap().to_string();
    let v = policy["PolicyVersionList"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|v| v["VersionId"] == default.as_str())
        .unwrap();
    v["Document"]["Statement"].as_array_mut().unwrap()
}

#[test]
fn fingerprints_survive_reordering_of_entities_statements_and_lists() {
    let base = fingerprints(&[fixture("demo/clinic-authz.json")]);
    let mut doc = demo_value();
    reorder_everything(&mut doc);
    let reordered = fingerprints(&[temp_json("reordered.json", &doc)]);
    assert_eq!(base, reordered);
}

#[test]
fn fingerprints_agree_between_cli_and_raw_api_pages() {
    let base = fingerprints(&[fixture("demo/clinic-authz.json")]);
    let pages = fingerprints(&[
        fixture("demo/raw-pages/page-1.json"),
        fixture("demo/raw-pages/page-2.json"),
    ]);
    assert_eq!(base, pages);
}

#[test]
fn fingerprints_survive_unrelated_changes() {
    let base = fingerprints(&[fixture("demo/clinic-authz.json")]);
    let mut doc = demo_value();
    // A new role that is clean for every rule; an extra tag on every role and
    // user; new update dates and role descriptions.
    doc["RoleDetailList"].as_array_mut().unwrap().push(json!({
        "Path": "/",
        "RoleName": "scheduling-api",
        "RoleId": "AROAEXAMPLESCHEDAPI01",
        "Arn": "arn:aws:iam::123456789012:role/scheduling-api",
        "CreateDate": "2026-10-01T00:00:00+00:00",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]},
        "InstanceProfileList": [],
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "Tags": [{"Key": "owner", "Value": "scheduling@clinic.example"}, {"Key": "purpose", "Value": "scheduling"}],
        "RoleLastUsed": {"LastUsedDate": "2026-11-19T00:00:00+00:00", "Region": "us-east-1"}
    }));
    for key in ["RoleDetailList", "UserDetailList"] {
        for e in doc[key].as_array_mut().unwrap() {
            let tags = e
                .as_object_mut()
                .unwrap()
                .entry("Tags")
                .or_insert_with(|| json!([]));
            tags.as_array_mut()
                .unwrap()
                .push(json!({"Key": "cost-center", "Value": "1234"}));
        }
    }
    for r in doc["RoleDetailList"].as_array_mut().unwrap() {
        r["Description"] = json!("described later");
    }
    for p in doc["Policies"].as_array_mut().unwrap() {
        p["UpdateDate"] = json!("2026-11-01T00:00:00+00:00");
    }
    let changed = fingerprints(&[temp_json("unrelated.json", &doc)]);
    assert_eq!(base, changed);
}

#[test]
fn a_changed_statement_gets_a_new_fingerprint_and_nothing_else_moves() {
    let base = fingerprints(&[fixture("demo/clinic-authz.json")]);
    let mut doc = demo_value();
    let stmts = default_statements(policy_mut(&mut doc, "patient-portal-app"));
    let portal = stmts
        .iter_mut()
        .find(|s| s["Sid"] == "PortalData")
        .expect("PortalData statement");
    portal["Action"]
        .as_array_mut()
        .unwrap()
        .push(json!("dynamodb:Scan"));
    let changed = fingerprints(&[temp_json("changed.json", &doc)]);

    let portal_arn = "arn:aws:iam::123456789012:policy/patient-portal-app";
    let old: BTreeSet<&String> = base.keys().collect();
    let new: BTreeSet<&String> = changed.keys().collect();
    let gone: Vec<_> = old.difference(&new).map(|fp| &base[*fp]).collect();
    let added: Vec<_> = new.difference(&old).map(|fp| &changed[*fp]).collect();
    assert_eq!(
        gone,
        vec![&("PM001".to_string(), portal_arn.to_string())],
        "only the changed statement's finding loses its fingerprint"
    );
    assert_eq!(
        added,
        vec![&("PM001".to_string(), portal_arn.to_string())],
        "and comes back under a new one"
    );
}
