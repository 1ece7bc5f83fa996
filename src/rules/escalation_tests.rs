use serde_json::{Value, json};

use super::*;
use crate::config::Settings;
use crate::rules::effective::catalogue;
use crate::rules::testutil::{ACCOUNT, authz_with, managed, role, run, snapshot, trust, user};

fn ec2_trust() -> Value {
    trust(vec![
        json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
    ])
}

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn allow(actions: &[&str]) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": "*"})
}

fn with_policies(mut r: Value, arns: &[&str]) -> Value {
    r["AttachedManagedPolicies"] = Value::Array(
        arns.iter()
            .map(|a| json!({"PolicyName": a.rsplit('/').next().unwrap(), "PolicyArn": a}))
            .collect(),
    );
    r
}

fn arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy/{name}")
}

/// A role holding the PassRole + RunInstances split over two managed policies.
fn split_account(boundary: Option<Value>) -> Value {
    let mut r = with_policies(
        role("builder", ec2_trust()),
        &[&arn("pass"), &arn("launch")],
    );
    let mut policies = vec![
        managed(
            "pass",
            doc(vec![
                json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": format!("arn:aws:iam::{ACCOUNT}:role/*")}),
            ]),
            1,
        ),
        managed("launch", doc(vec![allow(&["ec2:RunInstances"])]), 1),
    ];
    if let Some(b) = boundary {
        r["PermissionsBoundary"] =
            json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn("bound")});
        policies.push(managed("bound", b, 0));
    }
    authz_with(vec![], vec![], vec![r], policies)
}

fn method_ids(h: &Hit) -> Vec<String> {
    h.evidence["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn shipped_methods_parse_and_use_catalogued_actions() {
    let ms = methods();
    assert!(ms.len() >= 60, "{}", ms.len());
    let mut ids: Vec<&str> = ms.iter().map(|m| m.id.as_str()).collect();
    ids.sort();
    let n = ids.len();
    ids.dedup();
    assert_eq!(n, ids.len(), "duplicate method ids");
    for m in ms {
        assert!(!m.actions.is_empty(), "{}", m.id);
        for a in &m.actions {
            assert!(
                catalogue().iter().any(|c| c.action == *a),
                "{}: {a} is not in rules/actions.toml",
                m.id
            );
        }
        for a in m.resources.keys() {
            assert!(
                m.actions.contains(a),
                "{}: resource for unlisted action {a}",
                m.id
            );
        }
    }
    // The classic IAM self-escalation methods are all there.
    for classic in [
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:AttachUserPolicy",
        "iam:AttachRolePolicy",
        "iam:AttachGroupPolicy",
        "iam:PutUserPolicy",
        "iam:PutRolePolicy",
        "iam:PutGroupPolicy",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:UpdateAssumeRolePolicy",
        "iam:AddUserToGroup",
    ] {
        assert!(
            ms.iter().any(|m| m.actions == [classic]),
            "no single-action method {classic}"
        );
    }
}

#[test]
fn split_across_two_policies_is_found_and_names_each_grant() {
    let hits = run(
        pm007_privilege_escalation,
        &split_account(None),
        &Settings::default(),
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    let h = &hits[0];
    assert_eq!(method_ids(h), vec!["ec2-001"]);
    let actions = &h.evidence["methods"][0]["actions"];
    assert_eq!(actions[0]["action"], "iam:PassRole");
    assert_eq!(actions[0]["granted_by"][0]["policy"], arn("pass"));
    assert_eq!(actions[1]["action"], "ec2:RunInstances");
    assert_eq!(actions[1]["granted_by"][0]["policy"], arn("launch"));
    assert!(h.message.contains("ec2-001"), "{}", h.message);
    assert!(
        h.message.contains("policy pass") && h.message.contains("policy launch"),
        "{}",
        h.message
    );
    assert_eq!(h.severity, None, "critical by default");
}

#[test]
fn boundary_removing_one_action_silences_it() {
    let boundary = doc(vec![
        json!({"Effect": "Allow", "NotAction": "iam:PassRole", "Resource": "*"}),
    ]);
    let hits = run(
        pm007_privilege_escalation,
        &split_account(Some(boundary)),
        &Settings::default(),
    );
    assert!(hits.is_empty(), "{hits:?}");
    // A boundary that allows both keeps it.
    let boundary = doc(vec![allow(&["*"])]);
    let hits = run(
        pm007_privilege_escalation,
        &split_account(Some(boundary)),
        &Settings::default(),
    );
    assert_eq!(hits.len(), 1);
}

fn run_with_scp(iam: &Value, scp_statements: Value, management: bool) -> Vec<Hit> {
    let mut snap = snapshot(iam);
    snap.organization = Some(
        serde_json::from_value(json!({
            "id": "o-test",
            "arn": "arn:aws:organizations::111111111111:organization/o-test",
            "management_account_id": "111111111111",
            "feature_set": "ALL",
            "is_management_account": management,
            "path": [
                {"id": "r-root", "kind": "ROOT", "name": "Root", "policy_ids": ["p-full"]},
                {"id": "ou-root-work", "kind": "ORGANIZATIONAL_UNIT", "name": "Workloads", "policy_ids": ["p-guard"]},
                {"id": ACCOUNT, "kind": "ACCOUNT", "policy_ids": ["p-full"]},
            ],
            "policies": [
                {"id": "p-full", "arn": "arn:aws:organizations::aws:policy/service_control_policy/p-full", "name": "FullAWSAccess", "aws_managed": true,
                 "content": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
                {"id": "p-guard", "arn": "arn:aws:organizations::111111111111:policy/o-test/service_control_policy/p-guard", "name": "Guard",
                 "content": {"Version": "2012-10-17", "Statement": scp_statements}},
            ],
        }))
        .unwrap(),
    );
    let inv = Inventory::build(&snap).unwrap();
    let settings = Settings::default();
    pm007_privilege_escalation(&Context {
        snapshot: &snap,
        inv: &inv,
        settings: &settings,
    })
}

#[test]
fn scp_deny_on_one_action_silences_it() {
    let deny = json!([
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*"}
    ]);
    assert!(run_with_scp(&split_account(None), deny.clone(), false).is_empty());
    // The management account: SCPs do not apply, the escalation stands.
    let hits = run_with_scp(&split_account(None), deny, true);
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0].evidence["scps"]
            .as_str()
            .unwrap()
            .contains("management account")
    );
}

#[test]
fn scp_allow_list_without_the_action_silences_it() {
    let allow_list = json!([{"Effect": "Allow", "Action": ["ec2:*", "s3:*"], "Resource": "*"}]);
    assert!(run_with_scp(&split_account(None), allow_list, false).is_empty());
    let allow_both =
        json!([{"Effect": "Allow", "Action": ["ec2:*", "iam:PassRole"], "Resource": "*"}]);
    assert_eq!(
        run_with_scp(&split_account(None), allow_both, false).len(),
        1
    );
}

#[test]
fn conditional_grants_are_labelled_and_lowered() {
    let p = managed(
        "mfa-iam",
        doc(vec![
            json!({"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
        ]),
        1,
    );
    let r = with_policies(role("ops", ec2_trust()), &[&arn("mfa-iam")]);
    let hits = run(
        pm007_privilege_escalation,
        &authz_with(vec![], vec![], vec![r], vec![p]),
        &Settings::default(),
    );
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].severity, Some(Severity::High));
    assert_eq!(hits[0].evidence["methods"][0]["conditional"], true);
    assert_eq!(
        hits[0].evidence["methods"][0]["actions"][0]["decision"],
        "conditional"
    );
    assert!(
        hits[0].message.contains("if the conditions"),
        "{}",
        hits[0].message
    );
}

#[test]
fn full_admin_is_left_to_pm002_pm003() {
    let p = managed("admin", doc(vec![allow(&["*"])]), 1);
    let r = with_policies(role("admin", ec2_trust()), &[&arn("admin")]);
    let hits = run(
        pm007_privilege_escalation,
        &authz_with(vec![], vec![], vec![r], vec![p]),
        &Settings::default(),
    );
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn admin_under_a_narrow_boundary_is_evaluated() {
    let p = managed("admin", doc(vec![allow(&["*"])]), 1);
    let b = managed(
        "bound",
        doc(vec![allow(&["s3:*", "iam:AttachRolePolicy"])]),
        0,
    );
    let mut r = with_policies(role("admin", ec2_trust()), &[&arn("admin")]);
    r["PermissionsBoundary"] =
        json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn("bound")});
    let hits = run(
        pm007_privilege_escalation,
        &authz_with(vec![], vec![], vec![r], vec![p, b]),
        &Settings::default(),
    );
    assert_eq!(hits.len(), 1);
    assert_eq!(method_ids(&hits[0]), vec!["iam-009"]);
}

#[test]
fn user_group_policy_combines_with_own_policy() {
    let mut u = user("dev");
    u["GroupList"] = json!(["devs"]);
    u["UserPolicyList"] = json!([{"PolicyName": "own", "PolicyDocument": doc(vec![allow(&["iam:CreateAccessKey"])])}]);
    let g = json!({
        "Path": "/", "GroupName": "devs", "GroupId": "AGPA1", "Arn": format!("arn:aws:iam::{ACCOUNT}:group/devs"),
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "GroupPolicyList": [{"PolicyName": "grp", "PolicyDocument": doc(vec![allow(&["iam:AttachUserPolicy"])])}],
        "AttachedManagedPolicies": []
    });
    let hits = run(
        pm007_privilege_escalation,
        &authz_with(vec![u], vec![g], vec![], vec![]),
        &Settings::default(),
    );
    assert_eq!(hits.len(), 1);
    let ids = method_ids(&hits[0]);
    // Each single action is itself a method; the pair (iam-015) is not reported on top.
    assert_eq!(ids, vec!["iam-002", "iam-008"]);
}

#[test]
fn passrole_scoped_to_one_role_still_counts() {
    let p = managed(
        "lambda-deployer",
        doc(vec![
            json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": format!("arn:aws:iam::{ACCOUNT}:role/lambda-exec")}),
            allow(&["lambda:CreateFunction", "lambda:InvokeFunction"]),
        ]),
        1,
    );
    let r = with_policies(role("deployer", ec2_trust()), &[&arn("lambda-deployer")]);
    let hits = run(
        pm007_privilege_escalation,
        &authz_with(vec![], vec![], vec![r], vec![p]),
        &Settings::default(),
    );
    assert_eq!(hits.len(), 1);
    assert_eq!(method_ids(&hits[0]), vec!["lambda-001"]);
    assert_eq!(
        hits[0].evidence["methods"][0]["actions"][0]["resource"],
        format!("arn:aws:iam::{ACCOUNT}:role/lambda-exec")
    );
}

#[test]
fn deny_on_the_specific_resource_blocks_it() {
    let p = managed(
        "iam-write",
        doc(vec![
            allow(&["iam:PutRolePolicy"]),
            json!({"Effect": "Deny", "Action": "iam:PutRolePolicy", "Resource": format!("arn:aws:iam::{ACCOUNT}:role/*")}),
        ]),
        1,
    );
    let r = with_policies(role("x", ec2_trust()), &[&arn("iam-write")]);
    let hits = run(
        pm007_privilege_escalation,
        &authz_with(vec![], vec![], vec![r], vec![p]),
        &Settings::default(),
    );
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn self_service_credentials_are_not_principal_access() {
    // The AWS "manage your own credentials" pattern: keys and password for oneself only.
    let own = format!("arn:aws:iam::{ACCOUNT}:user/${{aws:username}}");
    let mut u = user("alice");
    u["UserPolicyList"] = json!([{"PolicyName": "self-service", "PolicyDocument": doc(vec![
        json!({"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:UpdateLoginProfile"], "Resource": own}),
    ])}]);
    let hits = run(
        pm007_privilege_escalation,
        &authz_with(vec![u], vec![], vec![], vec![]),
        &Settings::default(),
    );
    assert!(hits.is_empty(), "{hits:?}");
    // Attaching a policy to oneself is escalation, variable or not.
    let mut u = user("bob");
    u["UserPolicyList"] = json!([{"PolicyName": "self-attach", "PolicyDocument": doc(vec![
        json!({"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": own}),
    ])}]);
    let hits = run(
        pm007_privilege_escalation,
        &authz_with(vec![u], vec![], vec![], vec![]),
        &Settings::default(),
    );
    assert_eq!(hits.len(), 1);
    assert_eq!(method_ids(&hits[0]), vec!["iam-008"]);
}
