//! IAM: authorization details (bulk, paginated), the credential report, account
//! summary, password policy, aliases, MFA devices, instance profiles, role session
//! limits (ListRoles, bulk), and per-user access keys with their last use.
//!
//! Bulk calls first, concurrently; per-entity calls only where no bulk call has the
//! data (access keys and their last use: one ListAccessKeys per user and one
//! GetAccessKeyLastUsed per key, bounded concurrency; GetRole only for a role whose
//! authorization details lack RoleLastUsed altogether).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use aws_sdk_iam::Client;
use aws_sdk_iam::types as t;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::StreamExt;
use serde_json::Value;

use super::progress::Progress;
use super::{CallCounter, LiveOptions, classify, coverage, to_chrono};
use crate::snapshot::{
    self, AccessKeyInfo, AuthorizationDetails, CoverageStatus, CredentialReport, CredentialRow,
    InstanceProfileInfo, MfaDevice, PasswordPolicy, Snapshot, Source, SourceCoverage,
};

pub const OPERATIONS: &[&str] = &[
    "iam:GetAccountAuthorizationDetails",
    "iam:GenerateCredentialReport",
    "iam:GetCredentialReport",
    "iam:GetAccountSummary",
    "iam:GetAccountPasswordPolicy",
    "iam:ListAccountAliases",
    "iam:ListVirtualMFADevices",
    "iam:ListInstanceProfiles",
    "iam:ListRoles",
    "iam:GetRole",
    "iam:ListAccessKeys",
    "iam:GetAccessKeyLastUsed",
];

/// Page size for bulk list calls: the APIs' maximum, so an account of 5,000 roles
/// costs 5 ListRoles calls, not 50.
const PAGE: i32 = 1000;

/// Per-entity calls in flight at once (access keys, GetRole).
const CONCURRENCY: usize = 8;

type Outcome<T> = (SourceCoverage, Option<T>);

fn failed<T, E>(
    source: Source,
    op: &str,
    e: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> Outcome<T>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (status, detail) = classify(e);
    (coverage(source, status, format!("{op}: {detail}")), None)
}

pub async fn collect(
    config: &aws_config::SdkConfig,
    counter: &CallCounter,
    progress: &Progress,
    opts: &LiveOptions,
    snap: &mut Snapshot,
) {
    let client = Client::from_conf(
        aws_sdk_iam::config::Builder::from(config)
            .interceptor(counter.clone())
            .build(),
    );

    let (authz, report, summary, pwd, aliases, mfa, profiles, sessions) = tokio::join!(
        authorization_details(&client, progress),
        credential_report(&client, progress, opts.report_wait),
        account_summary(&client, progress),
        password_policy(&client, progress),
        account_aliases(&client, progress),
        mfa_devices(&client, progress),
        instance_profiles(&client, progress),
        role_sessions(&client, progress),
    );

    let (authz_cov, mut details) = authz;
    snap.coverage.push(authz_cov);
    let (c, v) = report;
    snap.coverage.push(c);
    snap.credential_report = v;
    let (c, v) = summary;
    snap.coverage.push(c);
    snap.account_summary = v;
    let (c, v) = pwd;
    snap.coverage.push(c);
    snap.password_policy = v.flatten();
    let (c, v) = aliases;
    snap.coverage.push(c);
    snap.account.alias = v.and_then(|a: Vec<String>| a.into_iter().next());
    let (c, v) = mfa;
    snap.coverage.push(c);
    snap.mfa_devices = v;
    let (c, v) = profiles;
    snap.coverage.push(c);
    snap.instance_profiles = v;

    // MaxSessionDuration from ListRoles, merged into the role details.
    let (session_cov, sessions) = sessions;
    snap.coverage.push(session_cov);
    if let (Some(d), Some(sessions)) = (details.as_mut(), sessions.as_ref()) {
        for r in &mut d.role_detail_list {
            r.max_session_duration = sessions.get(&r.role_name).copied();
        }
    }

    if let Some(d) = details.as_mut() {
        fill_role_last_used(&client, progress, d).await;
        let (c, keys) = access_keys(&client, progress, d).await;
        snap.coverage.push(c);
        snap.access_keys = keys;
    } else {
        snap.coverage.push(coverage(
            Source::AccessKeys,
            CoverageStatus::Error,
            "not collected: the user list comes from authorization details, which could not be read",
        ));
    }
    snap.iam = details;
}

// ---------------------------------------------------------------------------
// Authorization details
// ---------------------------------------------------------------------------

async fn authorization_details(
    client: &Client,
    progress: &Progress,
) -> Outcome<AuthorizationDetails> {
    let line = progress.start("iam.authorization_details");
    let mut d = AuthorizationDetails::default();
    let mut pages = client
        .get_account_authorization_details()
        .max_items(PAGE)
        .into_paginator()
        .send();
    let mut n = 0usize;
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                let out = failed(
                    Source::AuthorizationDetails,
                    "GetAccountAuthorizationDetails",
                    &e,
                );
                line.done(&out.0.detail);
                return out;
            }
        };
        n += 1;
        d.user_detail_list
            .extend(page.user_detail_list().iter().map(user));
        d.group_detail_list
            .extend(page.group_detail_list().iter().map(group));
        d.role_detail_list
            .extend(page.role_detail_list().iter().map(role));
        d.policies.extend(page.policies().iter().map(policy));
        line.update(&format!(
            "page {n}: {} roles, {} users, {} groups, {} policies",
            d.role_detail_list.len(),
            d.user_detail_list.len(),
            d.group_detail_list.len(),
            d.policies.len()
        ));
    }
    // Exactly the offline loader's decoding and validation.
    if let Err(e) = snapshot::decode_and_check(&mut d) {
        line.done(&e);
        return (
            coverage(
                Source::AuthorizationDetails,
                CoverageStatus::Error,
                format!("malformed data from the API: {e}"),
            ),
            None,
        );
    }
    let detail = format!(
        "{n} page(s): {} roles, {} users, {} groups, {} managed policies",
        d.role_detail_list.len(),
        d.user_detail_list.len(),
        d.group_detail_list.len(),
        d.policies.len()
    );
    line.done(&detail);
    (
        coverage(Source::AuthorizationDetails, CoverageStatus::Ok, detail),
        Some(d),
    )
}

fn s(v: Option<&str>) -> String {
    v.unwrap_or_default().to_string()
}

fn doc(v: Option<&str>) -> Value {
    v.map(|x| Value::String(x.to_string()))
        .unwrap_or(Value::Null)
}

fn inline(p: &t::PolicyDetail) -> snapshot::InlinePolicy {
    snapshot::InlinePolicy {
        policy_name: s(p.policy_name()),
        policy_document: doc(p.policy_document()),
    }
}

fn attached(a: &t::AttachedPolicy) -> snapshot::AttachedPolicy {
    snapshot::AttachedPolicy {
        policy_name: a.policy_name().map(str::to_string),
        policy_arn: s(a.policy_arn()),
    }
}

fn boundary(b: Option<&t::AttachedPermissionsBoundary>) -> Option<snapshot::PermissionsBoundary> {
    b.and_then(|b| {
        b.permissions_boundary_arn()
            .map(|arn| snapshot::PermissionsBoundary {
                permissions_boundary_type: b
                    .permissions_boundary_type()
                    .map(|t| t.as_str().to_string()),
                permissions_boundary_arn: arn.to_string(),
            })
    })
}

fn tags(list: &[t::Tag]) -> Vec<snapshot::Tag> {
    list.iter()
        .map(|t| snapshot::Tag {
            key: t.key().to_string(),
            value: t.value().to_string(),
        })
        .collect()
}

fn user(u: &t::UserDetail) -> snapshot::UserDetail {
    snapshot::UserDetail {
        path: s(u.path()),
        user_name: s(u.user_name()),
        user_id: s(u.user_id()),
        arn: s(u.arn()),
        create_date: u.create_date().and_then(to_chrono),
        user_policy_list: u.user_policy_list().iter().map(inline).collect(),
        group_list: u.group_list().to_vec(),
        attached_managed_policies: u.attached_managed_policies().iter().map(attached).collect(),
        permissions_boundary: boundary(u.permissions_boundary()),
        tags: tags(u.tags()),
    }
}

fn group(g: &t::GroupDetail) -> snapshot::GroupDetail {
    snapshot::GroupDetail {
        path: s(g.path()),
        group_name: s(g.group_name()),
        group_id: s(g.group_id()),
        arn: s(g.arn()),
        create_date: g.create_date().and_then(to_chrono),
        group_policy_list: g.group_policy_list().iter().map(inline).collect(),
        attached_managed_policies: g.attached_managed_policies().iter().map(attached).collect(),
    }
}

fn role(r: &t::RoleDetail) -> snapshot::RoleDetail {
    snapshot::RoleDetail {
        path: s(r.path()),
        role_name: s(r.role_name()),
        role_id: s(r.role_id()),
        arn: s(r.arn()),
        create_date: r.create_date().and_then(to_chrono),
        assume_role_policy_document: doc(r.assume_role_policy_document()),
        instance_profile_list: r
            .instance_profile_list()
            .iter()
            .map(|p| snapshot::InstanceProfile {
                path: p.path().to_string(),
                instance_profile_name: p.instance_profile_name().to_string(),
                instance_profile_id: p.instance_profile_id().to_string(),
                arn: p.arn().to_string(),
            })
            .collect(),
        role_policy_list: r.role_policy_list().iter().map(inline).collect(),
        attached_managed_policies: r.attached_managed_policies().iter().map(attached).collect(),
        permissions_boundary: boundary(r.permissions_boundary()),
        tags: tags(r.tags()),
        role_last_used: r.role_last_used().map(|u| snapshot::RoleLastUsed {
            last_used_date: u.last_used_date().and_then(to_chrono),
            region: u.region().map(str::to_string),
        }),
        max_session_duration: None,
    }
}

fn policy(p: &t::ManagedPolicyDetail) -> snapshot::ManagedPolicyDetail {
    snapshot::ManagedPolicyDetail {
        policy_name: s(p.policy_name()),
        policy_id: s(p.policy_id()),
        arn: s(p.arn()),
        path: s(p.path()),
        default_version_id: s(p.default_version_id()),
        attachment_count: p.attachment_count().map(i64::from),
        permissions_boundary_usage_count: p.permissions_boundary_usage_count().map(i64::from),
        is_attachable: p.is_attachable(),
        create_date: p.create_date().and_then(to_chrono),
        update_date: p.update_date().and_then(to_chrono),
        policy_version_list: p
            .policy_version_list()
            .iter()
            .map(|v| snapshot::PolicyVersion {
                document: doc(v.document()),
                version_id: s(v.version_id()),
                is_default_version: v.is_default_version(),
                create_date: v.create_date().and_then(to_chrono),
            })
            .collect(),
    }
}

/// GetRole for the roles whose authorization details carry no RoleLastUsed element
/// at all (real AWS includes it; some emulators and old exports do not). An empty
/// element means "never used" and needs no call.
async fn fill_role_last_used(client: &Client, progress: &Progress, d: &mut AuthorizationDetails) {
    let missing: Vec<String> = d
        .role_detail_list
        .iter()
        .filter(|r| r.role_last_used.is_none())
        .map(|r| r.role_name.clone())
        .collect();
    if missing.is_empty() {
        return;
    }
    let line = progress.start("iam.role_last_used");
    let results: Vec<(String, Option<snapshot::RoleLastUsed>)> = futures::stream::iter(missing)
        .map(|name| async move {
            let used = client
                .get_role()
                .role_name(&name)
                .send()
                .await
                .ok()
                .and_then(|o| {
                    o.role()
                        .and_then(|r| r.role_last_used())
                        .map(|u| snapshot::RoleLastUsed {
                            last_used_date: u.last_used_date().and_then(to_chrono),
                            region: u.region().map(str::to_string),
                        })
                });
            (name, used)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let by_name: HashMap<String, Option<snapshot::RoleLastUsed>> = results.into_iter().collect();
    for r in &mut d.role_detail_list {
        if let Some(Some(used)) = by_name.get(&r.role_name) {
            r.role_last_used = Some(used.clone());
        }
    }
    line.done(&format!("{} role(s) looked up with GetRole", by_name.len()));
}

// ---------------------------------------------------------------------------
// Credential report
// ---------------------------------------------------------------------------

async fn credential_report(
    client: &Client,
    progress: &Progress,
    wait_secs: u64,
) -> Outcome<CredentialReport> {
    let line = progress.start("iam.credential_report");
    let deadline = Instant::now() + Duration::from_secs(wait_secs);
    let mut delay = Duration::from_millis(250);
    loop {
        match client.generate_credential_report().send().await {
            Ok(out) if out.state() == Some(&t::ReportStateType::Complete) => break,
            Ok(out) => line.update(&format!(
                "generating ({})",
                out.state().map(|s| s.as_str()).unwrap_or("unknown")
            )),
            Err(e) => {
                let out = failed(Source::CredentialReport, "GenerateCredentialReport", &e);
                line.done(&out.0.detail);
                return out;
            }
        }
        if Instant::now() + delay > deadline {
            let detail = format!("the credential report was not ready after {wait_secs} s");
            line.done(&detail);
            return (
                coverage(Source::CredentialReport, CoverageStatus::Error, detail),
                None,
            );
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
    match client.get_credential_report().send().await {
        Ok(out) => {
            let text = out
                .content()
                .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
                .unwrap_or_default();
            match CredentialRow::parse_csv(&text) {
                Ok(rows) => {
                    let detail = format!("{} row(s)", rows.len());
                    line.done(&detail);
                    let generated_time = out.generated_time().and_then(to_chrono);
                    (
                        coverage(Source::CredentialReport, CoverageStatus::Ok, detail),
                        Some(CredentialReport {
                            generated_time,
                            rows,
                        }),
                    )
                }
                Err(e) => {
                    line.done(&e);
                    (
                        coverage(Source::CredentialReport, CoverageStatus::Error, e),
                        None,
                    )
                }
            }
        }
        Err(e) => {
            let out = failed(Source::CredentialReport, "GetCredentialReport", &e);
            line.done(&out.0.detail);
            out
        }
    }
}

// ---------------------------------------------------------------------------
// Account-level data
// ---------------------------------------------------------------------------

async fn account_summary(client: &Client, progress: &Progress) -> Outcome<BTreeMap<String, i64>> {
    let line = progress.start("iam.account_summary");
    match client.get_account_summary().send().await {
        Ok(out) => {
            let map: BTreeMap<String, i64> = out
                .summary_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.as_str().to_string(), i64::from(*v)))
                        .collect()
                })
                .unwrap_or_default();
            let detail = format!("{} values", map.len());
            line.done(&detail);
            (
                coverage(Source::AccountSummary, CoverageStatus::Ok, detail),
                Some(map),
            )
        }
        Err(e) => {
            let out = failed(Source::AccountSummary, "GetAccountSummary", &e);
            line.done(&out.0.detail);
            out
        }
    }
}

/// `Some(None)`: collected, and the account has no password policy (NoSuchEntity).
async fn password_policy(client: &Client, progress: &Progress) -> Outcome<Option<PasswordPolicy>> {
    let line = progress.start("iam.password_policy");
    match client.get_account_password_policy().send().await {
        Ok(out) => {
            let p = out.password_policy().map(|p| PasswordPolicy {
                minimum_password_length: p.minimum_password_length().map(i64::from),
                require_symbols: p.require_symbols(),
                require_numbers: p.require_numbers(),
                require_uppercase_characters: p.require_uppercase_characters(),
                require_lowercase_characters: p.require_lowercase_characters(),
                allow_users_to_change_password: p.allow_users_to_change_password(),
                expire_passwords: p.expire_passwords(),
                max_password_age: p.max_password_age().map(i64::from),
                password_reuse_prevention: p.password_reuse_prevention().map(i64::from),
                hard_expiry: p.hard_expiry(),
            });
            line.done("password policy present");
            (
                coverage(
                    Source::PasswordPolicy,
                    CoverageStatus::Ok,
                    "password policy present",
                ),
                Some(p),
            )
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_no_such_entity_exception()) =>
        {
            line.done("no password policy is set");
            (
                coverage(
                    Source::PasswordPolicy,
                    CoverageStatus::Ok,
                    "no password policy is set (NoSuchEntity)",
                ),
                Some(None),
            )
        }
        Err(e) => {
            let out = failed(Source::PasswordPolicy, "GetAccountPasswordPolicy", &e);
            line.done(&out.0.detail);
            out
        }
    }
}

async fn account_aliases(client: &Client, progress: &Progress) -> Outcome<Vec<String>> {
    let line = progress.start("iam.account_aliases");
    let mut all = Vec::new();
    let mut pages = client.list_account_aliases().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => all.extend(p.account_aliases().iter().cloned()),
            Err(e) => {
                let out = failed(Source::AccountAliases, "ListAccountAliases", &e);
                line.done(&out.0.detail);
                return out;
            }
        }
    }
    let detail = if all.is_empty() {
        "no alias".to_string()
    } else {
        all.join(", ")
    };
    line.done(&detail);
    (
        coverage(Source::AccountAliases, CoverageStatus::Ok, detail),
        Some(all),
    )
}

async fn mfa_devices(client: &Client, progress: &Progress) -> Outcome<Vec<MfaDevice>> {
    let line = progress.start("iam.mfa_devices");
    let mut all = Vec::new();
    let mut pages = client
        .list_virtual_mfa_devices()
        .assignment_status(t::AssignmentStatusType::Any)
        .max_items(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => all.extend(p.virtual_mfa_devices().iter().map(|d| MfaDevice {
                serial_number: d.serial_number().to_string(),
                user_arn: d.user().map(|u| u.arn().to_string()),
                enable_date: d.enable_date().and_then(to_chrono),
            })),
            Err(e) => {
                let out = failed(Source::MfaDevices, "ListVirtualMFADevices", &e);
                line.done(&out.0.detail);
                return out;
            }
        }
    }
    let detail = format!("{} virtual MFA device(s)", all.len());
    line.done(&detail);
    (
        coverage(Source::MfaDevices, CoverageStatus::Ok, detail),
        Some(all),
    )
}

async fn instance_profiles(
    client: &Client,
    progress: &Progress,
) -> Outcome<Vec<InstanceProfileInfo>> {
    let line = progress.start("iam.instance_profiles");
    let mut all = Vec::new();
    let mut pages = client
        .list_instance_profiles()
        .max_items(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => all.extend(p.instance_profiles().iter().map(|ip| InstanceProfileInfo {
                instance_profile_name: ip.instance_profile_name().to_string(),
                arn: ip.arn().to_string(),
                roles: ip.roles().iter().map(|r| r.arn().to_string()).collect(),
            })),
            Err(e) => {
                let out = failed(Source::InstanceProfiles, "ListInstanceProfiles", &e);
                line.done(&out.0.detail);
                return out;
            }
        }
    }
    let detail = format!("{} instance profile(s)", all.len());
    line.done(&detail);
    (
        coverage(Source::InstanceProfiles, CoverageStatus::Ok, detail),
        Some(all),
    )
}

/// ListRoles (bulk, paginated): MaxSessionDuration, which authorization details lack.
async fn role_sessions(client: &Client, progress: &Progress) -> Outcome<HashMap<String, i64>> {
    let line = progress.start("iam.role_details");
    let mut all = HashMap::new();
    let mut pages = client.list_roles().max_items(PAGE).into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for r in p.roles() {
                    if let Some(d) = r.max_session_duration() {
                        all.insert(r.role_name().to_string(), i64::from(d));
                    }
                }
                line.update(&format!("{} roles", all.len()));
            }
            Err(e) => {
                let out = failed(Source::RoleDetails, "ListRoles", &e);
                line.done(&out.0.detail);
                return out;
            }
        }
    }
    let detail = format!("MaxSessionDuration of {} role(s)", all.len());
    line.done(&detail);
    (
        coverage(Source::RoleDetails, CoverageStatus::Ok, detail),
        Some(all),
    )
}

// ---------------------------------------------------------------------------
// Access keys (per user: the only data with no bulk API)
// ---------------------------------------------------------------------------

async fn access_keys(
    client: &Client,
    progress: &Progress,
    d: &AuthorizationDetails,
) -> Outcome<Vec<AccessKeyInfo>> {
    let line = progress.start("iam.access_keys");
    let users: Vec<String> = d
        .user_detail_list
        .iter()
        .map(|u| u.user_name.clone())
        .collect();
    let total = users.len();
    let results: Vec<Result<Vec<AccessKeyInfo>, SourceCoverage>> = futures::stream::iter(users)
        .map(|name| async move { user_keys(client, name).await })
        .buffer_unordered(CONCURRENCY)
        .inspect(|_| {})
        .collect()
        .await;
    let mut keys = Vec::new();
    let mut first_error: Option<SourceCoverage> = None;
    let mut failed_users = 0;
    for r in results {
        match r {
            Ok(k) => keys.extend(k),
            Err(c) => {
                failed_users += 1;
                if first_error.is_none() {
                    first_error = Some(c);
                }
            }
        }
    }
    keys.sort_by(|a, b| (&a.user_name, &a.access_key_id).cmp(&(&b.user_name, &b.access_key_id)));
    if let Some(mut c) = first_error {
        c.detail = format!(
            "{failed_users} of {total} user(s) failed; first: {}",
            c.detail
        );
        line.done(&c.detail);
        return (c, None);
    }
    let detail = format!("{} key(s) of {total} user(s)", keys.len());
    line.done(&detail);
    (
        coverage(Source::AccessKeys, CoverageStatus::Ok, detail),
        Some(keys),
    )
}

async fn user_keys(client: &Client, user: String) -> Result<Vec<AccessKeyInfo>, SourceCoverage> {
    let mut out = Vec::new();
    let mut pages = client
        .list_access_keys()
        .user_name(&user)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| failed::<(), _>(Source::AccessKeys, "ListAccessKeys", &e).0)?;
        for k in page.access_key_metadata() {
            let id = k.access_key_id().unwrap_or_default().to_string();
            let mut info = AccessKeyInfo {
                user_name: user.clone(),
                access_key_id: id.clone(),
                status: k
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                create_date: k.create_date().and_then(to_chrono),
                last_used_date: None,
                last_used_service: None,
                last_used_region: None,
            };
            let used = client
                .get_access_key_last_used()
                .access_key_id(&id)
                .send()
                .await
                .map_err(|e| failed::<(), _>(Source::AccessKeys, "GetAccessKeyLastUsed", &e).0)?;
            if let Some(u) = used.access_key_last_used() {
                info.last_used_date = u.last_used_date().and_then(to_chrono);
                info.last_used_service =
                    Some(u.service_name().to_string()).filter(|s| !s.is_empty() && s != "N/A");
                info.last_used_region =
                    Some(u.region().to_string()).filter(|s| !s.is_empty() && s != "N/A");
            }
            out.push(info);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    //! What moto cannot do, with SDK-level mocks: pagination of authorization
    //! details, AccessDenied, throttling then success, persistent 5xx, NoSuchEntity.

    use aws_sdk_iam::operation::generate_credential_report::{
        GenerateCredentialReportError, GenerateCredentialReportOutput,
    };
    use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
    use aws_sdk_iam::operation::get_account_password_policy::GetAccountPasswordPolicyError;
    use aws_sdk_iam::operation::get_account_summary::GetAccountSummaryOutput;
    use aws_sdk_iam::types::error::NoSuchEntityException;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;

    const TRUST: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ecs-tasks.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";

    fn role(name: &str) -> t::RoleDetail {
        t::RoleDetail::builder()
            .role_name(name)
            .arn(format!("arn:aws:iam::123456789012:role/{name}"))
            .path("/")
            .assume_role_policy_document(TRUST)
            .role_last_used(t::RoleLastUsed::builder().build())
            .build()
    }

    fn quiet() -> Progress {
        Progress::new(false)
    }

    fn retrying(b: aws_sdk_iam::config::Builder) -> aws_sdk_iam::config::Builder {
        b.retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(2)),
        )
    }

    #[tokio::test]
    async fn authorization_details_follow_every_page() {
        let page1 = mock!(Client::get_account_authorization_details)
            .match_requests(|r| r.marker().is_none())
            .then_output(|| {
                GetAccountAuthorizationDetailsOutput::builder()
                    .role_detail_list(role("a"))
                    .is_truncated(true)
                    .marker("page-2")
                    .build()
            });
        let page2 = mock!(Client::get_account_authorization_details)
            .match_requests(|r| r.marker() == Some("page-2"))
            .then_output(|| {
                GetAccountAuthorizationDetailsOutput::builder()
                    .role_detail_list(role("b"))
                    .is_truncated(false)
                    .build()
            });
        let client = mock_client!(aws_sdk_iam, RuleMode::Sequential, [&page1, &page2]);
        let (cov, details) = authorization_details(&client, &quiet()).await;
        assert_eq!(cov.status, CoverageStatus::Ok, "{}", cov.detail);
        assert!(
            cov.detail.starts_with("2 page(s): 2 roles"),
            "{}",
            cov.detail
        );
        let d = details.unwrap();
        let names: Vec<&str> = d
            .role_detail_list
            .iter()
            .map(|r| r.role_name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);
        // Decoded exactly as the offline loader decodes: URL-encoded → JSON object.
        assert_eq!(
            d.role_detail_list[0].assume_role_policy_document["Statement"][0]["Principal"]["Service"],
            "ecs-tasks.amazonaws.com"
        );
        assert_eq!(page2.num_calls(), 1);
    }

    #[tokio::test]
    async fn access_denied_is_recorded_not_retried_and_not_fatal() {
        let denied = mock!(Client::generate_credential_report).then_error(|| {
            GenerateCredentialReportError::generic(
                ErrorMetadata::builder()
                    .code("AccessDenied")
                    .message("User: arn:aws:sts::123456789012:assumed-role/audit/x is not authorized to perform: iam:GenerateCredentialReport")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&denied], retrying);
        let (cov, report) = credential_report(&client, &quiet(), 5).await;
        assert_eq!(cov.status, CoverageStatus::Denied);
        assert!(
            cov.detail
                .starts_with("GenerateCredentialReport: AccessDenied: User: arn:aws:sts::"),
            "{}",
            cov.detail
        );
        assert!(report.is_none());
        assert_eq!(denied.num_calls(), 1, "AccessDenied is not retried");
    }

    #[tokio::test]
    async fn throttling_is_retried_then_succeeds() {
        let throttled = r#"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>"#;
        let rule = mock!(Client::get_account_summary)
            .sequence()
            .http_status(400, Some(throttled.to_string()))
            .times(2)
            .output(|| {
                GetAccountSummaryOutput::builder()
                    .summary_map(t::SummaryKeyType::AccountMfaEnabled, 1)
                    .build()
            })
            .build();
        let client = mock_client!(aws_sdk_iam, RuleMode::Sequential, [&rule], retrying);
        let (cov, map) = account_summary(&client, &quiet()).await;
        assert_eq!(cov.status, CoverageStatus::Ok, "{}", cov.detail);
        assert_eq!(map.unwrap()["AccountMFAEnabled"], 1);
        assert_eq!(rule.num_calls(), 3);
    }

    #[tokio::test]
    async fn persistent_server_errors_end_as_a_coverage_error() {
        let rule = mock!(Client::get_account_summary)
            .sequence()
            .http_status(500, None)
            .times(3)
            .build();
        let client = mock_client!(aws_sdk_iam, RuleMode::Sequential, [&rule], retrying);
        let (cov, map) = account_summary(&client, &quiet()).await;
        assert_ne!(cov.status, CoverageStatus::Ok);
        assert!(map.is_none());
        assert_eq!(rule.num_calls(), 3, "5xx retried up to max attempts");
    }

    #[tokio::test]
    async fn no_password_policy_is_data_not_an_error() {
        let rule = mock!(Client::get_account_password_policy).then_error(|| {
            GetAccountPasswordPolicyError::NoSuchEntityException(
                NoSuchEntityException::builder()
                    .message("no policy")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_iam, RuleMode::Sequential, [&rule]);
        let (cov, policy) = password_policy(&client, &quiet()).await;
        assert_eq!(cov.status, CoverageStatus::Ok);
        assert_eq!(policy, Some(None));
    }

    #[tokio::test]
    async fn credential_report_is_polled_until_complete() {
        let states = mock!(Client::generate_credential_report)
            .sequence()
            .output(|| {
                GenerateCredentialReportOutput::builder()
                    .state(t::ReportStateType::Started)
                    .build()
            })
            .output(|| {
                GenerateCredentialReportOutput::builder()
                    .state(t::ReportStateType::Inprogress)
                    .build()
            })
            .output(|| {
                GenerateCredentialReportOutput::builder()
                    .state(t::ReportStateType::Complete)
                    .build()
            })
            .build();
        let csv = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\nalice,arn:aws:iam::123456789012:user/alice,2024-01-01T00:00:00+00:00,true,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
        let get = mock!(Client::get_credential_report).then_output(move || {
            aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput::builder()
                .content(aws_smithy_types::Blob::new(csv))
                .report_format(t::ReportFormatType::TextCsv)
                .build()
        });
        let client = mock_client!(aws_sdk_iam, RuleMode::Sequential, [&states, &get]);
        let (cov, report) = credential_report(&client, &quiet(), 30).await;
        assert_eq!(cov.status, CoverageStatus::Ok, "{}", cov.detail);
        assert_eq!(report.unwrap().rows[0].user, "alice");
        assert_eq!(states.num_calls(), 3);
    }
}
