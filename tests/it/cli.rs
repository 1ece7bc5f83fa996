//! The real binary, as a user runs it: stdout, stderr and exit codes.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{DEMO_AS_OF, fixture, phi_audit, phi_audit_in, stderr, stdout};

fn demo() -> String {
    fixture("demo/clinic-authz.json").display().to_string()
}

fn scan_demo(extra: &[&str]) -> std::process::Output {
    let d = demo();
    let mut args = vec!["scan", "--authz-details", d.as_str(), "--as-of", DEMO_AS_OF];
    args.extend_from_slice(extra);
    phi_audit(&args)
}

fn demo_json(extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let out = scan_demo(&args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

#[test]
fn demo_scan_prints_a_readable_report() {
    let out = scan_demo(&[]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "high findings fail by default\n{text}"
    );
    assert!(text.starts_with("phi-audit 0.1.0 · account 123456789012 · source authz-details · collected 2026-11-20T00:00:00Z\n"), "{text}");
    for needle in [
        "│ Severity ┆ Code  ┆ Resource",
        "critical ┆ PM002 ┆ role/legacy-deploy",
        "critical ┆ TR003 ┆ role/lab-results-vendor",
        "critical ┆ PM007 ┆ role/github-actions-deploy",
        " critical: 4\n",
        "     high: ",
        "      low: ",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    // Everything the export could not show, in one line.
    let coverage: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("coverage incomplete ("))
        .collect();
    assert_eq!(coverage.len(), 1, "{text}");
    assert!(
        coverage[0].contains("iam.credential_report absent"),
        "{text}"
    );
    assert!(coverage[0].contains("not evaluated: CR001 CR002"), "{text}");
    assert!(
        coverage[0].contains("partly evaluated: PM002 PM003 PM007"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn json_report_has_exactly_the_contract_fields() {
    let r = demo_json(&[]);
    let keys: BTreeSet<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    let want: BTreeSet<&str> = [
        "schema_version",
        "tool",
        "account",
        "collected_at",
        "source",
        "coverage",
        "summary",
        "findings",
    ]
    .into();
    assert_eq!(keys, want);
    assert_eq!(r["schema_version"], 1);
    assert_eq!(
        r["tool"],
        serde_json::json!({"name": "phi-audit", "version": "0.1.0"})
    );
    assert_eq!(
        r["account"],
        serde_json::json!({"id": "123456789012", "alias": null, "partition": "aws"})
    );
    assert_eq!(r["collected_at"], "2026-11-20T00:00:00Z");
    assert_eq!(r["source"], "authz-details");
    let summary_keys: BTreeSet<&str> = r["summary"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        summary_keys,
        [
            "critical",
            "high",
            "medium",
            "low",
            "info",
            "suppressed",
            "baselined",
            "fixed_since_baseline"
        ]
        .into()
    );
    for c in r["coverage"].as_array().unwrap() {
        let k: BTreeSet<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(k, ["source", "status", "detail", "rules"].into());
        assert!(
            ["ok", "denied", "error", "unsupported", "absent"]
                .contains(&c["status"].as_str().unwrap())
        );
    }
    let cred = r["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"] == "iam.credential_report")
        .unwrap();
    assert_eq!(cred["status"], "absent");
    // PM002/PM003 (users) and the credential rules need it; other families may too.
    for code in ["CR001", "CR002", "CR003", "CR004", "PM002", "PM003"] {
        assert!(
            cred["rules"].as_array().unwrap().contains(&code.into()),
            "{code} not in {}",
            cred["rules"]
        );
    }

    let findings = r["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    let rank = |s: &str| {
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    let mut prev: Option<(usize, String, String)> = None;
    let mut counted = [0usize; 5];
    for f in findings {
        let k: BTreeSet<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            k,
            [
                "rule",
                "name",
                "severity",
                "resource",
                "resource_type",
                "message",
                "evidence",
                "controls",
                "remediation",
                "fingerprint",
                "suppressed"
            ]
            .into(),
            "{f}"
        );
        let fp = f["fingerprint"].as_str().unwrap();
        assert!(
            fp.len() == 64
                && fp
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{fp}"
        );
        assert!(f["suppressed"].is_null());
        assert!(!f["controls"].as_array().unwrap().is_empty());
        assert!(!f["remediation"].as_str().unwrap().is_empty());
        let key = (
            rank(f["severity"].as_str().unwrap()),
            f["rule"].as_str().unwrap().to_string(),
            f["resource"].as_str().unwrap().to_string(),
        );
        if let Some(p) = &prev {
            assert!(p <= &key, "findings out of order: {p:?} before {key:?}");
        }
        counted[key.0] += 1;
        prev = Some(key);
    }
    for (i, sev) in ["critical", "high", "medium", "low", "info"]
        .iter()
        .enumerate()
    {
        assert_eq!(r["summary"][sev], counted[i], "summary.{sev}");
    }
}

#[test]
fn statement_findings_name_the_statement_and_principals() {
    let r = demo_json(&["--select", "PM001,PM004,PM006"]);
    for f in r["findings"].as_array().unwrap() {
        let ev = &f["evidence"];
        assert!(ev["statement"].is_u64(), "{f}");
        assert!(ev["policy"].is_string(), "{f}");
        let principals = ev["principals"].as_array().unwrap();
        assert!(!principals.is_empty(), "{f}");
        assert!(
            principals.iter().all(|p| p
                .as_str()
                .unwrap()
                .starts_with("arn:aws:iam::123456789012:")),
            "{f}"
        );
    }
}

#[test]
fn output_is_deterministic() {
    let a = scan_demo(&["--format", "json"]);
    let b = scan_demo(&["--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(scan_demo(&["--fail-on", "critical"]).status.code(), Some(1));
    assert_eq!(scan_demo(&["--fail-on", "none"]).status.code(), Some(0));
    // PM004 is medium: below the default threshold, at --fail-on medium.
    assert_eq!(scan_demo(&["--select", "PM004"]).status.code(), Some(0));
    assert_eq!(
        scan_demo(&["--select", "PM004", "--fail-on", "medium"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        scan_demo(&["--select", "PM004", "--fail-on", "low"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn require_complete_exits_3_when_a_needed_source_is_absent() {
    // PM002/PM003 need the credential report for users; authz-details has none.
    assert_eq!(
        scan_demo(&["--require-complete", "--fail-on", "none"])
            .status
            .code(),
        Some(3)
    );
    // Rules that need only authorization details are complete.
    assert_eq!(
        scan_demo(&[
            "--require-complete",
            "--select",
            "PM004",
            "--fail-on",
            "none"
        ])
        .status
        .code(),
        Some(0)
    );
}

#[test]
fn select_and_ignore_most_specific_wins() {
    let rules = |extra: &[&str]| -> BTreeSet<String> {
        demo_json(extra)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let all = rules(&[]);
    assert!(all.len() >= 5, "{all:?}");
    assert_eq!(rules(&["--select", "PM001"]), ["PM001".to_string()].into());
    let no_pm001 = rules(&["--ignore", "PM001"]);
    assert!(!no_pm001.contains("PM001") && no_pm001.contains("PM002"));
    assert_eq!(
        rules(&["--ignore", "PM", "--select", "PM006"]),
        ["PM006".to_string()].into()
    );
    assert!(rules(&["--select", "pm", "--ignore", "PM00"]).is_empty());

    let bad = scan_demo(&["--select", "PM01"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown rule code or prefix \"PM01\" (did you mean PM001?)"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn severity_override_from_config() {
    let dir = tempdir();
    std::fs::write(dir.join("phi-audit.toml"), "[severity]\nPM002 = \"low\"\n").unwrap();
    let d = demo();
    let out = phi_audit_in(
        &dir,
        &[
            "scan",
            "--authz-details",
            &d,
            "--format",
            "json",
            "--select",
            "PM002",
            "--fail-on",
            "medium",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["findings"][0]["severity"], "low");
}

#[test]
fn config_errors_are_reported_together_with_file_and_line() {
    let dir = tempdir();
    std::fs::write(
        dir.join("phi-audit.toml"),
        "[phi]\nresource = []\n\n[thresholds]\nunused-days = -1\n",
    )
    .unwrap();
    let d = demo();
    let out = phi_audit_in(&dir, &["scan", "--authz-details", &d]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("phi-audit.toml: 2 configuration errors"),
        "{err}"
    );
    assert!(
        err.contains("phi-audit.toml:2: phi.resource: unknown key"),
        "{err}"
    );
    assert!(
        err.contains(
            "phi-audit.toml:5: thresholds.unused-days: must be between 1 and 3650, found -1"
        ),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let missing = phi_audit(&[
        "scan",
        "--authz-details",
        &d,
        "--config",
        "/nonexistent/phi-audit.toml",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("/nonexistent/phi-audit.toml: cannot read config file"));
}

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let dir = tempdir();
    let path = dir.join("report.json");
    let out = scan_demo(&["--format", "json", "--output", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(r["schema_version"], 1);
}

#[test]
fn malformed_inputs_exit_2_with_one_line_naming_file_and_problem() {
    let cases = [
        ("malformed/not-json.json", "not valid JSON"),
        (
            "malformed/wrong-shape.json",
            "not an authorization-details document: none of UserDetailList, GroupDetailList, RoleDetailList, Policies present",
        ),
        ("malformed/truncated.json", "truncated JSON"),
        (
            "malformed/policy-number.json",
            "role arn:aws:iam::123456789012:role/ehr-api: inline policy \"ehr-data\": policy document must be a JSON object, found a number",
        ),
    ];
    for (file, msg) in cases {
        let path = fixture(file);
        let out = phi_audit(&["scan", "--authz-details", path.to_str().unwrap()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{file}: one line expected, got {err:?}"
        );
        assert!(
            err.starts_with(&format!("error: {}: ", path.display())),
            "{file}: {err}"
        );
        assert!(err.contains(msg), "{file}: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = phi_audit(&["scan", "--authz-details", "/nonexistent/authz.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/authz.json: cannot read file"));
}

#[test]
fn live_scan_that_cannot_reach_aws_is_a_clean_error_and_conflicting_sources_are_refused() {
    // No file: a live scan. Aimed at a closed local port, never at AWS.
    let out = phi_audit(&[
        "scan",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--api-timeout",
        "3",
        "--max-attempts",
        "1",
        "--regions",
        "us-east-1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: cannot establish who is calling (sts:GetCallerIdentity)"),
        "{err}"
    );
    assert!(err.contains("cannot reach the endpoint"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        !err.contains("ConnectorError {"),
        "no Debug dumps in user-facing errors: {err}"
    );
    let out = phi_audit(&["scan", "--authz-details", "a.json", "--snapshot", "b.json"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap rejects conflicting sources"
    );
}

#[test]
fn rules_lists_the_catalogue() {
    let out = phi_audit(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for code in [
        "PM001", "PM002", "PM003", "PM004", "PM005", "PM006", "PM008",
    ] {
        assert!(text.contains(code), "{code} missing:\n{text}");
    }
    assert!(text.contains("wildcard-resource-on-phi-data") && text.contains("HIPAA-164.312(a)(1)"));
    let json: Value =
        serde_json::from_slice(&phi_audit(&["rules", "--format", "json"]).stdout).unwrap();
    assert_eq!(
        json[0]["code"], "CR001",
        "registry order: families as in FAMILIES"
    );
    let pm001 = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "PM001")
        .unwrap();
    assert_eq!(pm001["severity"], "high");
    assert_eq!(pm001["family"], "permissions");
}

#[test]
fn explain_prints_the_rule_doc() {
    let out = phi_audit(&["explain", "pm006"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("# PM006 passrole-wildcard\n"), "{text}");
    for h in [
        "## What it does",
        "## Why it matters for PHI",
        "## Example",
        "## Remediation",
        "HIPAA-164.312(a)(1) Access control",
    ] {
        assert!(text.contains(h), "missing {h}:\n{text}");
    }
    let bad = phi_audit(&["explain", "PM09"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown rule code \"PM09\""),
        "{}",
        stderr(&bad)
    );
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "phi-audit-it-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
