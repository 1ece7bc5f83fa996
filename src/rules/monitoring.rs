//! Monitoring (MN): signs that access is unwatched or unneeded — no Access Analyzer,
//! open analyzer findings, unused roles, no audit trail. See `rules/MN*.md`.
//!
//! Ages are measured from the snapshot's `collected_at`, never the clock, so every run
//! over the same snapshot agrees.

use serde_json::{Value, json};

use super::classify::{break_glass_reason, is_service_linked};
use super::{Context, Hit, Severity};
use crate::snapshot::{Analyzer, AnalyzerFinding, CoverageStatus, RegionAnalyzers, Trail};

// ---------------------------------------------------------------------------
// MN003 unused-role
// ---------------------------------------------------------------------------

/// `RoleLastUsed` absent and `RoleLastUsed: {}` both mean "no recorded use": IAM has
/// not seen the role used within its tracking window (400 days), or ever. Such a role
/// counts as unused once its `CreateDate` is older than the threshold; a role without a
/// `CreateDate` either cannot be aged and is left alone.
pub fn mn003_unused_role(ctx: &Context<'_>) -> Vec<Hit> {
    let at = ctx.snapshot.collected_at;
    let limit = i64::from(ctx.settings.unused_days);
    let day = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    let mut hits = Vec::new();
    for role in &ctx.inv.roles {
        // Service-linked roles are created and removed with the service that uses them.
        if is_service_linked(&role.path) {
            continue;
        }
        let (message, idle_days) = match (role.last_used, role.create_date) {
            (Some(used), _) => {
                let idle = (at - used).num_days();
                if idle <= limit {
                    continue;
                }
                (
                    format!(
                        "role {} was last used {} ({idle} days before the snapshot of {}; threshold {limit} days)",
                        role.name,
                        day(used),
                        day(at)
                    ),
                    idle,
                )
            }
            (None, Some(created)) => {
                let age = (at - created).num_days();
                if age <= limit {
                    continue;
                }
                (
                    format!(
                        "role {} has no recorded use (RoleLastUsed is empty) and was created {} ({age} days before the snapshot of {}; threshold {limit} days)",
                        role.name,
                        day(created),
                        day(at)
                    ),
                    age,
                )
            }
            (None, None) => continue,
        };
        hits.push(Hit {
            resource: role.arn.clone(),
            resource_type: "AWS::IAM::Role",
            message,
            evidence: json!({
                "principal": role.arn,
                "last_used": role.last_used.map(|t| t.to_rfc3339()),
                "create_date": role.create_date.map(|t| t.to_rfc3339()),
                "collected_at": at.to_rfc3339(),
                "days": idle_days,
                "unused_days": limit,
                "break_glass": break_glass_reason(&role.name, &role.tags, ctx.settings),
            }),
            discriminator: String::new(),
            severity: None,
        });
    }
    hits
}

// ---------------------------------------------------------------------------
// IAM Access Analyzer (MN001, MN002)
// ---------------------------------------------------------------------------

const ANALYZER_TYPE: &str = "AWS::AccessAnalyzer::Analyzer";

/// Analyzer types that report access from outside the zone of trust (external access).
pub const EXTERNAL_ACCESS_ANALYZERS: &[&str] = &["ACCOUNT", "ORGANIZATION"];

/// The regions whose Access Analyzer data was collected. A region that failed is never
/// evaluated (so never reported as passing); the `accessanalyzer.analyzers` coverage
/// entry names it, and the rules' evidence lists it.
fn analyzer_regions<'a>(ctx: &Context<'a>) -> (Vec<&'a RegionAnalyzers>, Vec<Value>) {
    let all = ctx.snapshot.access_analyzer.as_deref().unwrap_or_default();
    let mut ok: Vec<&RegionAnalyzers> = all
        .iter()
        .filter(|r| r.status == CoverageStatus::Ok)
        .collect();
    ok.sort_by(|a, b| a.region.cmp(&b.region));
    let failed = all
        .iter()
        .filter(|r| r.status != CoverageStatus::Ok)
        .map(|r| json!({"region": r.region, "status": r.status.as_str(), "detail": r.detail}))
        .collect();
    (ok, failed)
}

fn analyzer_json(a: &Analyzer) -> Value {
    json!({"name": a.name, "arn": a.arn, "type": a.kind, "status": a.status})
}

/// `arn:aws:access-analyzer:<region>:<account>:analyzer`: the region's analyzers of the
/// account (no name: MN001 is about the analyzer that does not exist).
fn region_analyzer_resource(ctx: &Context<'_>, region: &str) -> String {
    format!(
        "arn:{}:access-analyzer:{region}:{}:analyzer",
        ctx.snapshot.account.partition, ctx.snapshot.account.id
    )
}

pub fn mn001_access_analyzer_disabled(ctx: &Context<'_>) -> Vec<Hit> {
    let (regions, failed) = analyzer_regions(ctx);
    let mut hits = Vec::new();
    for r in regions {
        let external: Vec<&Analyzer> = r
            .analyzers
            .iter()
            .filter(|a| EXTERNAL_ACCESS_ANALYZERS.contains(&a.kind.as_str()))
            .collect();
        if external.iter().any(|a| a.status == "ACTIVE") {
            continue;
        }
        let list = |v: &[&Analyzer]| {
            v.iter()
                .map(|a| format!("{} ({}, {})", a.name, a.kind, a.status))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let message = if !external.is_empty() {
            format!(
                "{}: no active external-access analyzer: {} not ACTIVE, so resources shared outside the account are not reported",
                r.region,
                list(&external)
            )
        } else if !r.analyzers.is_empty() {
            let others: Vec<&Analyzer> = r.analyzers.iter().collect();
            format!(
                "{}: no external-access analyzer (type ACCOUNT or ORGANIZATION); only {}",
                r.region,
                list(&others)
            )
        } else {
            format!(
                "{}: no IAM Access Analyzer analyzer, so resources shared outside the account are not reported",
                r.region
            )
        };
        let mut evidence = json!({
            "region": r.region,
            "analyzers": r.analyzers.iter().map(analyzer_json).collect::<Vec<_>>(),
            "expected": "an ACTIVE analyzer of type ACCOUNT or ORGANIZATION",
        });
        if !failed.is_empty() {
            evidence["regions_not_collected"] = json!(failed);
        }
        hits.push(Hit {
            resource: region_analyzer_resource(ctx, &r.region),
            resource_type: ANALYZER_TYPE,
            message,
            evidence,
            discriminator: String::new(),
            severity: None,
        });
    }
    hits
}

/// What an Access Analyzer finding is about, and MN002's severity for it: external
/// access high, unused and internal access medium. The finding type decides; without
/// one (external-access findings of older analyzers), the analyzer's type does; an
/// unknown kind is treated as external (high) rather than played down.
pub fn analyzer_finding_kind(
    finding_type: Option<&str>,
    analyzer_type: Option<&str>,
) -> (&'static str, Severity) {
    let by_type = match finding_type {
        Some("ExternalAccess") => Some("external access"),
        Some("InternalAccess") => Some("internal access"),
        Some(t) if t.starts_with("Unused") => Some("unused access"),
        _ => None,
    };
    let kind = by_type.unwrap_or_else(|| match analyzer_type {
        Some(t) if t.ends_with("UNUSED_ACCESS") => "unused access",
        Some(t) if t.ends_with("INTERNAL_ACCESS") => "internal access",
        Some(t) if EXTERNAL_ACCESS_ANALYZERS.contains(&t) => "external access",
        _ => "unclassified access",
    });
    let severity = match kind {
        "unused access" | "internal access" => Severity::Medium,
        _ => Severity::High,
    };
    (kind, severity)
}

/// Access Analyzer's resource types, as the `&'static str` a finding carries.
const ANALYZER_RESOURCE_TYPES: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::S3Express::DirectoryBucket",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::KMS::Key",
    "AWS::Lambda::Function",
    "AWS::Lambda::LayerVersion",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::SecretsManager::Secret",
    "AWS::EFS::FileSystem",
    "AWS::EC2::Snapshot",
    "AWS::ECR::Repository",
    "AWS::RDS::DBSnapshot",
    "AWS::RDS::DBClusterSnapshot",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::Stream",
];

fn analyzer_resource_type(t: Option<&str>) -> &'static str {
    t.and_then(|t| ANALYZER_RESOURCE_TYPES.iter().find(|k| **k == t).copied())
        .unwrap_or("AWS::AccessAnalyzer::Finding")
}

pub fn mn002_access_analyzer_active_finding(ctx: &Context<'_>) -> Vec<Hit> {
    let (regions, _) = analyzer_regions(ctx);
    let mut hits = Vec::new();
    for r in regions {
        let mut findings: Vec<&AnalyzerFinding> = r
            .findings
            .iter()
            .filter(|f| f.status.eq_ignore_ascii_case("ACTIVE"))
            .collect();
        findings.sort_by(|a, b| a.id.cmp(&b.id));
        for f in findings {
            let analyzer = r.analyzers.iter().find(|a| a.arn == f.analyzer_arn);
            let (kind, severity) =
                analyzer_finding_kind(f.finding_type.as_deref(), analyzer.map(|a| a.kind.as_str()));
            let target = f.resource.as_deref().unwrap_or("an unnamed resource");
            let what = match (kind, f.finding_type.as_deref()) {
                ("external access", _) => format!(
                    "{} {target} is accessible from outside the account",
                    f.resource_type.as_deref().unwrap_or("resource")
                ),
                (_, Some("UnusedIAMRole")) => format!("role {target} is unused"),
                (_, Some("UnusedIAMUserAccessKey")) => {
                    format!("an access key of {target} is unused")
                }
                (_, Some("UnusedIAMUserPassword")) => {
                    format!("the console password of {target} is unused")
                }
                (_, Some("UnusedPermission")) => format!("{target} has unused permissions"),
                (_, Some(t)) => format!("{t} on {target}"),
                (_, None) => format!("{kind} on {target}"),
            };
            let since = f
                .created_at
                .map(|t| format!(", open since {}", t.format("%Y-%m-%d")))
                .unwrap_or_default();
            let analyzer_name = analyzer.map_or(f.analyzer_arn.as_str(), |a| a.name.as_str());
            hits.push(Hit {
                resource: f
                    .resource
                    .clone()
                    .unwrap_or_else(|| f.analyzer_arn.clone()),
                resource_type: analyzer_resource_type(f.resource_type.as_deref()),
                message: format!(
                    "{}: active Access Analyzer finding {} ({kind}): {what} (analyzer {analyzer_name}{since})",
                    r.region, f.id
                ),
                evidence: json!({
                    "region": r.region,
                    "finding_id": f.id,
                    "kind": kind,
                    "finding_type": f.finding_type,
                    "status": f.status,
                    "resource": f.resource,
                    "resource_type": f.resource_type,
                    "resource_owner_account": f.resource_owner_account,
                    "created_at": f.created_at.map(|t| t.to_rfc3339()),
                    "analyzer": analyzer.map_or_else(|| json!({"arn": f.analyzer_arn}), analyzer_json),
                }),
                discriminator: f.id.clone(),
                severity: Some(severity),
            });
        }
    }
    hits
}

// ---------------------------------------------------------------------------
// MN004 cloudtrail-not-logging
// ---------------------------------------------------------------------------

/// Why a trail's event selectors do not record every management event, read and
/// write; `Ok` when they do.
///
/// - Basic selectors (`EventSelectors`): read and write must each be covered by a
///   selector with `IncludeManagementEvents: true`, `ReadWriteType` `All` (or one
///   `ReadOnly` and one `WriteOnly`) and no `ExcludeManagementEventSources`.
/// - Advanced selectors (`AdvancedEventSelectors`): a selector whose `eventCategory`
///   Equals `Management` records management events; a `readOnly` field limits it to reads
///   (`true`) or writes (`false`); any other field (in practice `eventSource`, used to
///   drop KMS or RDS Data API events) makes it partial.
/// - Excluded event sources count as missing events: KMS `Decrypt` and the RDS Data
///   API are exactly the records that show who read PHI.
/// - Unknown (`None`: GetEventSelectors was not collected), or a value and field missing
///   from the shapes above, is never taken as recording.
pub fn management_events(selectors: Option<&Value>) -> Result<(), String> {
    let Some(sel) = selectors else {
        return Err("event selectors unknown (GetEventSelectors not collected)".into());
    };
    if let Some(adv) = sel
        .get("AdvancedEventSelectors")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    {
        return advanced_management_events(adv);
    }
    match sel.get("EventSelectors").and_then(Value::as_array) {
        Some(basic) => basic_management_events(basic),
        None => Err("event selectors in an unknown shape".into()),
    }
}

fn read_write_gap(read: bool, write: bool, notes: Vec<String>) -> Result<(), String> {
    match (read, write) {
        (true, true) => Ok(()),
        _ if !notes.is_empty() => Err(notes.join("; ")),
        (true, false) => Err("records read-only management events (no write events)".into()),
        (false, true) => Err("records write-only management events (no read events)".into()),
        (false, false) => Err("records no management events".into()),
    }
}

fn basic_management_events(selectors: &[Value]) -> Result<(), String> {
    let (mut read, mut write) = (false, false);
    let mut notes = Vec::new();
    for s in selectors {
        if s.get("IncludeManagementEvents").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let excluded: Vec<&str> = s
            .get("ExcludeManagementEventSources")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !excluded.is_empty() {
            notes.push(format!(
                "excludes management events from {}",
                excluded.join(", ")
            ));
            continue;
        }
        match s.get("ReadWriteType").and_then(Value::as_str) {
            Some("All") => (read, write) = (true, true),
            Some("ReadOnly") => read = true,
            Some("WriteOnly") => write = true,
            other => notes.push(format!("unknown ReadWriteType {other:?}")),
        }
    }
    if !(read && write) && notes.is_empty() && selectors.is_empty() {
        return Err("records no management events (no event selectors)".into());
    }
    read_write_gap(read, write, notes)
}

/// The values of one operator of an advanced field selector (`Equals`, `NotEquals`, …).
fn field_name(f: &Value) -> &str {
    f.get("Field").and_then(Value::as_str).unwrap_or_default()
}

fn field_values<'a>(f: &'a Value, op: &str) -> Vec<&'a str> {
    f.get(op)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

const FIELD_OPERATORS: &[&str] = &[
    "Equals",
    "NotEquals",
    "StartsWith",
    "NotStartsWith",
    "EndsWith",
    "NotEndsWith",
];

fn advanced_management_events(selectors: &[Value]) -> Result<(), String> {
    let (mut read, mut write) = (false, false);
    let mut notes = Vec::new();
    for s in selectors {
        let fields: Vec<&Value> = s
            .get("FieldSelectors")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let management = fields.iter().any(|f| {
            field_name(f).eq_ignore_ascii_case("eventCategory")
                && field_values(f, "Equals").contains(&"Management")
        });
        if !management {
            continue;
        }
        let name = s.get("Name").and_then(Value::as_str).unwrap_or("unnamed");
        let (mut r, mut w) = (true, true);
        let mut partial = None;
        for f in &fields {
            let used: Vec<&str> = FIELD_OPERATORS
                .iter()
                .copied()
                .filter(|op| !field_values(f, op).is_empty())
                .collect();
            let fname = field_name(f);
            if fname.eq_ignore_ascii_case("eventCategory") || used.is_empty() {
                continue;
            }
            if fname.eq_ignore_ascii_case("readOnly") {
                let eq = field_values(f, "Equals");
                let ne = field_values(f, "NotEquals");
                if used.iter().all(|op| *op == "Equals" || *op == "NotEquals") {
                    let allows = |v: &str| (eq.is_empty() || eq.contains(&v)) && !ne.contains(&v);
                    r = allows("true");
                    w = allows("false");
                    continue;
                }
            }
            let detail = used
                .iter()
                .map(|op| format!("{op} {}", field_values(f, op).join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            partial = Some(format!(
                "advanced selector {name:?} limits management events by {fname} ({detail})"
            ));
        }
        match partial {
            Some(p) => notes.push(p),
            None => {
                read |= r;
                write |= w;
            }
        }
    }
    read_write_gap(read, write, notes)
}

/// Why a trail is not the audit trail MN004 asks for: multi-region, logging, validating
/// its log files and recording every management event. Empty when it is.
pub fn trail_shortfalls(t: &Trail) -> Vec<String> {
    let mut out = Vec::new();
    if !t.is_multi_region {
        out.push(format!("single-region (home region {})", t.home_region));
    }
    match t.is_logging {
        Some(true) => {}
        Some(false) => out.push("not logging".into()),
        None => out.push("logging status unknown (GetTrailStatus not collected)".into()),
    }
    if !t.log_file_validation {
        out.push("log file validation off".into());
    }
    if let Err(e) = management_events(t.event_selectors.as_ref()) {
        out.push(e);
    }
    out
}

pub fn mn004_cloudtrail_not_logging(ctx: &Context<'_>) -> Vec<Hit> {
    let Some(trails) = &ctx.snapshot.cloudtrail else {
        return Vec::new();
    };
    let mut sorted: Vec<&Trail> = trails.iter().collect();
    sorted.sort_by(|a, b| a.arn.cmp(&b.arn));
    sorted.dedup_by(|a, b| a.arn == b.arn);
    let mut assessed = Vec::new();
    for t in &sorted {
        let shortfalls = trail_shortfalls(t);
        if shortfalls.is_empty() {
            return Vec::new();
        }
        assessed.push((*t, shortfalls));
    }
    let account = &ctx.snapshot.account.id;
    let message = if assessed.is_empty() {
        format!("account {account} has no CloudTrail trail: API activity is not recorded")
    } else {
        let why: Vec<String> = assessed
            .iter()
            .map(|(t, s)| format!("{}: {}", t.name, s.join(", ")))
            .collect();
        format!(
            "no CloudTrail trail in account {account} is multi-region, logging, with log file validation and all management events ({})",
            why.join("; ")
        )
    };
    let evidence = json!({
        "requirement": "one trail that is multi-region, logging, with log file validation, recording read and write management events",
        "trails": assessed.iter().map(|(t, s)| json!({
            "name": t.name,
            "arn": t.arn,
            "home_region": t.home_region,
            "is_multi_region": t.is_multi_region,
            "is_organization_trail": t.is_organization_trail,
            "is_logging": t.is_logging,
            "log_file_validation": t.log_file_validation,
            "s3_bucket": t.s3_bucket,
            "event_selectors": t.event_selectors,
            "shortfalls": s,
        })).collect::<Vec<_>>(),
    });
    vec![Hit {
        resource: super::credentials::account_arn(ctx),
        resource_type: "AWS::::Account",
        message,
        evidence,
        discriminator: String::new(),
        severity: None,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::rules::testutil::{authz, role, run, trust};
    use serde_json::{Value, json};

    fn r(name: &str, created: &str, last_used: Value) -> Value {
        let mut x = role(
            name,
            trust(vec![
                json!({"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}),
            ]),
        );
        x["CreateDate"] = json!(created);
        if last_used.is_null() {
            x.as_object_mut().unwrap().remove("RoleLastUsed");
        } else {
            x["RoleLastUsed"] = last_used;
        }
        x
    }

    #[test]
    fn measured_from_collected_at() {
        // The test snapshot is collected 2026-11-20; threshold 90 days.
        let doc = authz(vec![
            r(
                "recent",
                "2020-01-01T00:00:00Z",
                json!({"LastUsedDate":"2026-08-22T00:00:00Z"}),
            ),
            r(
                "stale",
                "2020-01-01T00:00:00Z",
                json!({"LastUsedDate":"2026-08-21T00:00:00Z"}),
            ),
            r("never-empty", "2026-01-01T00:00:00Z", json!({})),
            r("never-absent", "2026-01-01T00:00:00Z", Value::Null),
            r("never-new", "2026-10-01T00:00:00Z", json!({})),
        ]);
        let h = run(mn003_unused_role, &doc, &Settings::default());
        let names: Vec<&str> = h
            .iter()
            .map(|x| x.resource.rsplit('/').next().unwrap())
            .collect();
        assert_eq!(names, vec!["stale", "never-empty", "never-absent"]);
        assert!(
            h[0].message
                .contains("last used 2026-08-21 (91 days before the snapshot of 2026-11-20"),
            "{}",
            h[0].message
        );
        assert!(h[1].message.contains("no recorded use"), "{}", h[1].message);
        assert_eq!(
            h[1].message.replace("never-empty", "x"),
            h[2].message.replace("never-absent", "x")
        );
    }
}

#[cfg(test)]
mod access_analyzer_and_cloudtrail_tests {
    use super::*;
    use crate::config::Settings;
    use crate::inventory::Inventory;
    use crate::rules::CheckFn;
    use crate::rules::testutil::{authz, snapshot};
    use crate::snapshot::Snapshot;

    fn run_on(check: CheckFn, snap: &Snapshot) -> Vec<Hit> {
        let inv = Inventory::build(snap).unwrap();
        let settings = Settings::default();
        check(&Context {
            snapshot: snap,
            inv: &inv,
            settings: &settings,
        })
    }

    fn with_analyzers(regions: Value) -> Snapshot {
        let mut snap = snapshot(&authz(vec![]));
        snap.access_analyzer = Some(serde_json::from_value(regions).unwrap());
        snap
    }

    fn analyzer(region: &str, name: &str, kind: &str, status: &str) -> Value {
        json!({"arn": format!("arn:aws:access-analyzer:{region}:123456789012:analyzer/{name}"), "name": name, "type": kind, "status": status})
    }

    #[test]
    fn mn001_needs_an_active_external_access_analyzer_per_collected_region() {
        let snap = with_analyzers(json!([
            {"region": "us-east-1", "status": "ok", "analyzers": [analyzer("us-east-1", "acct", "ACCOUNT", "ACTIVE")]},
            {"region": "us-east-2", "status": "ok", "analyzers": [analyzer("us-east-2", "org", "ORGANIZATION", "ACTIVE")]},
            {"region": "us-west-1", "status": "ok", "analyzers": [analyzer("us-west-1", "unused", "ACCOUNT_UNUSED_ACCESS", "ACTIVE")]},
            {"region": "us-west-2", "status": "ok", "analyzers": []},
            {"region": "eu-west-1", "status": "ok", "analyzers": [analyzer("eu-west-1", "acct", "ACCOUNT", "FAILED")]},
            {"region": "ap-south-1", "status": "denied", "detail": "ListAnalyzers: AccessDenied"}
        ]));
        let hits = run_on(mn001_access_analyzer_disabled, &snap);
        let regions: Vec<&str> = hits
            .iter()
            .map(|h| h.evidence["region"].as_str().unwrap())
            .collect();
        // The denied region is not evaluated (and not passed): it is listed as not collected.
        assert_eq!(regions, vec!["eu-west-1", "us-west-1", "us-west-2"]);
        assert_eq!(
            hits[2].resource,
            "arn:aws:access-analyzer:us-west-2:123456789012:analyzer"
        );
        assert!(
            hits[0]
                .message
                .contains("acct (ACCOUNT, FAILED) not ACTIVE"),
            "{}",
            hits[0].message
        );
        assert!(
            hits[1]
                .message
                .contains("only unused (ACCOUNT_UNUSED_ACCESS, ACTIVE)"),
            "{}",
            hits[1].message
        );
        assert!(
            hits[2].message.contains("no IAM Access Analyzer analyzer"),
            "{}",
            hits[2].message
        );
        assert_eq!(
            hits[2].evidence["regions_not_collected"][0]["region"],
            "ap-south-1"
        );
    }

    #[test]
    fn mn002_severity_follows_the_finding_kind() {
        let ext = "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/acct";
        let unused = "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/unused";
        let snap = with_analyzers(json!([{
            "region": "us-east-1", "status": "ok",
            "analyzers": [analyzer("us-east-1", "acct", "ACCOUNT", "ACTIVE"), analyzer("us-east-1", "unused", "ACCOUNT_UNUSED_ACCESS", "ACTIVE")],
            "findings": [
                {"id": "f-1", "analyzer_arn": ext, "resource": "arn:aws:s3:::phi-records-prod", "resource_type": "AWS::S3::Bucket", "resource_owner_account": "123456789012", "finding_type": "ExternalAccess", "status": "ACTIVE", "created_at": "2026-10-02T08:00:00Z"},
                {"id": "f-2", "analyzer_arn": ext, "resource": "arn:aws:kms:us-east-1:123456789012:key/k", "resource_type": "AWS::KMS::Key", "status": "ACTIVE"},
                {"id": "f-3", "analyzer_arn": unused, "resource": "arn:aws:iam::123456789012:role/old", "resource_type": "AWS::IAM::Role", "finding_type": "UnusedIAMRole", "status": "ACTIVE"},
                {"id": "f-4", "analyzer_arn": unused, "resource": "arn:aws:iam::123456789012:user/bob", "resource_type": "AWS::IAM::User", "finding_type": "UnusedPermission", "status": "ACTIVE"},
                {"id": "f-5", "analyzer_arn": ext, "resource": "arn:aws:s3:::old", "resource_type": "AWS::S3::Bucket", "finding_type": "ExternalAccess", "status": "ARCHIVED"}
            ]
        }]));
        let hits = run_on(mn002_access_analyzer_active_finding, &snap);
        let got: Vec<(&str, Option<Severity>, &str)> = hits
            .iter()
            .map(|h| (h.discriminator.as_str(), h.severity, h.resource_type))
            .collect();
        assert_eq!(
            got,
            vec![
                ("f-1", Some(Severity::High), "AWS::S3::Bucket"),
                ("f-2", Some(Severity::High), "AWS::KMS::Key"),
                ("f-3", Some(Severity::Medium), "AWS::IAM::Role"),
                ("f-4", Some(Severity::Medium), "AWS::IAM::User"),
            ]
        );
        assert_eq!(
            hits[0].message,
            "us-east-1: active Access Analyzer finding f-1 (external access): AWS::S3::Bucket arn:aws:s3:::phi-records-prod is accessible from outside the account (analyzer acct, open since 2026-10-02)"
        );
        assert!(
            hits[2]
                .message
                .contains("role arn:aws:iam::123456789012:role/old is unused")
        );
        assert_eq!(
            analyzer_finding_kind(None, None),
            ("unclassified access", Severity::High)
        );
        assert_eq!(
            analyzer_finding_kind(Some("InternalAccess"), Some("ACCOUNT_INTERNAL_ACCESS")).1,
            Severity::Medium
        );
        assert_eq!(
            analyzer_finding_kind(None, Some("ORGANIZATION_UNUSED_ACCESS")).1,
            Severity::Medium
        );
    }

    #[test]
    fn basic_selectors() {
        let basic = |v: Value| management_events(Some(&json!({"EventSelectors": v})));
        assert!(basic(json!([{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []}])).is_ok());
        assert!(
            basic(json!([
                {"ReadWriteType": "ReadOnly", "IncludeManagementEvents": true},
                {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}
            ]))
            .is_ok()
        );
        assert_eq!(
            basic(json!([{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}]))
                .unwrap_err(),
            "records write-only management events (no read events)"
        );
        assert_eq!(
            basic(json!([{"ReadWriteType": "All", "IncludeManagementEvents": false, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])).unwrap_err(),
            "records no management events"
        );
        assert_eq!(
            basic(json!([{"ReadWriteType": "All", "IncludeManagementEvents": true, "ExcludeManagementEventSources": ["kms.amazonaws.com"]}])).unwrap_err(),
            "excludes management events from kms.amazonaws.com"
        );
        assert_eq!(
            basic(json!([])).unwrap_err(),
            "records no management events (no event selectors)"
        );
        // A null (unknown) flag is not taken as recording.
        assert!(basic(json!([{"ReadWriteType": "All", "IncludeManagementEvents": null}])).is_err());
        assert!(management_events(None).unwrap_err().contains("unknown"));
        assert!(
            management_events(Some(&json!({})))
                .unwrap_err()
                .contains("unknown shape")
        );
    }

    #[test]
    fn advanced_selectors() {
        let adv = |v: Value| management_events(Some(&json!({"AdvancedEventSelectors": v})));
        let mgmt = |extra: Vec<Value>| {
            let mut f = vec![
                json!({"Field": "eventCategory", "Equals": ["Management"], "NotEquals": null}),
            ];
            f.extend(extra);
            json!({"Name": "mgmt", "FieldSelectors": f})
        };
        assert!(adv(json!([mgmt(vec![])])).is_ok());
        // Read-only in one selector, write-only in another: both covered.
        assert!(
            adv(json!([
                mgmt(vec![json!({"Field": "readOnly", "Equals": ["true"]})]),
                mgmt(vec![json!({"Field": "readOnly", "Equals": ["false"]})])
            ]))
            .is_ok()
        );
        assert_eq!(
            adv(json!([mgmt(vec![
                json!({"Field": "readOnly", "Equals": ["false"]})
            ])]))
            .unwrap_err(),
            "records write-only management events (no read events)"
        );
        assert_eq!(
            adv(json!([mgmt(vec![
                json!({"Field": "readOnly", "NotEquals": ["false"]})
            ])]))
            .unwrap_err(),
            "records read-only management events (no write events)"
        );
        assert_eq!(
            adv(json!([mgmt(vec![json!({"Field": "eventSource", "NotEquals": ["kms.amazonaws.com", "rdsdata.amazonaws.com"]})])])).unwrap_err(),
            "advanced selector \"mgmt\" limits management events by eventSource (NotEquals kms.amazonaws.com, rdsdata.amazonaws.com)"
        );
        // Data events only.
        assert_eq!(
            adv(json!([{"Name": "s3", "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}
            ]}]))
            .unwrap_err(),
            "records no management events"
        );
        // Data events plus a full management selector pass.
        assert!(adv(json!([
            {"Name": "s3", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]},
            mgmt(vec![])
        ])).is_ok());
    }

    fn trail(
        name: &str,
        multi: bool,
        logging: Option<bool>,
        validation: bool,
        selectors: Option<Value>,
    ) -> Value {
        let mut t = json!({
            "name": name,
            "arn": format!("arn:aws:cloudtrail:us-east-1:123456789012:trail/{name}"),
            "home_region": "us-east-1",
            "is_multi_region": multi,
            "is_organization_trail": false,
            "log_file_validation": validation,
        });
        if let Some(l) = logging {
            t["is_logging"] = json!(l);
        }
        if let Some(s) = selectors {
            t["event_selectors"] = s;
        }
        t
    }

    fn with_trails(trails: Vec<Value>) -> Snapshot {
        let mut snap = snapshot(&authz(vec![]));
        snap.cloudtrail = Some(serde_json::from_value(Value::Array(trails)).unwrap());
        snap
    }

    #[test]
    fn mn004_one_account_finding_listing_every_trail() {
        let all =
            json!({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}]});
        let snap = with_trails(vec![
            trail("regional", false, Some(true), false, Some(all.clone())),
            trail("stopped", true, Some(false), true, Some(all.clone())),
            trail("unknown", true, None, true, None),
        ]);
        let hits = run_on(mn004_cloudtrail_not_logging, &snap);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].resource, "arn:aws:iam::123456789012:root");
        assert_eq!(
            hits[0].message,
            "no CloudTrail trail in account 123456789012 is multi-region, logging, with log file validation and all management events (regional: single-region (home region us-east-1), log file validation off; stopped: not logging; unknown: logging status unknown (GetTrailStatus not collected), event selectors unknown (GetEventSelectors not collected))"
        );
        assert_eq!(hits[0].evidence["trails"].as_array().unwrap().len(), 3);

        let snap = with_trails(vec![
            trail("regional", false, Some(true), false, Some(all.clone())),
            trail("org-audit", true, Some(true), true, Some(all)),
        ]);
        assert!(run_on(mn004_cloudtrail_not_logging, &snap).is_empty());

        let snap = with_trails(vec![]);
        let hits = run_on(mn004_cloudtrail_not_logging, &snap);
        assert!(hits[0].message.contains("has no CloudTrail trail"));
    }
}
