//! Table-driven evaluation cases. Each case is a small scenario (identity policies,
//! optional boundary, SCP levels), one request, the expected decision, and the AWS
//! evaluation rule it checks (IAM User Guide, "Policy evaluation logic").

use serde_json::{Value, json};

use super::*;
use crate::policy::{DocKind, PolicyDocument};

const ACCT: &str = "111122223333";
const BUCKET_OBJ: &str = "arn:aws:s3:::phi-records-prod/patient/1.json";
const TABLE: &str = "arn:aws:dynamodb:us-east-1:111122223333:table/patients";
const ROLE: &str = "arn:aws:iam::111122223333:role/app";

struct Case {
    name: &'static str,
    /// The AWS rule the case checks.
    rule: &'static str,
    identity: Vec<Value>,
    boundary: Option<Value>,
    scps: Vec<Vec<Value>>,
    action: &'static str,
    resource: &'static str,
    expect: Decision,
}

fn allow(action: Value, resource: Value) -> Value {
    json!({"Effect": "Allow", "Action": action, "Resource": resource})
}
fn deny(action: Value, resource: Value) -> Value {
    json!({"Effect": "Deny", "Action": action, "Resource": resource})
}
fn with_cond(mut st: Value) -> Value {
    st["Condition"] = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
    st
}
fn doc(statements: &[Value]) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}
fn full_access() -> Vec<Value> {
    vec![allow(json!("*"), json!("*"))]
}

#[allow(clippy::too_many_arguments)]
fn case(
    name: &'static str,
    rule: &'static str,
    identity: Vec<Value>,
    boundary: Option<Value>,
    scps: Vec<Vec<Value>>,
    action: &'static str,
    resource: &'static str,
    expect: Decision,
) -> Case {
    Case {
        name,
        rule,
        identity,
        boundary,
        scps,
        action,
        resource,
        expect,
    }
}

fn cases() -> Vec<Case> {
    use Decision::*;
    let a = |x: &str, r: &str| allow(json!(x), json!(r));
    let d = |x: &str, r: &str| deny(json!(x), json!(r));
    vec![
        // --- identity policies: implicit deny, explicit allow --------------------------
        case(
            "empty identity",
            "requests are implicitly denied unless an identity policy allows them",
            vec![],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "exact allow",
            "an identity-based Allow grants the request",
            vec![a("s3:GetObject", BUCKET_OBJ)],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "allow other action",
            "an Allow applies only to the actions it names",
            vec![a("s3:PutObject", "*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "allow other resource",
            "an Allow applies only to the resources it names",
            vec![a("s3:GetObject", "arn:aws:s3:::other/*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "allow star star",
            "Action * on Resource * allows every request",
            full_access(),
            None,
            vec![],
            "iam:CreateUser",
            "arn:aws:iam::111122223333:user/x",
            Allowed,
        ),
        case(
            "allow split over two policies",
            "the union of all identity policies is evaluated",
            vec![
                a("s3:PutObject", "*"),
                a("s3:GetObject", "arn:aws:s3:::phi-records-prod/*"),
            ],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        // --- wildcards in actions --------------------------------------------------------
        case(
            "action prefix wildcard",
            "* in an action matches any run of characters",
            vec![a("s3:Get*", "*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "action service wildcard",
            "service:* matches every action of the service",
            vec![a("s3:*", "*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "action wildcard other service",
            "a service wildcard does not reach another service",
            vec![a("s3:*", "*")],
            None,
            vec![],
            "dynamodb:GetItem",
            TABLE,
            NotAllowed,
        ),
        case(
            "action case-insensitive",
            "action names are matched case-insensitively",
            vec![a("S3:getobject", "*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "action question mark",
            "? in an action matches exactly one character",
            vec![a("s3:GetObjec?", "*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "action question mark too short",
            "? matches exactly one character, not zero",
            vec![a("s3:GetObject?", "*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "action mid wildcard",
            "* can stand in the middle of an action",
            vec![a("dynamodb:*Item", "*")],
            None,
            vec![],
            "dynamodb:GetItem",
            TABLE,
            Allowed,
        ),
        case(
            "action list",
            "an Action list matches when any entry matches",
            vec![allow(json!(["s3:PutObject", "s3:GetObject"]), json!("*"))],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        // --- wildcards in ARNs -----------------------------------------------------------
        case(
            "arn prefix wildcard",
            "* in a Resource ARN matches any run of characters, / included",
            vec![a("s3:GetObject", "arn:aws:s3:::phi-*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "arn bucket only",
            "a bucket ARN does not cover the bucket's objects",
            vec![a("s3:GetObject", "arn:aws:s3:::phi-records-prod")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "arn case-sensitive",
            "resource ARNs are matched case-sensitively",
            vec![a("s3:GetObject", "arn:aws:s3:::PHI-records-prod/*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "arn region wildcard",
            "* in the region and account segments matches any value",
            vec![a("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/patients")],
            None,
            vec![],
            "dynamodb:GetItem",
            TABLE,
            Allowed,
        ),
        case(
            "arn question mark",
            "? in an ARN matches exactly one character",
            vec![a(
                "dynamodb:GetItem",
                "arn:aws:dynamodb:us-east-1:111122223333:table/patient?",
            )],
            None,
            vec![],
            "dynamodb:GetItem",
            TABLE,
            Allowed,
        ),
        case(
            "arn other account",
            "an ARN naming another account does not match",
            vec![a(
                "dynamodb:GetItem",
                "arn:aws:dynamodb:us-east-1:999999999999:table/patients",
            )],
            None,
            vec![],
            "dynamodb:GetItem",
            TABLE,
            NotAllowed,
        ),
        case(
            "arn resource list",
            "a Resource list matches when any entry matches",
            vec![allow(
                json!("s3:GetObject"),
                json!(["arn:aws:s3:::a/*", "arn:aws:s3:::phi-records-prod/*"]),
            )],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        // --- NotAction / NotResource -----------------------------------------------------
        case(
            "notaction allows the rest",
            "Allow with NotAction allows every action not listed",
            vec![json!({"Effect":"Allow","NotAction":"iam:*","Resource":"*"})],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "notaction excludes listed",
            "Allow with NotAction does not allow the listed actions",
            vec![json!({"Effect":"Allow","NotAction":"iam:*","Resource":"*"})],
            None,
            vec![],
            "iam:PassRole",
            ROLE,
            NotAllowed,
        ),
        case(
            "notaction wildcard exclusion",
            "NotAction patterns use the same wildcards",
            vec![json!({"Effect":"Allow","NotAction":["s3:Get*"],"Resource":"*"})],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "notresource allows other",
            "Allow with NotResource allows every resource not listed",
            vec![
                json!({"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::public/*"}),
            ],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "notresource excludes listed",
            "Allow with NotResource does not allow the listed resources",
            vec![
                json!({"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::phi-*"}),
            ],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "deny notaction denies the rest",
            "Deny with NotAction denies every action not listed",
            vec![
                a("*", "*"),
                json!({"Effect":"Deny","NotAction":"s3:*","Resource":"*"}),
            ],
            None,
            vec![],
            "iam:CreateUser",
            "arn:aws:iam::111122223333:user/x",
            Denied,
        ),
        case(
            "deny notaction spares listed",
            "Deny with NotAction does not deny the listed actions",
            vec![
                a("*", "*"),
                json!({"Effect":"Deny","NotAction":"s3:*","Resource":"*"}),
            ],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "deny notresource denies others",
            "Deny with NotResource denies every resource not listed",
            vec![
                a("s3:*", "*"),
                json!({"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::public/*"}),
            ],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Denied,
        ),
        case(
            "deny notresource spares listed",
            "Deny with NotResource does not deny the listed resources",
            vec![
                a("s3:*", "*"),
                json!({"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::phi-*"}),
            ],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        // --- explicit deny precedence ----------------------------------------------------
        case(
            "deny beats allow same policy",
            "an explicit Deny overrides any Allow",
            vec![a("s3:*", "*"), d("s3:GetObject", "*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Denied,
        ),
        case(
            "deny beats allow other policy",
            "a Deny in any identity policy overrides an Allow in another",
            vec![a("*", "*"), d("s3:*", "arn:aws:s3:::phi-*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Denied,
        ),
        case(
            "deny other resource",
            "a Deny applies only to the resources it names",
            vec![a("s3:*", "*"), d("s3:*", "arn:aws:s3:::other/*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "deny other action",
            "a Deny applies only to the actions it names",
            vec![a("s3:*", "*"), d("s3:PutObject", "*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "deny wildcard action",
            "Deny action wildcards match like Allow wildcards",
            vec![a("s3:GetObject", "*"), d("s3:Get*", "*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Denied,
        ),
        case(
            "deny without allow",
            "a Deny alone never allows; explicit deny is reported",
            vec![d("s3:*", "*")],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Denied,
        ),
        case(
            "deny star beats admin",
            "Deny * on * overrides AdministratorAccess",
            vec![a("*", "*"), d("*", "*")],
            None,
            vec![],
            "iam:PassRole",
            ROLE,
            Denied,
        ),
        // --- permissions boundaries ------------------------------------------------------
        case(
            "boundary allows",
            "with a boundary, the effective permissions are identity ∩ boundary",
            full_access(),
            Some(doc(&[a("s3:*", "*")])),
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "boundary omits action",
            "an action the boundary does not allow is implicitly denied",
            full_access(),
            Some(doc(&[a("s3:*", "*")])),
            vec![],
            "iam:PassRole",
            ROLE,
            NotAllowed,
        ),
        case(
            "boundary omits resource",
            "the boundary must allow the resource too",
            full_access(),
            Some(doc(&[a("s3:*", "arn:aws:s3:::public/*")])),
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "boundary does not grant",
            "a boundary alone grants nothing: the identity policy must allow",
            vec![a("s3:PutObject", "*")],
            Some(doc(&[a("*", "*")])),
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "boundary deny",
            "an explicit Deny in the boundary overrides identity Allows",
            full_access(),
            Some(doc(&[a("*", "*"), d("iam:*", "*")])),
            vec![],
            "iam:PassRole",
            ROLE,
            Denied,
        ),
        case(
            "boundary notaction",
            "a boundary's NotAction Allow allows every other action",
            full_access(),
            Some(doc(&[
                json!({"Effect":"Allow","NotAction":"iam:*","Resource":"*"}),
            ])),
            vec![],
            "iam:CreateUser",
            "arn:aws:iam::111122223333:user/x",
            NotAllowed,
        ),
        case(
            "boundary notaction passes others",
            "a boundary's NotAction Allow allows actions not listed",
            full_access(),
            Some(doc(&[
                json!({"Effect":"Allow","NotAction":"iam:*","Resource":"*"}),
            ])),
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "boundary conditional",
            "a boundary Allow under a Condition makes the result conditional",
            full_access(),
            Some(doc(&[with_cond(a("s3:*", "*"))])),
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Conditional,
        ),
        case(
            "boundary conditional deny",
            "a conditional Deny in the boundary makes an allowed request conditional",
            full_access(),
            Some(doc(&[a("*", "*"), with_cond(d("s3:*", "*"))])),
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Conditional,
        ),
        case(
            "boundary empty",
            "an empty boundary allows nothing",
            full_access(),
            Some(doc(&[])),
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        // --- service control policies ----------------------------------------------------
        case(
            "scp full access",
            "FullAWSAccess at every level lets identity Allows through",
            full_access(),
            None,
            vec![full_access(), full_access()],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "scp deny at root",
            "an explicit Deny in an SCP at any level overrides identity Allows",
            full_access(),
            None,
            vec![vec![a("*", "*"), d("s3:*", "*")], full_access()],
            "s3:GetObject",
            BUCKET_OBJ,
            Denied,
        ),
        case(
            "scp deny at account",
            "an SCP attached to the account applies like one at the root",
            full_access(),
            None,
            vec![
                full_access(),
                full_access(),
                vec![a("*", "*"), d("iam:*", "*")],
            ],
            "iam:PassRole",
            ROLE,
            Denied,
        ),
        case(
            "scp allow-list missing at OU",
            "every level on the path must allow: an OU allow-list without the action denies it",
            full_access(),
            None,
            vec![full_access(), vec![a("s3:*", "*")]],
            "iam:PassRole",
            ROLE,
            NotAllowed,
        ),
        case(
            "scp allow-list at OU includes",
            "an allow-list SCP that names the action lets it through",
            full_access(),
            None,
            vec![full_access(), vec![a("s3:*", "*")]],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "scp level empty allow",
            "a level whose SCPs allow nothing denies everything",
            full_access(),
            None,
            vec![full_access(), vec![d("ec2:*", "*")]],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "scp does not grant",
            "SCPs never grant: the identity policy must still allow",
            vec![],
            None,
            vec![full_access()],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "scp conditional deny",
            "a conditional SCP Deny makes an allowed request conditional",
            full_access(),
            None,
            vec![vec![a("*", "*"), with_cond(d("s3:*", "*"))]],
            "s3:GetObject",
            BUCKET_OBJ,
            Conditional,
        ),
        case(
            "scp conditional allow",
            "a level whose only Allow has a condition allows conditionally",
            full_access(),
            None,
            vec![vec![with_cond(a("*", "*"))]],
            "s3:GetObject",
            BUCKET_OBJ,
            Conditional,
        ),
        case(
            "scp deny notaction",
            "an SCP Deny with NotAction denies every action not listed",
            full_access(),
            None,
            vec![vec![
                a("*", "*"),
                json!({"Effect":"Deny","NotAction":["s3:*","kms:*"],"Resource":"*"}),
            ]],
            "iam:PassRole",
            ROLE,
            Denied,
        ),
        case(
            "scp deny notaction spares",
            "an SCP Deny with NotAction spares the listed actions",
            full_access(),
            None,
            vec![vec![
                a("*", "*"),
                json!({"Effect":"Deny","NotAction":["s3:*","kms:*"],"Resource":"*"}),
            ]],
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:key/k",
            Allowed,
        ),
        case(
            "scp and boundary both",
            "SCPs, boundary and identity policies must all allow",
            full_access(),
            Some(doc(&[a("s3:*", "*")])),
            vec![vec![a("iam:*", "*"), a("s3:*", "*")]],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "scp allows boundary does not",
            "an SCP Allow does not lift a boundary's implicit deny",
            full_access(),
            Some(doc(&[a("s3:*", "*")])),
            vec![full_access()],
            "iam:PassRole",
            ROLE,
            NotAllowed,
        ),
        case(
            "scp allow-list on resource",
            "an SCP Allow scoped to resources denies other resources",
            full_access(),
            None,
            vec![vec![a("s3:*", "arn:aws:s3:::public/*")]],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        // --- conditions ------------------------------------------------------------------
        case(
            "conditional allow",
            "an Allow whose Condition cannot be decided is conditional, never allowed",
            vec![with_cond(a("s3:GetObject", "*"))],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Conditional,
        ),
        case(
            "conditional and plain allow",
            "an unconditional Allow elsewhere makes the condition irrelevant",
            vec![
                with_cond(a("s3:GetObject", "*")),
                a("s3:GetObject", BUCKET_OBJ),
            ],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "conditional deny",
            "a Deny under a Condition may block: the result is conditional",
            vec![a("s3:*", "*"), with_cond(d("s3:*", "*"))],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Conditional,
        ),
        case(
            "conditional deny plus deny",
            "an unconditional Deny wins even beside a conditional one",
            vec![
                a("s3:*", "*"),
                with_cond(d("s3:*", "*")),
                d("s3:GetObject", "*"),
            ],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Denied,
        ),
        case(
            "conditional deny without allow",
            "a conditional Deny does not make an unallowed request allowed",
            vec![with_cond(d("s3:*", "*"))],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            NotAllowed,
        ),
        case(
            "conditional deny other action",
            "a conditional Deny on other actions does not matter",
            vec![a("s3:*", "*"), with_cond(d("iam:*", "*"))],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Allowed,
        ),
        case(
            "tag condition",
            "resource-tag conditions are unknown offline: conditional",
            vec![
                json!({"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}}),
            ],
            None,
            vec![],
            "s3:GetObject",
            BUCKET_OBJ,
            Conditional,
        ),
        case(
            "ip condition",
            "source-IP conditions are unknown offline: conditional",
            vec![
                json!({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}),
            ],
            None,
            vec![],
            "iam:PassRole",
            ROLE,
            Conditional,
        ),
    ]
}

fn parse(v: &Value) -> PolicyDocument {
    PolicyDocument::parse(v, DocKind::Identity).expect("test policy parses")
}

#[test]
fn evaluation_table() {
    let cases = cases();
    assert!(cases.len() >= 60, "at least 60 cases, got {}", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    let mut failures = Vec::new();
    for c in &cases {
        // One identity policy per statement: grants split over policies must combine.
        let identity_docs: Vec<PolicyDocument> = c
            .identity
            .iter()
            .map(|s| parse(&doc(std::slice::from_ref(s))))
            .collect();
        let boundary_doc = c.boundary.as_ref().map(parse);
        let scp_docs: Vec<Vec<PolicyDocument>> =
            c.scps.iter().map(|l| vec![parse(&doc(l))]).collect();
        let set = PolicySet {
            identity: identity_docs
                .iter()
                .enumerate()
                .map(|(i, d)| NamedPolicy {
                    id: format!("arn:aws:iam::{ACCT}:policy/p{i}"),
                    label: format!("policy p{i}"),
                    document: Some(d),
                })
                .collect(),
            boundary: boundary_doc.as_ref().map(|d| NamedPolicy {
                id: format!("arn:aws:iam::{ACCT}:policy/boundary"),
                label: "policy boundary".into(),
                document: Some(d),
            }),
            scps: scp_docs
                .iter()
                .enumerate()
                .map(|(i, docs)| ScpLevel {
                    name: format!("level {i}"),
                    policies: docs
                        .iter()
                        .map(|d| NamedPolicy {
                            id: format!("p-scp{i}"),
                            label: format!("SCP scp{i}"),
                            document: Some(d),
                        })
                        .collect(),
                })
                .collect(),
        };
        let out = evaluate(&set, c.action, c.resource);
        if out.decision != c.expect {
            failures.push(format!(
                "{} ({}): expected {:?}, got {:?} ({:?})",
                c.name, c.rule, c.expect, out.decision, out.reasons
            ));
        }
        if out.decision == Decision::Allowed {
            assert!(
                !out.grants.is_empty(),
                "{}: an Allowed result names its grant",
                c.name
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn grants_name_each_policy_of_a_split() {
    let p1 = parse(&doc(&[allow(json!("iam:PassRole"), json!("*"))]));
    let p2 = parse(&doc(&[allow(json!("ec2:RunInstances"), json!("*"))]));
    let set = PolicySet {
        identity: vec![
            NamedPolicy {
                id: "p1".into(),
                label: "policy p1".into(),
                document: Some(&p1),
            },
            NamedPolicy {
                id: "p2".into(),
                label: "policy p2".into(),
                document: Some(&p2),
            },
        ],
        ..PolicySet::default()
    };
    assert_eq!(
        evaluate(&set, "iam:PassRole", ROLE).granting_policies(),
        vec!["p1"]
    );
    assert_eq!(
        evaluate(
            &set,
            "ec2:RunInstances",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
        )
        .granting_policies(),
        vec!["p2"]
    );
}

#[test]
fn missing_documents_are_conditional_not_allowed() {
    // A boundary whose document the input lacks cannot be decided.
    let p = parse(&doc(&full_access()));
    let set = PolicySet {
        identity: vec![NamedPolicy {
            id: "p".into(),
            label: "policy p".into(),
            document: Some(&p),
        }],
        boundary: Some(NamedPolicy {
            id: "b".into(),
            label: "policy b".into(),
            document: None,
        }),
        scps: vec![],
    };
    let out = evaluate(&set, "s3:GetObject", BUCKET_OBJ);
    assert_eq!(out.decision, Decision::Conditional);
    assert!(
        out.reasons.iter().any(|r| r.contains("no document")),
        "{:?}",
        out.reasons
    );
    // An identity policy without a document, nothing else allows: conditional.
    let set = PolicySet {
        identity: vec![NamedPolicy {
            id: "m".into(),
            label: "policy m".into(),
            document: None,
        }],
        ..PolicySet::default()
    };
    assert_eq!(
        evaluate(&set, "s3:GetObject", BUCKET_OBJ).decision,
        Decision::Conditional
    );
}

#[test]
fn fill_pattern_gives_a_concrete_arn() {
    assert_eq!(
        fill_pattern("arn:aws:iam::*:role/app-?"),
        "arn:aws:iam::zq7x9probe:role/app-z"
    );
}

#[test]
fn concrete_arn_fills_account_and_names() {
    assert_eq!(
        concrete_arn("arn:aws:lambda:*:*:function:*", "aws", ACCT).as_deref(),
        Some("arn:aws:lambda:us-east-1:111122223333:function:zq7x9probe")
    );
    assert_eq!(
        concrete_arn("arn:*:iam::*:role/app-*", "aws", ACCT).as_deref(),
        Some("arn:aws:iam::111122223333:role/app-zq7x9probe")
    );
    assert_eq!(concrete_arn("*", "aws", ACCT), None);
    assert_eq!(concrete_arn("arn:aws:s3:*", "aws", ACCT), None);
}
