//! Builders for rule unit tests: an authorization-details document from a few JSON
//! entities, loaded the way a scan loads it, and a check run over it.

use serde_json::{Value, json};

use super::{CheckFn, Context, Hit};
use crate::config::Settings;
use crate::inventory::Inventory;
use crate::snapshot::Snapshot;

pub const ACCOUNT: &str = "123456789012";

/// A trust policy with these statements.
pub fn trust(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A role in the CLI's RoleDetailList shape, created long ago and used recently.
pub fn role(name: &str, trust: Value) -> Value {
    json!({
        "Path": "/",
        "RoleName": name,
        "RoleId": format!("AROA{}", name.len()),
        "Arn": format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "Tags": [],
        "RoleLastUsed": {"LastUsedDate": "2026-11-19T00:00:00+00:00", "Region": "us-east-1"}
    })
}

/// A user in the UserDetailList shape.
pub fn user(name: &str) -> Value {
    json!({
        "Path": "/",
        "UserName": name,
        "UserId": format!("AIDA{}", name.len()),
        "Arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "UserPolicyList": [],
        "GroupList": [],
        "AttachedManagedPolicies": [],
        "Tags": []
    })
}

/// A customer managed policy with one (default) version.
pub fn managed(name: &str, document: Value, attachments: i64) -> Value {
    json!({
        "PolicyName": name,
        "PolicyId": format!("ANPA{}", name.len()),
        "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/{name}"),
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": true,
        "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": true}]
    })
}

pub fn authz(roles: Vec<Value>) -> Value {
    authz_with(vec![], vec![], roles, vec![])
}

pub fn authz_with(
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    policies: Vec<Value>,
) -> Value {
    json!({
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": policies
    })
}

/// A snapshot of account 123456789012 collected 2026-11-20, with only authorization details.
pub fn snapshot(iam: &Value) -> Snapshot {
    snapshot_with(iam, &[])
}

/// Like [`snapshot`], with more sources (by id, e.g. `iam.role_details`) marked collected.
pub fn snapshot_with(iam: &Value, also_ok: &[&str]) -> Snapshot {
    let mut coverage =
        vec![json!({"source": "iam.authorization_details", "status": "ok", "detail": "test"})];
    coverage.extend(
        also_ok
            .iter()
            .map(|s| json!({"source": s, "status": "ok", "detail": "test"})),
    );
    serde_json::from_value(json!({
        "schema_version": crate::snapshot::SCHEMA_VERSION,
        "tool": {"name": "phi-audit", "version": "test"},
        "account": {"id": ACCOUNT, "alias": null, "partition": "aws"},
        "collected_at": "2026-11-20T00:00:00Z",
        "source": "authz-details",
        "coverage": coverage,
        "iam": iam
    }))
    .expect("test snapshot")
}

pub fn run(check: CheckFn, iam: &Value, settings: &Settings) -> Vec<Hit> {
    run_with(check, iam, settings, &[])
}

pub fn run_with(check: CheckFn, iam: &Value, settings: &Settings, also_ok: &[&str]) -> Vec<Hit> {
    let snap = snapshot_with(iam, also_ok);
    let inv = Inventory::build(&snap).expect("test inventory");
    check(&Context {
        snapshot: &snap,
        inv: &inv,
        settings,
    })
}
