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
    /// GenerateCredentialReport / GetCredentialReport, parsed from the CSV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_report: Option<CredentialReport>,
    /// GetAccountSummary's SummaryMap (e.g. AccountMFAEnabled, AccountAccessKeysPresent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_summary: Option<BTreeMap<String, i64>>,
    /// GetAccountPasswordPolicy. `None` with source `iam.password_policy` ok means the
    /// account has no password policy (NoSuchEntity), which is itself a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicy>,
    /// ListVirtualMFADevices (assigned and unassigned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_devices: Option<Vec<MfaDevice>>,
    /// ListInstanceProfiles: every profile and the roles in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_profiles: Option<Vec<InstanceProfileInfo>>,
    /// ListAccessKeys + GetAccessKeyLastUsed per user. Key ids only, never secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_keys: Option<Vec<AccessKeyInfo>>,
    /// Regions the regional checks covered (Access Analyzer): `--regions`, or the
    /// account's enabled regions from ec2:DescribeRegions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// AWS Organizations: the organization, the account's path root → OUs → account,
    /// and the SCPs attached at every level. `None` with source
    /// `organizations.organization` ok means the account is in no organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    /// IAM Access Analyzer per scanned region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_analyzer: Option<Vec<RegionAnalyzers>>,
    /// CloudTrail trails (shadow trails included) with status and event selectors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudtrail: Option<Vec<Trail>>,
    /// How many calls of each API operation collection made (`iam:ListAccessKeys` → 200).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub api_calls: BTreeMap<String, u64>,
}

/// The IAM credential report: one row per user, plus `<root_account>` when AWS includes it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CredentialReport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_time: Option<DateTime<Utc>>,
    pub rows: Vec<CredentialRow>,
}

/// One row of the credential report, column for column as AWS writes it (values are the
/// raw CSV strings: `true`/`false`, `N/A`, `no_information`, `not_supported`, ISO times).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CredentialRow {
    pub user: String,
    pub arn: String,
    pub user_creation_time: String,
    pub password_enabled: String,
    pub password_last_used: String,
    pub password_last_changed: String,
    pub password_next_rotation: String,
    pub mfa_active: String,
    pub access_key_1_active: String,
    pub access_key_1_last_rotated: String,
    pub access_key_1_last_used_date: String,
    pub access_key_1_last_used_region: String,
    pub access_key_1_last_used_service: String,
    pub access_key_2_active: String,
    pub access_key_2_last_rotated: String,
    pub access_key_2_last_used_date: String,
    pub access_key_2_last_used_region: String,
    pub access_key_2_last_used_service: String,
    pub cert_1_active: String,
    pub cert_1_last_rotated: String,
    pub cert_2_active: String,
    pub cert_2_last_rotated: String,
}

/// A credential-report time field: a timestamp, or one of AWS's markers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportTime {
    At(DateTime<Utc>),
    /// `N/A`: never (e.g. a key never used, no password).
    Never,
    /// `no_information`: used before IAM tracked it (October 2014), or unknown.
    NoInformation,
}

impl CredentialRow {
    pub const ROOT: &'static str = "<root_account>";

    pub fn is_root(&self) -> bool {
        self.user == Self::ROOT
    }

    pub fn flag(v: &str) -> bool {
        v.eq_ignore_ascii_case("true")
    }

    pub fn time(v: &str) -> ReportTime {
        match v {
            "" | "N/A" | "not_supported" => ReportTime::Never,
            "no_information" => ReportTime::NoInformation,
            other => parse_time(other)
                .map(ReportTime::At)
                .unwrap_or(ReportTime::NoInformation),
        }
    }

    /// Parse the report's CSV. Columns are matched by header name, so a report with extra
    /// or reordered columns still parses; a missing required column is an error.
    pub fn parse_csv(text: &str) -> std::result::Result<Vec<CredentialRow>, String> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header: Vec<&str> = lines
            .next()
            .ok_or("credential report is empty")?
            .split(',')
            .map(str::trim)
            .collect();
        let col = |name: &str| header.iter().position(|h| *h == name);
        let required = [
            "user",
            "arn",
            "password_enabled",
            "mfa_active",
            "access_key_1_active",
            "access_key_2_active",
        ];
        for r in required {
            if col(r).is_none() {
                return Err(format!(
                    "credential report has no `{r}` column (header: {})",
                    header.join(",")
                ));
            }
        }
        let mut rows = Vec::new();
        for (n, line) in lines.enumerate() {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != header.len() {
                return Err(format!(
                    "credential report line {}: {} columns, header has {}",
                    n + 2,
                    cells.len(),
                    header.len()
                ));
            }
            let get = |name: &str| col(name).map(|i| cells[i].to_string()).unwrap_or_default();
            rows.push(CredentialRow {
                user: get("user"),
                arn: get("arn"),
                user_creation_time: get("user_creation_time"),
                password_enabled: get("password_enabled"),
                password_last_used: get("password_last_used"),
                password_last_changed: get("password_last_changed"),
                password_next_rotation: get("password_next_rotation"),
                mfa_active: get("mfa_active"),
                access_key_1_active: get("access_key_1_active"),
                access_key_1_last_rotated: get("access_key_1_last_rotated"),
                access_key_1_last_used_date: get("access_key_1_last_used_date"),
                access_key_1_last_used_region: get("access_key_1_last_used_region"),
                access_key_1_last_used_service: get("access_key_1_last_used_service"),
                access_key_2_active: get("access_key_2_active"),
                access_key_2_last_rotated: get("access_key_2_last_rotated"),
                access_key_2_last_used_date: get("access_key_2_last_used_date"),
                access_key_2_last_used_region: get("access_key_2_last_used_region"),
                access_key_2_last_used_service: get("access_key_2_last_used_service"),
                cert_1_active: get("cert_1_active"),
                cert_1_last_rotated: get("cert_1_last_rotated"),
                cert_2_active: get("cert_2_active"),
                cert_2_last_rotated: get("cert_2_last_rotated"),
            });
        }
        Ok(rows)
    }
}

/// The account's organization, as DescribeOrganization / ListParents /
/// ListPoliciesForTarget / DescribePolicy return it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub arn: String,
    pub management_account_id: String,
    /// `ALL` or `CONSOLIDATED_BILLING` (SCPs need `ALL`).
    pub feature_set: String,
    /// The scanned account is the management account: SCPs never apply to it.
    pub is_management_account: bool,
    /// Root first, then each OU, then the account itself; `None` when the path could
    /// not be read (coverage `organizations.scps` says why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<OrgNode>>,
    /// Every SCP attached along the path, with its document.
    #[serde(default)]
    pub policies: Vec<ServiceControlPolicy>,
    /// Account ids of the organization, when listable (management account or delegated admin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Vec<String>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OrgNode {
    pub id: String,
    /// `ROOT`, `ORGANIZATIONAL_UNIT` or `ACCOUNT`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Ids of the SCPs attached directly to this node.
    pub policy_ids: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ServiceControlPolicy {
    pub id: String,
    pub arn: String,
    pub name: String,
    #[serde(default)]
    pub aws_managed: bool,
    /// The policy document (decoded JSON).
    pub content: Value,
}

/// Access Analyzer in one region.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegionAnalyzers {
    pub region: String,
    pub status: CoverageStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    #[serde(default)]
    pub analyzers: Vec<Analyzer>,
    #[serde(default)]
    pub findings: Vec<AnalyzerFinding>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Analyzer {
    pub arn: String,
    pub name: String,
    /// `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, `ORGANIZATION_UNUSED_ACCESS`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// `ACTIVE`, `CREATING`, `DISABLED`, `FAILED`.
    pub status: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AnalyzerFinding {
    pub id: String,
    pub analyzer_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_owner_account: Option<String>,
    /// ListFindingsV2's findingType, e.g. `ExternalAccess`, `UnusedIAMRole`, `UnusedPermission`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding_type: Option<String>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    pub log_file_validation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_bucket: Option<String>,
    /// GetTrailStatus.IsLogging; `None` when the status could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_logging: Option<bool>,
    /// GetEventSelectors, raw: `{"EventSelectors": [...]}` or `{"AdvancedEventSelectors": [...]}`;
    /// `None` when they could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_selectors: Option<Value>,
}

/// GetAccountPasswordPolicy, in AWS's field names.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_password_length: Option<i64>,
    #[serde(default)]
    pub require_symbols: bool,
    #[serde(default)]
    pub require_numbers: bool,
    #[serde(default)]
    pub require_uppercase_characters: bool,
    #[serde(default)]
    pub require_lowercase_characters: bool,
    #[serde(default)]
    pub allow_users_to_change_password: bool,
    #[serde(default)]
    pub expire_passwords: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_password_age: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_reuse_prevention: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hard_expiry: Option<bool>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct MfaDevice {
    pub serial_number: String,
    /// The user the device is assigned to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_date: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfileInfo {
    pub instance_profile_name: String,
    pub arn: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyInfo {
    pub user_name: String,
    /// The key id (AKIA…): an identifier, not a secret. Secret keys are never collected.
    pub access_key_id: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_region: Option<String>,
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
    CallerIdentity,
    AuthorizationDetails,
    CredentialReport,
    AccountSummary,
    PasswordPolicy,
    AccountAliases,
    MfaDevices,
    InstanceProfiles,
    AccessKeys,
    RoleDetails,
    Regions,
    Organization,
    ServiceControlPolicies,
    AccessAnalyzer,
    CloudTrail,
}

impl Source {
    pub const ALL: &'static [Source] = &[
        Source::CallerIdentity,
        Source::AuthorizationDetails,
        Source::CredentialReport,
        Source::AccountSummary,
        Source::PasswordPolicy,
        Source::AccountAliases,
        Source::MfaDevices,
        Source::InstanceProfiles,
        Source::AccessKeys,
        Source::RoleDetails,
        Source::Regions,
        Source::Organization,
        Source::ServiceControlPolicies,
        Source::AccessAnalyzer,
        Source::CloudTrail,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Source::CallerIdentity => "sts.caller_identity",
            Source::AuthorizationDetails => "iam.authorization_details",
            Source::CredentialReport => "iam.credential_report",
            Source::AccountSummary => "iam.account_summary",
            Source::PasswordPolicy => "iam.password_policy",
            Source::AccountAliases => "iam.account_aliases",
            Source::MfaDevices => "iam.mfa_devices",
            Source::InstanceProfiles => "iam.instance_profiles",
            Source::AccessKeys => "iam.access_keys",
            Source::RoleDetails => "iam.role_details",
            Source::Regions => "ec2.regions",
            Source::Organization => "organizations.organization",
            Source::ServiceControlPolicies => "organizations.scps",
            Source::AccessAnalyzer => "accessanalyzer.analyzers",
            Source::CloudTrail => "cloudtrail.trails",
        }
    }

    pub fn from_id(id: &str) -> Option<Source> {
        Source::ALL.iter().copied().find(|s| s.id() == id)
    }

    /// Why an authorization-details export lacks this source.
    fn absent_from_authz_details(self) -> &'static str {
        match self {
            Source::CredentialReport => {
                "authorization-details exports carry no credential data (passwords, access keys, MFA): \
                 IAM users cannot be classified as human or workload; use a live scan or a snapshot"
            }
            Source::RoleDetails => {
                "authorization-details exports carry no MaxSessionDuration (ListRoles has it); use a live scan or a snapshot"
            }
            _ => "not part of authorization-details exports; use a live scan or a snapshot",
        }
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
    /// A snapshot with identity and coverage but no service data yet: each source
    /// fills its own part.
    pub fn empty(
        account: AccountInfo,
        caller: Option<CallerIdentity>,
        collected_at: DateTime<Utc>,
        source: SourceKind,
        coverage: Vec<SourceCoverage>,
    ) -> Snapshot {
        Snapshot {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo::current(),
            account,
            caller,
            collected_at,
            source,
            coverage,
            iam: None,
            credential_report: None,
            account_summary: None,
            password_policy: None,
            mfa_devices: None,
            instance_profiles: None,
            access_keys: None,
            regions: None,
            organization: None,
            access_analyzer: None,
            cloudtrail: None,
            api_calls: BTreeMap::new(),
        }
    }

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
        if let Ok(meta) = std::fs::metadata(path)
            && let Ok(m) = meta.modified()
        {
            let t = DateTime::<Utc>::from(m);
            newest_mtime = Some(newest_mtime.map_or(t, |n| n.max(t)));
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
    let coverage = Source::ALL
        .iter()
        .map(|&s| match s {
            Source::AuthorizationDetails => SourceCoverage {
                source: s.id().into(),
                status: CoverageStatus::Ok,
                detail: stats.clone(),
            },
            other => SourceCoverage {
                source: other.id().into(),
                status: CoverageStatus::Absent,
                detail: other.absent_from_authz_details().into(),
            },
        })
        .collect();
    let mut snap = Snapshot::empty(
        AccountInfo {
            id: account_id,
            alias: None,
            partition,
        },
        None,
        as_of.or(newest_mtime).unwrap_or(DateTime::UNIX_EPOCH),
        SourceKind::AuthzDetails,
        coverage,
    );
    snap.iam = Some(merged);
    Ok(snap)
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
    if let Ok(page) = serde_json::from_slice::<RawPage>(bytes)
        && (page.user_detail_list.is_some()
            || page.group_detail_list.is_some()
            || page.role_detail_list.is_some()
            || page.policies.is_some())
    {
        return Ok(AuthorizationDetails {
            user_detail_list: page.user_detail_list.unwrap_or_default(),
            group_detail_list: page.group_detail_list.unwrap_or_default(),
            role_detail_list: page.role_detail_list.unwrap_or_default(),
            policies: page.policies.unwrap_or_default(),
        });
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
pub(crate) fn decode_and_check(d: &mut AuthorizationDetails) -> std::result::Result<(), String> {
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
    fn credential_report_csv() {
        let csv = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-01T00:00:00+00:00,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
alice,arn:aws:iam::123456789012:user/alice,2024-01-01T00:00:00+00:00,true,no_information,2024-01-01T00:00:00+00:00,N/A,true,true,2024-02-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
        let rows = CredentialRow::parse_csv(csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].is_root() && !CredentialRow::flag(&rows[0].mfa_active));
        assert!(CredentialRow::flag(&rows[1].password_enabled));
        assert_eq!(
            CredentialRow::time(&rows[1].password_last_used),
            ReportTime::NoInformation
        );
        assert_eq!(
            CredentialRow::time(&rows[1].access_key_1_last_used_date),
            ReportTime::Never
        );
        assert!(matches!(
            CredentialRow::time(&rows[1].access_key_1_last_rotated),
            ReportTime::At(_)
        ));
        assert!(
            CredentialRow::parse_csv("user,arn\nx,y\n")
                .unwrap_err()
                .contains("no `password_enabled` column")
        );
        assert!(
            CredentialRow::parse_csv(&csv.replace("alice,arn", "alice,x,arn"))
                .unwrap_err()
                .contains("line 3")
        );
    }

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
