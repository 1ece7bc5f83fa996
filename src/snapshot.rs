//! The versioned data model every rule reads, and its loaders.
//!
//! A [`Snapshot`] holds the raw service data in AWS's own shapes (field names as
//! the API uses them), with policy documents already decoded to JSON objects.
//! Sources fill it: `--authz-details` files (this module), `--snapshot` files,
//! and later live collection. Rules never see where it came from, only the
//! data and the per-source coverage.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::policy::{DocKind, PolicyDocument, decode_document, document::type_name};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub account: AccountInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<CallerIdentity>,
    pub collected_at: DateTime<Utc>,
    pub source: SourceKind,
    /// One entry per data source, in [`Source::ALL`] order.
    pub coverage: Vec<SourceCoverage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam: Option<AuthorizationDetails>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl ToolInfo {
    pub fn current() -> ToolInfo {
        ToolInfo {
            name: "phi-audit".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountInfo {
    pub id: String,
    pub alias: Option<String>,
    pub partition: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Live,
    Snapshot,
    AuthzDetails,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Live => "live",
            SourceKind::Snapshot => "snapshot",
            SourceKind::AuthzDetails => "authz-details",
        }
    }
}

/// The data sources rules depend on. The string ids appear in JSON `coverage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    AuthorizationDetails,
    CredentialReport,
}

impl Source {
    pub const ALL: &'static [Source] = &[Source::AuthorizationDetails, Source::CredentialReport];

    pub fn id(self) -> &'static str {
        match self {
            Source::AuthorizationDetails => "iam.authorization_details",
            Source::CredentialReport => "iam.credential_report",
        }
    }

    pub fn from_id(id: &str) -> Option<Source> {
        Source::ALL.iter().copied().find(|s| s.id() == id)
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum CoverageStatus {
    Ok,
    Denied,
    Error,
    Unsupported,
    Absent,
}

impl CoverageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::Ok => "ok",
            CoverageStatus::Denied => "denied",
            CoverageStatus::Error => "error",
            CoverageStatus::Unsupported => "unsupported",
            CoverageStatus::Absent => "absent",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceCoverage {
    pub source: String,
    pub status: CoverageStatus,
    pub detail: String,
}

impl Snapshot {
    pub fn coverage_of(&self, source: Source) -> Option<&SourceCoverage> {
        self.coverage.iter().find(|c| c.source == source.id())
    }

    pub fn source_ok(&self, source: Source) -> bool {
        self.coverage_of(source)
            .is_some_and(|c| c.status == CoverageStatus::Ok)
    }
}

// ---------------------------------------------------------------------------
// GetAccountAuthorizationDetails, in AWS's field names.
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizationDetails {
    #[serde(default)]
    pub user_detail_list: Vec<UserDetail>,
    #[serde(default)]
    pub group_detail_list: Vec<GroupDetail>,
    #[serde(default)]
    pub role_detail_list: Vec<RoleDetail>,
    #[serde(default)]
    pub policies: Vec<ManagedPolicyDetail>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: String,
    pub policy_document: Value,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    #[serde(default)]
    pub policy_name: Option<String>,
    pub policy_arn: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionsBoundary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_type: Option<String>,
    pub permissions_boundary_arn: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDetail {
    #[serde(default)]
    pub path: String,
    pub user_name: String,
    #[serde(default)]
    pub user_id: String,
    pub arn: String,
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub user_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub group_list: Vec<String>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PermissionsBoundary>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupDetail {
    #[serde(default)]
    pub path: String,
    pub group_name: String,
    #[serde(default)]
    pub group_id: String,
    pub arn: String,
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub group_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    #[serde(default)]
    pub path: String,
    pub instance_profile_name: String,
    #[serde(default)]
    pub instance_profile_id: String,
    pub arn: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleLastUsed {
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_used_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleDetail {
    #[serde(default)]
    pub path: String,
    pub role_name: String,
    #[serde(default)]
    pub role_id: String,
    pub arn: String,
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_date: Option<DateTime<Utc>>,
    /// Trust policy. Absent only in malformed input (checked by the loader).
    #[serde(default)]
    pub assume_role_policy_document: Value,
    #[serde(default)]
    pub instance_profile_list: Vec<InstanceProfile>,
    #[serde(default)]
    pub role_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PermissionsBoundary>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_last_used: Option<RoleLastUsed>,
    /// Not part of GetAccountAuthorizationDetails; filled from ListRoles by live
    /// collection, or taken from an export that carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    #[serde(default)]
    pub document: Value,
    #[serde(default)]
    pub version_id: String,
    #[serde(default)]
    pub is_default_version: bool,
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_date: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicyDetail {
    /// Missing in some emulators' output; derived from the ARN by the loader.
    #[serde(default)]
    pub policy_name: String,
    #[serde(default)]
    pub policy_id: String,
    pub arn: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub default_version_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_usage_count: Option<i64>,
    #[serde(default = "yes")]
    pub is_attachable: bool,
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_date: Option<DateTime<Utc>>,
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub update_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersion>,
}

fn yes() -> bool {
    true
}

impl ManagedPolicyDetail {
    /// The default version's document (the one IAM enforces).
    pub fn default_document(&self) -> Option<&Value> {
        self.policy_version_list
            .iter()
            .find(|v| {
                v.is_default_version
                    || (!self.default_version_id.is_empty()
                        && v.version_id == self.default_version_id)
            })
            .map(|v| &v.document)
    }
}

/// Timestamps arrive as RFC 3339 (`2025-03-01T09:30:00Z`, `+00:00`), as the CLI's
/// `2025-03-01 09:30:00+00:00`, or as epoch seconds.
fn de_opt_time<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<DateTime<Utc>>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => parse_time(&s).map(Some).map_err(serde::de::Error::custom),
        Some(Value::Number(n)) => {
            let secs = n.as_f64().unwrap_or(f64::NAN);
            DateTime::from_timestamp(secs.trunc() as i64, 0)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("timestamp {n} is out of range")))
        }
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a timestamp string, found {}",
            type_name(&other)
        ))),
    }
}

pub fn parse_time(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%:z"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("invalid timestamp {s:?}: {e}"))
}

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

const AUTHZ_KEYS: &[&str] = &[
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

/// Load one or more `get-account-authorization-details` files (CLI or raw API
/// shape, one page or several) into a snapshot.
pub fn load_authz_details(paths: &[PathBuf], as_of: Option<DateTime<Utc>>) -> Result<Snapshot> {
    let mut merged = AuthorizationDetails::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut newest_mtime: Option<DateTime<Utc>> = None;
    for path in paths {
        let bytes =
            std::fs::read(path).with_context(|| format!("{}: cannot read file", path.display()))?;
        if let Ok(meta) = std::fs::metadata(path) {
            if let Ok(m) = meta.modified() {
                let t = DateTime::<Utc>::from(m);
                newest_mtime = Some(newest_mtime.map_or(t, |n| n.max(t)));
            }
        }
        let mut page = parse_authz_page(&bytes).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        decode_and_check(&mut page).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        merge_page(&mut merged, page, &mut seen);
    }
    let (account_id, partition) = derive_account(&merged)?;
    let stats = format!(
        "{} file(s): {} roles, {} users, {} groups, {} managed policies",
        paths.len(),
        merged.role_detail_list.len(),
        merged.user_detail_list.len(),
        merged.group_detail_list.len(),
        merged.policies.len()
    );
    Ok(Snapshot {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo::current(),
        account: AccountInfo {
            id: account_id,
            alias: None,
            partition,
        },
        caller: None,
        collected_at: as_of.or(newest_mtime).unwrap_or(DateTime::UNIX_EPOCH),
        source: SourceKind::AuthzDetails,
        coverage: Source::ALL
            .iter()
            .map(|s| match s {
                Source::AuthorizationDetails => SourceCoverage {
                    source: s.id().into(),
                    status: CoverageStatus::Ok,
                    detail: stats.clone(),
                },
                Source::CredentialReport => SourceCoverage {
                    source: s.id().into(),
                    status: CoverageStatus::Absent,
                    detail: "authorization-details exports carry no credential data (passwords, access keys, MFA): \
                             IAM users cannot be classified as human or workload; use a live scan or a snapshot"
                        .into(),
                },
            })
            .collect(),
        iam: Some(merged),
    })
}

/// Load a snapshot written by `phi-audit collect`.
pub fn load_snapshot(path: &Path) -> Result<Snapshot> {
    let bytes =
        std::fs::read(path).with_context(|| format!("{}: cannot read file", path.display()))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow!("{}: not valid JSON: {e}", path.display()))?;
    let version = value.get("schema_version").and_then(Value::as_u64);
    match version {
        None => bail!(
            "{}: not a phi-audit snapshot (no schema_version); for `aws iam get-account-authorization-details` output use --authz-details",
            path.display()
        ),
        Some(v) if v != u64::from(SCHEMA_VERSION) => bail!(
            "{}: snapshot schema_version {v} is not supported by phi-audit {} (expects {SCHEMA_VERSION})",
            path.display(),
            env!("CARGO_PKG_VERSION")
        ),
        Some(_) => {}
    }
    let mut snap: Snapshot = serde_json::from_value(value)
        .map_err(|e| anyhow!("{}: not a valid snapshot: {e}", path.display()))?;
    snap.source = SourceKind::Snapshot;
    if let Some(iam) = snap.iam.as_mut() {
        decode_and_check(iam).map_err(|e| anyhow!("{}: iam: {e}", path.display()))?;
    }
    Ok(snap)
}

/// One page as it arrives: every list optional, so an object with none of them is
/// recognised as the wrong kind of file rather than an empty account.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawPage {
    user_detail_list: Option<Vec<UserDetail>>,
    group_detail_list: Option<Vec<GroupDetail>>,
    role_detail_list: Option<Vec<RoleDetail>>,
    policies: Option<Vec<ManagedPolicyDetail>>,
}

fn parse_authz_page(bytes: &[u8]) -> std::result::Result<AuthorizationDetails, String> {
    // Fast path: straight from bytes into the typed model.
    if let Ok(page) = serde_json::from_slice::<RawPage>(bytes) {
        if page.user_detail_list.is_some()
            || page.group_detail_list.is_some()
            || page.role_detail_list.is_some()
            || page.policies.is_some()
        {
            return Ok(AuthorizationDetails {
                user_detail_list: page.user_detail_list.unwrap_or_default(),
                group_detail_list: page.group_detail_list.unwrap_or_default(),
                role_detail_list: page.role_detail_list.unwrap_or_default(),
                policies: page.policies.unwrap_or_default(),
            });
        }
    }
    // Slow path, only to explain what is wrong: not JSON, wrong shape, or which entity.
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_eof() {
            format!(
                "truncated JSON (unexpected end of input at line {} column {})",
                e.line(),
                e.column()
            )
        } else {
            format!("not valid JSON: {e}")
        }
    })?;
    let obj = value.as_object().ok_or_else(|| {
        format!(
            "not an authorization-details document: expected a JSON object with {}, found {}",
            AUTHZ_KEYS.join("/"),
            type_name(&value)
        )
    })?;
    if !AUTHZ_KEYS.iter().any(|k| obj.contains_key(*k)) {
        let hint = if obj.contains_key("schema_version") {
            " (this looks like a phi-audit snapshot: use --snapshot)"
        } else {
            ""
        };
        return Err(format!(
            "not an authorization-details document: none of {} present{hint}",
            AUTHZ_KEYS.join(", ")
        ));
    }
    for key in AUTHZ_KEYS {
        let Some(list) = obj.get(*key) else { continue };
        let Some(items) = list.as_array() else {
            return Err(format!(
                "{key}: expected an array, found {}",
                type_name(list)
            ));
        };
        for (i, item) in items.iter().enumerate() {
            let res = match *key {
                "UserDetailList" => UserDetail::deserialize(item).err(),
                "GroupDetailList" => GroupDetail::deserialize(item).err(),
                "RoleDetailList" => RoleDetail::deserialize(item).err(),
                _ => ManagedPolicyDetail::deserialize(item).err(),
            };
            if let Some(e) = res {
                return Err(format!("{key}[{i}]{}: {e}", entity_label(item)));
            }
        }
    }
    Err("unexpected shape of authorization details".into())
}

fn entity_label(item: &Value) -> String {
    ["Arn", "RoleName", "UserName", "GroupName", "PolicyName"]
        .iter()
        .find_map(|k| item.get(*k).and_then(Value::as_str))
        .map(|s| format!(" ({s})"))
        .unwrap_or_default()
}

/// Decode every policy document to a JSON object (raw API shape → CLI shape) and
/// parse it once, so a malformed document fails the load with its location.
fn decode_and_check(d: &mut AuthorizationDetails) -> std::result::Result<(), String> {
    fn fix(
        doc: &mut Value,
        kind: DocKind,
        what: impl Fn() -> String,
    ) -> std::result::Result<(), String> {
        let decoded = decode_document(doc).map_err(|e| format!("{}: {e}", what()))?;
        PolicyDocument::parse(&decoded, kind).map_err(|e| format!("{}: {e}", what()))?;
        *doc = decoded;
        Ok(())
    }
    for r in &mut d.role_detail_list {
        if r.assume_role_policy_document.is_null() {
            return Err(format!(
                "role {}: AssumeRolePolicyDocument is missing",
                r.arn
            ));
        }
        fix(&mut r.assume_role_policy_document, DocKind::Trust, || {
            format!("role {}: AssumeRolePolicyDocument", r.arn)
        })?;
        for p in &mut r.role_policy_list {
            fix(&mut p.policy_document, DocKind::Identity, || {
                format!("role {}: inline policy {:?}", r.arn, p.policy_name)
            })?;
        }
    }
    for u in &mut d.user_detail_list {
        for p in &mut u.user_policy_list {
            fix(&mut p.policy_document, DocKind::Identity, || {
                format!("user {}: inline policy {:?}", u.arn, p.policy_name)
            })?;
        }
    }
    for g in &mut d.group_detail_list {
        for p in &mut g.group_policy_list {
            fix(&mut p.policy_document, DocKind::Identity, || {
                format!("group {}: inline policy {:?}", g.arn, p.policy_name)
            })?;
        }
    }
    for p in &mut d.policies {
        if p.policy_name.is_empty() {
            p.policy_name = p.arn.rsplit('/').next().unwrap_or_default().to_string();
        }
        for v in &mut p.policy_version_list {
            if v.document.is_null() {
                // Non-default versions may be listed without documents; the default must have one.
                if v.is_default_version {
                    return Err(format!(
                        "policy {} version {}: Document is missing",
                        p.arn, v.version_id
                    ));
                }
                continue;
            }
            fix(&mut v.document, DocKind::Identity, || {
                format!("policy {} version {}: Document", p.arn, v.version_id)
            })?;
        }
    }
    Ok(())
}

fn merge_page(
    into: &mut AuthorizationDetails,
    page: AuthorizationDetails,
    seen: &mut HashSet<String>,
) {
    // The same entity in two files (an export passed twice, overlapping pages) is kept once.
    for u in page.user_detail_list {
        if seen.insert(u.arn.clone()) {
            into.user_detail_list.push(u);
        }
    }
    for g in page.group_detail_list {
        if seen.insert(g.arn.clone()) {
            into.group_detail_list.push(g);
        }
    }
    for r in page.role_detail_list {
        if seen.insert(r.arn.clone()) {
            into.role_detail_list.push(r);
        }
    }
    for p in page.policies {
        if seen.insert(p.arn.clone()) {
            into.policies.push(p);
        }
    }
}

/// `arn:partition:service:region:account:resource` → (partition, account).
pub fn arn_account(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let _service = parts.next()?;
    let _region = parts.next()?;
    let account = parts.next()?;
    parts.next()?;
    Some((partition, account))
}

fn derive_account(d: &AuthorizationDetails) -> Result<(String, String)> {
    let mut accounts: BTreeMap<(String, String), usize> = BTreeMap::new();
    let arns = d
        .user_detail_list
        .iter()
        .map(|u| u.arn.as_str())
        .chain(d.group_detail_list.iter().map(|g| g.arn.as_str()))
        .chain(d.role_detail_list.iter().map(|r| r.arn.as_str()))
        .chain(d.policies.iter().map(|p| p.arn.as_str()));
    for arn in arns {
        match arn_account(arn) {
            Some((_, "aws")) => {} // AWS managed policy
            Some((partition, account))
                if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) =>
            {
                *accounts
                    .entry((account.to_string(), partition.to_string()))
                    .or_default() += 1;
            }
            _ => bail!("malformed ARN {arn:?}: expected arn:partition:iam::ACCOUNT:..."),
        }
    }
    match accounts.len() {
        0 => bail!(
            "cannot tell which account this is: the input has no users, groups, roles or customer managed policies"
        ),
        1 => Ok(accounts.into_keys().next().expect("one entry")),
        _ => {
            let list: Vec<String> = accounts.keys().map(|(a, p)| format!("{a} ({p})")).collect();
            bail!(
                "the input mixes several accounts ({}); scan one account at a time",
                list.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_account_parts() {
        assert_eq!(
            arn_account("arn:aws:iam::123456789012:role/x"),
            Some(("aws", "123456789012"))
        );
        assert_eq!(
            arn_account("arn:aws:iam::aws:policy/AdministratorAccess"),
            Some(("aws", "aws"))
        );
        assert_eq!(arn_account("arn:aws:s3:::bucket"), Some(("aws", "")));
        assert_eq!(arn_account("nope"), None);
    }

    #[test]
    fn times_in_every_shape() {
        for s in [
            "2025-03-01T09:30:00Z",
            "2025-03-01T09:30:00+00:00",
            "2025-03-01 09:30:00+00:00",
            "2025-03-01T10:30:00+01:00",
        ] {
            assert_eq!(
                parse_time(s).unwrap().to_rfc3339(),
                "2025-03-01T09:30:00+00:00",
                "{s}"
            );
        }
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn wrong_shapes_are_named() {
        assert!(
            parse_authz_page(b"[1,2]")
                .unwrap_err()
                .contains("found an array")
        );
        assert!(
            parse_authz_page(b"{\"foo\":1}")
                .unwrap_err()
                .contains("none of UserDetailList")
        );
        assert!(
            parse_authz_page(b"{\"schema_version\":1}")
                .unwrap_err()
                .contains("--snapshot")
        );
        assert!(
            parse_authz_page(b"{\"RoleDetailList\":[")
                .unwrap_err()
                .starts_with("truncated JSON")
        );
        assert!(
            parse_authz_page(b"hello")
                .unwrap_err()
                .starts_with("not valid JSON")
        );
        let e = parse_authz_page(br#"{"RoleDetailList":[{"RoleName":"a"}]}"#).unwrap_err();
        assert!(
            e.starts_with("RoleDetailList[0] (a): missing field `Arn`"),
            "{e}"
        );
        let e = parse_authz_page(br#"{"Policies":{}}"#).unwrap_err();
        assert_eq!(e, "Policies: expected an array, found an object");
    }
}
