//! CI gating through the real binary: baselines (round trip, reordering, new and
//! fixed findings, malformed files), suppressions (matching, expiry, unused) and
//! the exit codes with and without them.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::fingerprints::{demo_value, reorder_everything, temp_json};
use crate::support::{DEMO_AS_OF, fixture, phi_audit, phi_audit_in, stderr, stdout};

/// A fresh, empty directory under the system temp dir.
pub fn scratch() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "phi-audit-ci-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// `phi-audit <cmd> --authz-details FILE --as-of DEMO_AS_OF --config demo <extra>`.
fn run_on(cmd: &str, input: &Path, extra: &[&str]) -> Output {
    let input = s(input);
    let cfg = s(&fixture("demo/phi-audit.toml"));
    let mut args = vec![
        cmd,
        "--authz-details",
        &input,
        "--as-of",
        DEMO_AS_OF,
        "--config",
        &cfg,
    ];
    args.extend_from_slice(extra);
    phi_audit(&args)
}

fn json_of(out: &Output) -> Value {
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        stderr(out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn record_baseline(input: &Path) -> PathBuf {
    let path = scratch().join("baseline.json");
    let out = run_on("baseline", input, &["-o", &s(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).starts_with("phi-audit: recorded "),
        "{}",
        stderr(&out)
    );
    path
}

fn demo() -> PathBuf {
    fixture("demo/clinic-authz.json")
}

#[test]
fn baseline_file_lists_fingerprint_rule_resource_and_snapshot_date() {
    let path = record_baseline(&demo());
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(b["schema_version"], 1);
    assert_eq!(b["account"], "123456789012");
    assert_eq!(b["collected_at"], DEMO_AS_OF);
    let entries = b["findings"].as_array().unwrap();
    let report = json_of(&run_on("scan", &demo(), &["--format", "json"]));
    assert_eq!(
        entries.len(),
        report["findings"].as_array().unwrap().len(),
        "every finding is recorded"
    );
    for e in entries {
        let keys: std::collections::BTreeSet<&str> =
            e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["date", "fingerprint", "resource", "rule"].into());
        assert_eq!(e["date"], "2026-11-20", "the snapshot's date, not today's");
    }
    // Sorted by rule, resource: diffs well in git.
    let order: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["rule"].as_str().unwrap().into(),
                e["resource"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    // Same input, same bytes.
    let again = record_baseline(&demo());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
    // Without -o the baseline goes to stdout.
    let out = run_on("baseline", &demo(), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, std::fs::read(&path).unwrap());
}

#[test]
fn baseline_round_trip_passes_ci_even_after_reordering() {
    let base = record_baseline(&demo());
    let mut doc = demo_value();
    reorder_everything(&mut doc);
    let reordered = temp_json("reordered.json", &doc);
    for input in [demo(), reordered] {
        let out = run_on(
            "scan",
            &input,
            &["--format", "json", "--baseline", &s(&base)],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let r = json_of(&out);
        let n = r["findings"].as_array().unwrap().len();
        assert!(n >= 8);
        assert!(
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["baselined"] == true)
        );
        assert_eq!(r["summary"]["baselined"], n);
        assert_eq!(r["summary"]["fixed_since_baseline"], 0);
        for sev in ["critical", "high", "medium", "low", "info"] {
            assert_eq!(r["summary"][sev], 0, "{sev}");
        }
    }
}

#[test]
fn only_new_findings_fail_and_fixed_ones_are_counted() {
    let base = record_baseline(&demo());
    let mut doc = demo_value();
    // Fixed: platform-kms-ops no longer grants kms:* on "*" (was PM001 + PM008).
    for p in doc["Policies"].as_array_mut().unwrap() {
        if p["PolicyName"] == "platform-kms-ops" {
            for v in p["PolicyVersionList"].as_array_mut().unwrap() {
                v["Document"]["Statement"] = json!([{
                    "Sid": "KmsOperations",
                    "Effect": "Allow",
                    "Action": ["kms:DescribeKey", "kms:ListKeys"],
                    "Resource": "*"
                }]);
            }
        }
    }
    // New: a medium finding (Allow NotAction) on a new inline policy.
    let role = doc["RoleDetailList"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["RoleName"] == "report-renderer")
        .unwrap();
    role["RolePolicyList"].as_array_mut().unwrap().push(json!({
        "PolicyName": "render-everything",
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::clinic-invoices/*"}
        ]}
    }));
    reorder_everything(&mut doc);
    let changed = temp_json("changed.json", &doc);

    let with = |extra: &[&str]| {
        let mut args = vec!["--format", "json", "--baseline"];
        let b = s(&base);
        args.push(&b);
        args.extend_from_slice(extra);
        run_on("scan", &changed, &args)
    };
    let out = with(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the new finding is medium: below --fail-on high"
    );
    let r = json_of(&out);
    assert_eq!(
        r["summary"]["fixed_since_baseline"], 2,
        "PM001 + PM008 fixed"
    );
    let fresh: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("baselined").is_none())
        .collect();
    assert_eq!(fresh.len(), 1, "{fresh:?}");
    assert_eq!(fresh[0]["rule"], "PM004");
    assert_eq!(
        fresh[0]["resource"],
        "arn:aws:iam::123456789012:role/report-renderer"
    );
    assert_eq!(r["summary"]["medium"], 1);
    assert_eq!(
        r["summary"]["baselined"],
        r["findings"].as_array().unwrap().len() - 1
    );
    // Exit codes count only the new finding.
    assert_eq!(with(&["--fail-on", "medium"]).status.code(), Some(1));
    assert_eq!(with(&["--fail-on", "low"]).status.code(), Some(1));
    assert_eq!(with(&["--fail-on", "critical"]).status.code(), Some(0));
    assert_eq!(with(&["--fail-on", "none"]).status.code(), Some(0));
    // Without the baseline, every finding counts.
    assert_eq!(
        run_on("scan", &changed, &["--fail-on", "critical"])
            .status
            .code(),
        Some(1)
    );
    // With --require-complete, incomplete coverage still wins (exit 3).
    assert_eq!(with(&["--require-complete"]).status.code(), Some(3));
    // The table says so too.
    let table = stdout(&run_on(
        "scan",
        &changed,
        &["--baseline", &s(&base), "--fail-on", "none"],
    ));
    assert!(table.contains("baselined: "), "{table}");
    assert!(table.contains("\nfixed since baseline: 2\n"), "{table}");
}

#[test]
fn a_changed_statement_is_a_new_finding_that_fails_ci() {
    let base = record_baseline(&demo());
    let mut doc = demo_value();
    for p in doc["Policies"].as_array_mut().unwrap() {
        if p["PolicyName"] == "ci-deploy" {
            for v in p["PolicyVersionList"].as_array_mut().unwrap() {
                for st in v["Document"]["Statement"].as_array_mut().unwrap() {
                    if st["Sid"] == "PassRoles" {
                        st["Action"] = json!(["iam:PassRole", "iam:GetRole"]);
                    }
                }
            }
        }
    }
    let changed = temp_json("passrole.json", &doc);
    let out = run_on(
        "scan",
        &changed,
        &["--format", "json", "--baseline", &s(&base)],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the edited PassRole statement is high and new"
    );
    let r = json_of(&out);
    let fresh: Vec<(&str, &str)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("baselined").is_none())
        .map(|f| (f["rule"].as_str().unwrap(), f["resource"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fresh,
        vec![("PM006", "arn:aws:iam::123456789012:policy/ci-deploy")]
    );
    assert_eq!(
        r["summary"]["fixed_since_baseline"], 1,
        "the old form of the statement is gone"
    );
}

#[test]
fn fixed_counts_only_rules_this_scan_evaluated() {
    let base = record_baseline(&demo());
    let r = json_of(&run_on(
        "scan",
        &demo(),
        &[
            "--format",
            "json",
            "--select",
            "PM004",
            "--baseline",
            &s(&base),
        ],
    ));
    assert_eq!(r["summary"]["fixed_since_baseline"], 0);
    let n = r["findings"].as_array().unwrap().len();
    assert!(n >= 1);
    assert_eq!(r["summary"]["baselined"], n);
}

#[test]
fn broken_baselines_exit_2_with_one_line_naming_the_file() {
    let dir = scratch();
    let report = dir.join("report.json");
    let out = run_on("scan", &demo(), &["--format", "json", "-o", &s(&report)]);
    assert_eq!(out.status.code(), Some(1));
    let cases: Vec<(&str, String, &str)> = vec![
        ("not-json.json", "this is not json".into(), "not valid JSON"),
        ("truncated.json", "{\"schema_version\": 1, \"findings\": [".into(), "truncated JSON"),
        ("array.json", "[]".into(), "not a phi-audit baseline: expected a JSON object, found an array"),
        (
            "report.json",
            std::fs::read_to_string(&report).unwrap(),
            "this is a scan report, not a baseline (write one with `phi-audit baseline -o FILE`)",
        ),
        (
            "bad-fp.json",
            json!({"schema_version": 1, "tool": {"name": "phi-audit", "version": "0.1.0"}, "account": "123456789012",
                   "collected_at": DEMO_AS_OF, "findings": [{"fingerprint": "XYZ", "rule": "PM001", "resource": "r", "date": "2026-11-20"}]})
                .to_string(),
            "findings[0].fingerprint: expected 64 lowercase hex digits (sha256), found \"XYZ\"",
        ),
        (
            "other-account.json",
            json!({"schema_version": 1, "tool": {"name": "phi-audit", "version": "0.1.0"}, "account": "999988887777",
                   "collected_at": DEMO_AS_OF, "findings": []})
                .to_string(),
            "baseline was recorded for account 999988887777 but this scan is of account 123456789012",
        ),
    ];
    for (name, content, want) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let out = run_on("scan", &demo(), &["--baseline", &s(&path)]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err:?}");
        assert!(
            err.starts_with(&format!("error: {}: ", path.display())),
            "{name}: {err}"
        );
        assert!(err.contains(want), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: no report on error");
    }
    let out = run_on(
        "scan",
        &demo(),
        &["--baseline", "/nonexistent/baseline.json"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/baseline.json: cannot read baseline file"));
}

// ---------------------------------------------------------------------------
// Suppressions
// ---------------------------------------------------------------------------

/// Scan the demo with a config = the demo's plus `extra` TOML.
fn scan_with_config(extra_toml: &str, args: &[&str]) -> Output {
    let dir = scratch();
    let base = std::fs::read_to_string(fixture("demo/phi-audit.toml")).unwrap();
    std::fs::write(dir.join("phi-audit.toml"), format!("{base}\n{extra_toml}")).unwrap();
    let d = s(&demo());
    let mut all = vec!["scan", "--authz-details", &d, "--as-of", DEMO_AS_OF];
    all.extend_from_slice(args);
    phi_audit_in(&dir, &all)
}

const LEGACY_DEPLOY: &str = "arn:aws:iam::123456789012:role/legacy-deploy";

fn suppress(rule: &str, resource: &str, expires: Option<&str>) -> String {
    let exp = expires
        .map(|e| format!("expires = \"{e}\"\n"))
        .unwrap_or_default();
    format!(
        "[[suppress]]\nrule = \"{rule}\"\nresource = \"{resource}\"\nreason = \"Decommissioned with the old CI, \\\"by Q1\\\"\"\nowner = \"platform@clinic.example\"\n{exp}\n"
    )
}

#[test]
fn a_suppressed_finding_stays_in_json_and_leaves_the_exit_code_alone() {
    let args = [
        "--select",
        "PM002,SP",
        "--fail-on",
        "critical",
        "--format",
        "json",
    ];
    let plain = scan_with_config("", &args);
    assert_eq!(
        plain.status.code(),
        Some(1),
        "PM002 on legacy-deploy is critical"
    );

    for resource in [LEGACY_DEPLOY, "arn:aws:iam::123456789012:role/legacy-*"] {
        let out = scan_with_config(&suppress("PM002", resource, Some("2027-03-31")), &args);
        assert_eq!(out.status.code(), Some(0), "{resource}: {}", stderr(&out));
        let r = json_of(&out);
        let f = &r["findings"][0];
        assert_eq!(f["rule"], "PM002");
        assert_eq!(f["resource"], LEGACY_DEPLOY);
        assert_eq!(
            f["suppressed"],
            json!({
                "reason": "Decommissioned with the old CI, \"by Q1\"",
                "owner": "platform@clinic.example",
                "expires": "2027-03-31",
                "resource": resource,
            })
        );
        assert_eq!(r["summary"]["suppressed"], 1);
        assert_eq!(r["summary"]["critical"], 0);
        assert_eq!(r["findings"].as_array().unwrap().len(), 1, "no SP finding");
    }
    // A suppression for another rule or resource does not apply.
    for (rule, resource) in [
        ("PM003", LEGACY_DEPLOY),
        ("PM002", "arn:aws:iam::123456789012:role/legacy"),
        ("PM002", "arn:aws:iam::123456789012:role/LEGACY-*"),
    ] {
        let out = scan_with_config(&suppress(rule, resource, None), &args);
        assert_eq!(out.status.code(), Some(1), "{rule} {resource}");
    }
}

#[test]
fn an_expired_suppression_fires_again_with_sp001() {
    // Expires the day before the snapshot was collected (2026-11-20).
    let cfg = suppress("PM002", LEGACY_DEPLOY, Some("2026-11-19"));
    let out = scan_with_config(
        &cfg,
        &[
            "--select",
            "PM002,SP",
            "--fail-on",
            "critical",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the critical finding counts again"
    );
    let r = json_of(&out);
    let rules: Vec<(&str, &str, &str)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("PM002", "critical", LEGACY_DEPLOY),
            ("SP001", "medium", LEGACY_DEPLOY)
        ]
    );
    assert!(r["findings"][0]["suppressed"].is_null());
    let sp = &r["findings"][1];
    assert_eq!(sp["name"], "suppression-expired");
    assert_eq!(sp["controls"], json!(["SOC2-CC6.1"]));
    assert!(
        sp["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2026-11-19, before the scan date 2026-11-20; the finding it covered is reported again"),
        "{sp}"
    );
    assert_eq!(
        sp["evidence"]["line"], 8,
        "line of [[suppress]] after the demo config"
    );
    // On its expiry date a suppression still applies.
    let out = scan_with_config(
        &suppress("PM002", LEGACY_DEPLOY, Some("2026-11-20")),
        &["--select", "PM002,SP", "--fail-on", "critical"],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_unused_suppression_raises_sp002_only_for_fully_evaluated_rules() {
    let cfg = format!(
        "{}{}",
        suppress(
            "PM004",
            "arn:aws:iam::123456789012:policy/claims-vendor-export",
            None
        ),
        // PM003 is only partly evaluated on authorization details: no SP002.
        suppress("PM003", "arn:aws:iam::123456789012:role/nobody", None)
    );
    let r = json_of(&scan_with_config(
        &cfg,
        &["--format", "json", "--fail-on", "none"],
    ));
    let sp: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("SP"))
        .collect();
    assert_eq!(sp.len(), 1, "{sp:?}");
    assert_eq!(sp[0]["rule"], "SP002");
    assert_eq!(sp[0]["severity"], "low");
    assert_eq!(sp[0]["controls"], json!([]));
    assert_eq!(
        sp[0]["resource"],
        "arn:aws:iam::123456789012:policy/claims-vendor-export"
    );
    assert_eq!(sp[0]["resource_type"], "PhiAudit::Config::Suppression");
    // Not selected: not reported. PM004 not selected either: unknown, not unused.
    let r = json_of(&scan_with_config(
        &cfg,
        &["--format", "json", "--select", "PM001,SP"],
    ));
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["rule"].as_str().unwrap().starts_with("SP"))
    );
    let r = json_of(&scan_with_config(
        &cfg,
        &["--format", "json", "--ignore", "SP"],
    ));
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["rule"].as_str().unwrap().starts_with("SP"))
    );
}

#[test]
fn suppressed_findings_are_not_baselined_so_expiry_still_bites() {
    let dir = scratch();
    let base = std::fs::read_to_string(fixture("demo/phi-audit.toml")).unwrap();
    let live = dir.join("live.toml");
    std::fs::write(
        &live,
        format!(
            "{base}\n{}",
            suppress("PM002", LEGACY_DEPLOY, Some("2027-01-31"))
        ),
    )
    .unwrap();
    let expired = dir.join("expired.toml");
    std::fs::write(
        &expired,
        format!(
            "{base}\n{}",
            suppress("PM002", LEGACY_DEPLOY, Some("2026-01-31"))
        ),
    )
    .unwrap();
    let d = s(&demo());
    let bl = dir.join("baseline.json");
    let out = phi_audit(&[
        "baseline",
        "--authz-details",
        &d,
        "--as-of",
        DEMO_AS_OF,
        "--config",
        &s(&live),
        "-o",
        &s(&bl),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&bl).unwrap()).unwrap();
    assert!(
        b["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["resource"] != LEGACY_DEPLOY || e["rule"] != "PM002"),
        "the suppressed finding is not in the baseline"
    );
    let out = phi_audit(&[
        "scan",
        "--authz-details",
        &d,
        "--as-of",
        DEMO_AS_OF,
        "--config",
        &s(&expired),
        "--baseline",
        &s(&bl),
        "--fail-on",
        "critical",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "once the suppression expires the critical finding fails CI despite the baseline"
    );
}
