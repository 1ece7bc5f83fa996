//! AWS Organizations: the organization (DescribeOrganization, callable from any member
//! account), the account's path root → OUs → account (ListParents), the SCPs attached at
//! every level (ListPoliciesForTarget + DescribePolicy) and the organization's accounts.
//!
//! SCP content and the account path are readable only from the management account or a
//! delegated administrator: `--org-role-arn` reads them through a role there. Without it,
//! or when denied, the `organizations.scps` coverage entry says so and OG001 is not
//! evaluated — never guessed.

use std::collections::BTreeMap;

use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{ParentType, PolicyType};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::{CallCounter, classify, coverage, progress::Progress};
use crate::snapshot::{
    CoverageStatus, OrgNode, Organization, ServiceControlPolicy, Source, SourceCoverage,
};

pub const OPERATIONS: &[&str] = &[
    "organizations:DescribeOrganization",
    "organizations:ListParents",
    "organizations:ListPoliciesForTarget",
    "organizations:DescribePolicy",
    "organizations:DescribeOrganizationalUnit",
    "organizations:ListAccounts",
];

fn client(config: &aws_config::SdkConfig, counter: &CallCounter) -> Client {
    Client::from_conf(
        aws_sdk_organizations::config::Builder::from(config)
            .interceptor(counter.clone())
            .build(),
    )
}

/// Returns the coverage of `organizations.organization` and `organizations.scps`, and the data.
pub async fn collect(
    config: &aws_config::SdkConfig,
    org_config: Option<&aws_config::SdkConfig>,
    counter: &CallCounter,
    progress: &Progress,
    account_id: &str,
) -> (SourceCoverage, SourceCoverage, Option<Organization>) {
    let line = progress.start("organizations");
    let own = client(config, counter);
    let org = match own.describe_organization().send().await {
        Ok(out) => out.organization().cloned(),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_aws_organizations_not_in_use_exception()) =>
        {
            line.done("not in an organization");
            return (
                coverage(
                    Source::Organization,
                    CoverageStatus::Ok,
                    "the account is not in an organization",
                ),
                coverage(
                    Source::ServiceControlPolicies,
                    CoverageStatus::Ok,
                    "no organization: no SCP applies",
                ),
                None,
            );
        }
        Err(e) => {
            let (status, detail) = classify(&e);
            line.done(&detail);
            return (
                coverage(
                    Source::Organization,
                    status,
                    format!("DescribeOrganization: {detail}"),
                ),
                coverage(
                    Source::ServiceControlPolicies,
                    status,
                    "not collected: the organization could not be described",
                ),
                None,
            );
        }
    };
    let Some(o) = org else {
        return (
            coverage(
                Source::Organization,
                CoverageStatus::Error,
                "DescribeOrganization returned no organization",
            ),
            coverage(
                Source::ServiceControlPolicies,
                CoverageStatus::Error,
                "not collected",
            ),
            None,
        );
    };
    let management = o.master_account_id().unwrap_or_default().to_string();
    let mut org = Organization {
        id: o.id().unwrap_or_default().to_string(),
        arn: o.arn().unwrap_or_default().to_string(),
        management_account_id: management.clone(),
        feature_set: o
            .feature_set()
            .map(|f| f.as_str().to_string())
            .unwrap_or_default(),
        is_management_account: management == account_id,
        path: None,
        policies: Vec::new(),
        accounts: None,
    };
    let org_cov = coverage(
        Source::Organization,
        CoverageStatus::Ok,
        format!("organization {} (management account {management})", org.id),
    );

    // SCPs: from the management account (we are it, or --org-role-arn gets us there).
    let reader = match org_config {
        Some(c) => client(c, counter),
        None => own,
    };
    let scp_cov = match scps(&reader, account_id, &mut org).await {
        Ok(detail) => coverage(Source::ServiceControlPolicies, CoverageStatus::Ok, detail),
        Err((status, detail)) => {
            let hint = if org_config.is_none() && !org.is_management_account {
                " — SCP content is readable only from the management account or a delegated administrator: pass --org-role-arn"
            } else {
                ""
            };
            coverage(
                Source::ServiceControlPolicies,
                status,
                format!("{detail}{hint}"),
            )
        }
    };
    line.done(&scp_cov.detail);
    (org_cov, scp_cov, Some(org))
}

type Failure = (CoverageStatus, String);

fn fail<E>(
    op: &str,
    e: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (s, d) = classify(e);
    (s, format!("{op}: {d}"))
}

async fn scps(
    client: &Client,
    account_id: &str,
    org: &mut Organization,
) -> Result<String, Failure> {
    // Walk up: account → its parent → … → root.
    let mut chain = vec![OrgNode {
        id: account_id.to_string(),
        kind: "ACCOUNT".into(),
        name: None,
        policy_ids: Vec::new(),
    }];
    let mut child = account_id.to_string();
    for _ in 0..10 {
        let out = client
            .list_parents()
            .child_id(&child)
            .send()
            .await
            .map_err(|e| fail("ListParents", &e))?;
        let Some(p) = out.parents().first() else {
            break;
        };
        let id = p.id().unwrap_or_default().to_string();
        let kind = match p.r#type() {
            Some(ParentType::Root) => "ROOT",
            _ => "ORGANIZATIONAL_UNIT",
        };
        let name = if kind == "ORGANIZATIONAL_UNIT" {
            client
                .describe_organizational_unit()
                .organizational_unit_id(&id)
                .send()
                .await
                .ok()
                .and_then(|o| {
                    o.organizational_unit()
                        .and_then(|u| u.name().map(str::to_string))
                })
        } else {
            Some("Root".into())
        };
        chain.push(OrgNode {
            id: id.clone(),
            kind: kind.into(),
            name,
            policy_ids: Vec::new(),
        });
        if kind == "ROOT" {
            break;
        }
        child = id;
    }
    chain.reverse();

    let mut policies: BTreeMap<String, ServiceControlPolicy> = BTreeMap::new();
    for node in &mut chain {
        let mut pages = client
            .list_policies_for_target()
            .target_id(&node.id)
            .filter(PolicyType::ServiceControlPolicy)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| fail("ListPoliciesForTarget", &e))?;
            for p in page.policies() {
                let id = p.id().unwrap_or_default().to_string();
                node.policy_ids.push(id.clone());
                if policies.contains_key(&id) {
                    continue;
                }
                let described = client
                    .describe_policy()
                    .policy_id(&id)
                    .send()
                    .await
                    .map_err(|e| fail("DescribePolicy", &e))?;
                let text = described.policy().and_then(|p| p.content()).unwrap_or("{}");
                let content =
                    crate::policy::decode_document(&serde_json::Value::String(text.to_string()))
                        .map_err(|e| (CoverageStatus::Error, format!("SCP {id}: {e}")))?;
                policies.insert(
                    id.clone(),
                    ServiceControlPolicy {
                        id,
                        arn: p.arn().unwrap_or_default().to_string(),
                        name: p.name().unwrap_or_default().to_string(),
                        aws_managed: p.aws_managed(),
                        content,
                    },
                );
            }
        }
    }
    // The organization's accounts (for "outside account" decisions); optional.
    let mut accounts = Vec::new();
    let mut pages = client.list_accounts().into_paginator().send();
    let mut listed = true;
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => accounts.extend(
                p.accounts()
                    .iter()
                    .filter_map(|a| a.id().map(str::to_string)),
            ),
            Err(_) => {
                listed = false;
                break;
            }
        }
    }
    if listed {
        accounts.sort();
        org.accounts = Some(accounts);
    }
    let levels = chain.len();
    org.path = Some(chain);
    org.policies = policies.into_values().collect();
    Ok(format!(
        "{} SCP(s) along {levels} level(s) root → account",
        org.policies.len()
    ))
}
