//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! - `tool.driver.rules[]` is the whole registry: id = code, name, short
//!   description = summary, full description = the doc's first paragraph, help =
//!   remediation (text) and the whole doc (markdown), `properties.tags` =
//!   `security` plus the controls, `security-severity` = a CVSS-like score GitHub
//!   maps back to critical/high/medium/low.
//! - One result per finding (suppressed and baselined ones included), with the
//!   fingerprint in `partialFingerprints` so alerts are tracked across runs.
//! - Locations. The resource is a logical location (the ARN as
//!   `fullyQualifiedName`, the resource type as `kind`). GitHub code scanning
//!   rejects a whole upload when a result has no `physicalLocation` with an
//!   artifact URI, and an ARN is not a usable URI (`arn:` reads as a scheme). So
//!   every result also gets a physical location: a stable, repository-relative
//!   pseudo-path built from the ARN, `aws/<account>/<service>/[<region>/]<resource>`
//!   (e.g. `aws/123456789012/iam/policy/app-read`), with line 1 as its region.
//!   It does not exist in the repository; it keeps alerts distinct, readable and
//!   stable across runs and machines, whatever path the input file had. SP
//!   findings are about `phi-audit.toml` itself and point at the config file and
//!   the line of the `[[suppress]]` entry.
//! - Suppressed findings carry `suppressions[]` (kind `external`, status
//!   `accepted`, the reason as justification); with `--baseline`, every result
//!   has a `baselineState` (`unchanged` when baselined, `new` otherwise).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use super::{Emitter, RenderOptions, Report};
use crate::compliance;
use crate::rules::{Finding, Severity, registry};
use crate::snapshot::CoverageStatus;

pub struct Sarif;

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key under which results carry their fingerprint.
pub const FINGERPRINT_KEY: &str = "phiAuditFingerprint/v1";

const RULES_URI: &str = "https://github.com/phi-audit/phi-audit/blob/main/rules/";

/// GitHub's buckets: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// Characters kept as they are in a path segment: RFC 3986 unreserved characters
/// plus the sub-delimiters and `@` that IAM names may contain.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'+')
    .remove(b'=')
    .remove(b',')
    .remove(b'@');

fn encode_path(segments: &[&str]) -> String {
    segments
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            let enc = utf8_percent_encode(s, SEGMENT).to_string();
            // `.` and `..` segments would be collapsed by URI resolution.
            if enc == "." || enc == ".." {
                enc.replace('.', "%2E")
            } else {
                enc
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The repository-relative pseudo-path of a resource (see the module doc).
pub fn artifact_uri(resource: &str, account: &str) -> String {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    let mut segs: Vec<&str> = vec!["aws"];
    if let ["arn", _partition, service, region, acct, rest] = parts.as_slice() {
        segs.push(if acct.is_empty() { account } else { acct });
        segs.push(service);
        segs.push(region);
        segs.extend(rest.split([':', '/']));
    } else {
        segs.push(account);
        segs.push("other");
        segs.extend(resource.split([':', '/']));
    }
    encode_path(&segs)
}

/// The repository-relative URI of the config file, for SP findings.
fn config_uri(config: Option<&str>) -> String {
    let path = config.unwrap_or(crate::config::DEFAULT_CONFIG);
    let path = path.trim_start_matches("./");
    // An absolute path is not in the repository as GitHub sees it: keep the name.
    let rel = if path.starts_with('/') || path.contains(":\\") {
        path.rsplit(['/', '\\']).next().unwrap_or(path)
    } else {
        path
    };
    let segs: Vec<&str> = rel.split(['/', '\\']).collect();
    encode_path(&segs)
}

fn physical_location(f: &Finding, report: &Report) -> Value {
    if f.rule.starts_with("SP") {
        let line = f.evidence["line"].as_u64().unwrap_or(1).max(1);
        return json!({
            "artifactLocation": {"uri": config_uri(report.config_file.as_deref())},
            "region": {"startLine": line},
        });
    }
    json!({
        "artifactLocation": {"uri": artifact_uri(&f.resource, &report.account.id)},
        "region": {"startLine": 1},
    })
}

fn first_paragraph(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty())
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn rule_descriptor(r: &registry::Rule) -> Value {
    let d = r.doc();
    let full = registry::section(d.body, "What it does")
        .map(first_paragraph)
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| d.summary.to_string());
    let controls_md: Vec<String> = d
        .controls
        .iter()
        .map(|c| match compliance::control(c) {
            Some(ctl) => format!("- **{c}** {}: {}", ctl.title, ctl.requirement),
            None => format!("- **{c}**"),
        })
        .collect();
    let controls_md = if controls_md.is_empty() {
        "none (configuration hygiene)".to_string()
    } else {
        controls_md.join("\n")
    };
    let markdown = format!(
        "**{} {}** ({} severity by default)\n\n{}\n\n{}\n\n## Controls\n\n{controls_md}\n",
        d.code,
        d.name,
        d.severity,
        d.summary,
        d.body.trim()
    );
    let text = format!(
        "{}\n\nControls: {}\n\nRun `phi-audit explain {}` for the full documentation.",
        d.remediation,
        if d.controls.is_empty() {
            "none".to_string()
        } else {
            d.controls.join(", ")
        },
        d.code
    );
    let mut tags = vec!["security".to_string()];
    tags.extend(d.controls.iter().map(|c| c.to_string()));
    json!({
        "id": d.code,
        "name": d.name,
        "shortDescription": {"text": d.summary},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": markdown},
        "helpUri": format!("{RULES_URI}{}.md", d.code),
        "defaultConfiguration": {"level": level(d.severity)},
        "properties": {
            "tags": tags,
            "security-severity": security_severity(d.severity),
            "precision": "high",
            "family": r.family,
        },
    })
}

fn result(f: &Finding, report: &Report) -> Value {
    let index = registry::RULES.iter().position(|r| r.code == f.rule);
    let mut res = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": physical_location(f, report),
            "logicalLocations": [{
                "name": super::short_resource(&f.resource, &report.account.id),
                "fullyQualifiedName": f.resource,
                "kind": f.resource_type,
            }],
        }],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "severity": f.severity.as_str(),
            "security-severity": security_severity(f.severity),
            "controls": f.controls,
            "resourceType": f.resource_type,
            "evidence": f.evidence,
            "remediation": f.remediation,
        },
    });
    let obj = res.as_object_mut().expect("object");
    if let Some(i) = index {
        obj.insert("ruleIndex".into(), json!(i));
    }
    if let Some(s) = &f.suppressed {
        let mut props = serde_json::Map::new();
        props.insert("resource".into(), json!(s.resource));
        if let Some(o) = &s.owner {
            props.insert("owner".into(), json!(o));
        }
        if let Some(e) = &s.expires {
            props.insert("expires".into(), json!(e));
        }
        obj.insert(
            "suppressions".into(),
            json!([{
                "kind": "external",
                "status": "accepted",
                "justification": s.reason,
                "properties": props,
            }]),
        );
    }
    if report.baseline_used {
        obj.insert(
            "baselineState".into(),
            json!(if f.baselined { "unchanged" } else { "new" }),
        );
    }
    res
}

/// The SARIF log of a report, as a JSON value.
pub fn to_value(report: &Report) -> Value {
    let rules: Vec<Value> = registry::RULES.iter().map(rule_descriptor).collect();
    let results: Vec<Value> = report.findings.iter().map(|f| result(f, report)).collect();
    let notifications: Vec<Value> = report
        .coverage
        .iter()
        .filter(|c| c.status != CoverageStatus::Ok)
        .map(|c| {
            json!({
                "level": "warning",
                "message": {"text": format!("{} is {}: {}", c.source, c.status.as_str(), c.detail)},
                "descriptor": {"id": "coverage"},
                "properties": {"source": c.source, "status": c.status.as_str(), "rules": c.rules},
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "phi-audit",
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": "https://github.com/phi-audit/phi-audit",
                "rules": rules,
            }},
            // One category per account, so uploads for several accounts do not
            // replace each other's alerts in GitHub.
            "automationDetails": {"id": format!("phi-audit/{}/", report.account.id)},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": {
                "account": report.account,
                "collected_at": report.collected_at,
                "source": report.source,
                "summary": report.summary,
            },
        }],
    })
}

impl Emitter for Sarif {
    fn emit(
        &self,
        report: &Report,
        _opts: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_uris_are_relative_stable_paths() {
        let a = "123456789012";
        assert_eq!(
            artifact_uri("arn:aws:iam::123456789012:policy/app-read", a),
            "aws/123456789012/iam/policy/app-read"
        );
        assert_eq!(
            artifact_uri("arn:aws:iam::aws:policy/AdministratorAccess", a),
            "aws/aws/iam/policy/AdministratorAccess"
        );
        assert_eq!(
            artifact_uri(
                "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_X_1",
                a
            ),
            "aws/123456789012/iam/role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_X_1"
        );
        assert_eq!(
            artifact_uri("arn:aws:s3:::phi-records", a),
            "aws/123456789012/s3/phi-records"
        );
        assert_eq!(
            artifact_uri(
                "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/x",
                a
            ),
            "aws/123456789012/access-analyzer/us-east-1/analyzer/x"
        );
        assert_eq!(
            artifact_uri("arn:aws:iam::123456789012:user/a+b=c,d@e.f", a),
            "aws/123456789012/iam/user/a+b=c,d@e.f"
        );
        assert_eq!(
            artifact_uri("weird name?#", a),
            "aws/123456789012/other/weird%20name%3F%23"
        );
        assert_eq!(
            artifact_uri("arn:aws:iam::1:policy/..", a),
            "aws/1/iam/policy/%2E%2E"
        );
    }

    #[test]
    fn config_uri_is_repository_relative() {
        assert_eq!(config_uri(None), "phi-audit.toml");
        assert_eq!(config_uri(Some("./ci/phi-audit.toml")), "ci/phi-audit.toml");
        assert_eq!(
            config_uri(Some("/tmp/x y/phi-audit.toml")),
            "phi-audit.toml"
        );
        assert_eq!(
            config_uri(Some("conf/my audit.toml")),
            "conf/my%20audit.toml"
        );
    }

    #[test]
    fn severities_land_in_githubs_buckets() {
        let bucket = |s: &str| {
            let v: f64 = s.parse().unwrap();
            if v >= 9.0 {
                "critical"
            } else if v >= 7.0 {
                "high"
            } else if v >= 4.0 {
                "medium"
            } else {
                "low"
            }
        };
        for s in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ] {
            assert_eq!(bucket(security_severity(s)), s.as_str());
        }
    }
}
