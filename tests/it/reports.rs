//! The report formats and the evidence bundle, through the real binary: SARIF
//! (schema-valid and acceptable to GitHub), CSV (RFC 4180 quoting), Markdown,
//! HTML (well-formed, self-contained, escaped, renders in Chromium), the
//! `controls` matrix and `--evidence-dir`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::ci::scratch;
use crate::support::{DEMO_AS_OF, fixture, phi_audit, phi_audit_in, root, stderr, stdout};

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// A working directory with the demo config plus a live suppression (reason full
/// of characters that need escaping in every format), an expired one (SP001)
/// and an unused one (SP002).
fn workdir() -> PathBuf {
    let dir = scratch();
    let base = std::fs::read_to_string(fixture("demo/phi-audit.toml")).unwrap();
    let extra = r#"
[[suppress]]
rule = "PM004"
resource = "arn:aws:iam::123456789012:policy/claims-vendor-*"
reason = """ClaimBridge needs reads, "not deletes", on <exports> & more,
per contract §4 <script>alert('x')</script>"""
owner = "revenue-cycle@clinic.example"
expires = "2027-03-31"

[[suppress]]
rule = "PM006"
resource = "arn:aws:iam::123456789012:policy/ci-deploy"
reason = "CI deploys through a vetted pipeline"
expires = "2026-10-01"

[[suppress]]
rule = "PM005"
resource = "arn:aws:iam::123456789012:policy/*"
reason = "legacy"
"#;
    std::fs::write(dir.join("phi-audit.toml"), format!("{base}{extra}")).unwrap();
    dir
}

fn scan_in(dir: &Path, args: &[&str]) -> Output {
    let d = s(&fixture("demo/clinic-authz.json"));
    let mut all = vec!["scan", "--authz-details", &d, "--as-of", DEMO_AS_OF];
    all.extend_from_slice(args);
    let out = phi_audit_in(dir, &all);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        stderr(&out)
    );
    out
}

fn json_report(dir: &Path) -> Value {
    serde_json::from_slice(&scan_in(dir, &["--format", "json"]).stdout).unwrap()
}

fn python() -> PathBuf {
    let p = std::env::var_os("PHI_AUDIT_MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv-moto/bin/python"));
    assert!(
        p.is_file(),
        "no Python with jsonschema at {}: run scripts/test.sh (it installs moto and jsonschema into .venv-moto) or set PHI_AUDIT_MOTO_PYTHON",
        p.display()
    );
    p
}

const VALIDATE: &str = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
v = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors[:20]:
    print("/".join(str(p) for p in e.absolute_path), e.message[:300])
sys.exit(1 if errors else 0)
"#;

/// Validate a SARIF document with Python's jsonschema against the shipped schema.
fn validate_sarif(doc: &Value) -> Result<(), String> {
    let dir = scratch();
    let path = dir.join("report.sarif");
    std::fs::write(&path, serde_json::to_vec(doc).unwrap()).unwrap();
    let schema = root().join("tests/data/sarif-schema-2.1.0.json");
    let out = Command::new(python())
        .arg("-c")
        .arg(VALIDATE)
        .arg(&schema)
        .arg(&path)
        .output()
        .expect("run python");
    match out.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(stdout(&out)),
        _ => panic!("validator did not run: {}", stderr(&out)),
    }
}

fn sarif_of(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "sarif"];
    args.extend_from_slice(extra);
    serde_json::from_slice(&scan_in(dir, &args).stdout).unwrap()
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let dir = workdir();
    // With suppressions (and SP001/SP002), and with a baseline (baselineState).
    let bl = dir.join("baseline.json");
    let d = s(&fixture("demo/clinic-authz.json"));
    let out = phi_audit_in(
        &dir,
        &[
            "baseline",
            "--authz-details",
            &d,
            "--as-of",
            DEMO_AS_OF,
            "--ignore",
            "PM001",
            "-o",
            &s(&bl),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for extra in [vec![], vec!["--baseline", bl.to_str().unwrap()]] {
        let doc = sarif_of(&dir, &extra);
        if let Err(e) = validate_sarif(&doc) {
            panic!("SARIF does not validate ({extra:?}):\n{e}");
        }
    }
    // The validator really validates: a result without its message is rejected.
    let mut broken = sarif_of(&dir, &[]);
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    broken["runs"][0]["results"][1]["level"] = json!("fatal");
    let err = validate_sarif(&broken).expect_err("broken SARIF must not validate");
    assert!(err.contains("'message' is a required property"), "{err}");
    assert!(err.contains("'fatal' is not one of"), "{err}");
}

#[test]
fn sarif_carries_rules_fingerprints_locations_and_suppressions_as_github_needs() {
    let dir = workdir();
    let report = json_report(&dir);
    let doc = sarif_of(&dir, &[]);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "phi-audit");
    assert_eq!(run["automationDetails"]["id"], "phi-audit/123456789012/");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let by_id: BTreeMap<&str, &Value> = rules
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r))
        .collect();
    for code in phi_audit::rules::registry::codes() {
        let r = by_id.get(code).unwrap_or_else(|| panic!("{code} missing"));
        let d = phi_audit::rules::registry::doc(code).unwrap();
        assert_eq!(r["name"], d.name);
        assert_eq!(r["shortDescription"]["text"], d.summary);
        assert!(r["fullDescription"]["text"].as_str().unwrap().len() > 40);
        assert!(
            r["help"]["text"]
                .as_str()
                .unwrap()
                .starts_with(d.remediation)
        );
        assert!(
            r["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## Remediation")
        );
        let tags: Vec<&str> = r["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(tags[0], "security");
        assert_eq!(&tags[1..], d.controls.as_slice());
        let score: f64 = r["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
    }
    let results = run["results"].as_array().unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len(), "one result per finding");
    for (res, f) in results.iter().zip(findings) {
        assert_eq!(res["ruleId"], f["rule"]);
        assert_eq!(
            rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"],
            f["rule"]
        );
        assert_eq!(res["message"]["text"], f["message"]);
        assert_eq!(
            res["partialFingerprints"]["phiAuditFingerprint/v1"],
            f["fingerprint"]
        );
        let want_level = match f["severity"].as_str().unwrap() {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(res["level"], want_level);
        // GitHub rejects a result without a physical location with an artifact URI.
        let loc = &res["locations"][0];
        let uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            !uri.is_empty() && !uri.contains(':') && !uri.starts_with('/') && !uri.contains(' '),
            "{uri}"
        );
        assert!(
            loc["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
        assert_eq!(
            loc["logicalLocations"][0]["fullyQualifiedName"],
            f["resource"]
        );
        assert_eq!(loc["logicalLocations"][0]["kind"], f["resource_type"]);
        if f["rule"].as_str().unwrap().starts_with("SP") {
            assert_eq!(uri, "phi-audit.toml", "SP findings point at the config");
        } else {
            assert!(
                uri.starts_with("aws/123456789012/iam/") || uri.starts_with("aws/aws/iam/"),
                "{uri}"
            );
        }
        match f["suppressed"].as_object() {
            Some(sup) => {
                let s0 = &res["suppressions"][0];
                assert_eq!(s0["kind"], "external");
                assert_eq!(s0["status"], "accepted");
                assert_eq!(s0["justification"], sup["reason"]);
            }
            None => assert!(res.get("suppressions").is_none()),
        }
        assert!(res.get("baselineState").is_none(), "no baseline given");
    }
    // The suppressed PM004, the expired PM006 suppression and the unused PM005 one.
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"SP001") && ids.contains(&"SP002"), "{ids:?}");
    let sp001 = results.iter().find(|r| r["ruleId"] == "SP001").unwrap();
    assert_eq!(
        sp001["locations"][0]["physicalLocation"]["region"]["startLine"], 16,
        "the line of the expired [[suppress]]"
    );
    assert!(results.iter().any(|r| r.get("suppressions").is_some()));
    // Coverage gaps are tool notifications.
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| {
        n["message"]["text"]
            .as_str()
            .unwrap()
            .contains("iam.credential_report is absent")
    }));
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

/// A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                    assert!(
                        matches!(chars.peek(), Some(',') | Some('\r') | None),
                        "text after a closing quote"
                    );
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_start => {
                quoted = true;
                at_start = false;
            }
            '"' => panic!("bare quote in an unquoted field: {field}"),
            ',' => {
                row.push(std::mem::take(&mut field));
                at_start = true;
            }
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF outside quotes");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                at_start = true;
            }
            '\n' => panic!("bare LF outside quotes"),
            c => {
                field.push(c);
                at_start = false;
            }
        }
    }
    assert!(row.is_empty() && field.is_empty(), "last record lacks CRLF");
    rows
}

#[test]
fn csv_has_one_row_per_finding_with_rfc4180_quoting() {
    let dir = workdir();
    let report = json_report(&dir);
    let out = scan_in(&dir, &["--format", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = parse_csv(&text);
    assert_eq!(
        rows[0],
        [
            "rule",
            "name",
            "severity",
            "resource",
            "resource_type",
            "message",
            "controls",
            "remediation",
            "fingerprint",
            "suppressed",
            "baselined",
            "suppression_reason",
            "suppression_owner",
            "suppression_expires"
        ]
    );
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(rows.len() - 1, findings.len());
    let mut saw_comma_and_quote = false;
    let mut saw_newline = false;
    for (row, f) in rows[1..].iter().zip(findings) {
        assert_eq!(row.len(), 14);
        assert_eq!(row[0], f["rule"].as_str().unwrap());
        assert_eq!(row[1], f["name"].as_str().unwrap());
        assert_eq!(row[2], f["severity"].as_str().unwrap());
        assert_eq!(row[3], f["resource"].as_str().unwrap());
        assert_eq!(row[4], f["resource_type"].as_str().unwrap());
        assert_eq!(
            row[5],
            f["message"].as_str().unwrap(),
            "message round-trips"
        );
        let controls: Vec<&str> = f["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(row[6], controls.join("; "));
        assert_eq!(row[7], f["remediation"].as_str().unwrap());
        assert_eq!(row[8], f["fingerprint"].as_str().unwrap());
        assert_eq!(row[9], (!f["suppressed"].is_null()).to_string());
        assert_eq!(row[10], "false");
        let msg = &row[5];
        saw_comma_and_quote |= msg.contains(',') && msg.contains('"');
        if let Some(sup) = f["suppressed"].as_object() {
            assert_eq!(row[11], sup["reason"].as_str().unwrap());
            saw_newline |= row[11].contains('\n');
        }
    }
    assert!(
        saw_comma_and_quote,
        "the demo has messages with commas and quotes"
    );
    assert!(saw_newline, "the suppression reason has a newline");
}

// ---------------------------------------------------------------------------
// Markdown and HTML
// ---------------------------------------------------------------------------

#[test]
fn markdown_report_has_summary_findings_by_priority_and_controls() {
    let dir = workdir();
    let md = stdout(&scan_in(&dir, &["--format", "markdown"]));
    let summary = &json_report(&dir)["summary"];
    let critical = summary["critical"].as_u64().unwrap();
    assert!(critical >= 1);
    for needle in [
        format!("| Critical | {critical} |"),
        format!("### Critical ({critical})"),
        format!("| Suppressed | {} |", summary["suppressed"]),
    ] {
        assert!(md.contains(&needle), "missing {needle:?} in\n{md}");
    }
    for needle in [
        "# phi-audit report: AWS account 123456789012\n",
        "| Collected at | 2026-11-20T00:00:00Z |",
        "| Source | authz-details |",
        "## Summary",
        "### Coverage",
        "## Findings by priority",
        "#### PM002 admin-on-workload (1 finding)",
        "- **Remediation:** Detach AdministratorAccess",
        "### Suppressed (1)",
        "## Controls",
        "### HIPAA Security Rule",
        "### SOC 2 Trust Services Criteria",
        "#### HIPAA-164.312(a)(1) Access control: fail",
        "| PM005 allow-not-resource | pass |",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in\n{md}");
    }
    assert!(
        md.contains("\\<script\\>alert('x')\\</script\\>"),
        "account text is escaped"
    );
    let critical = md.find("### Critical").unwrap();
    let high = md.find("### High").unwrap();
    let medium = md.find("### Medium").unwrap();
    assert!(critical < high && high < medium, "grouped by priority");
}

/// Tag balance of an HTML document (void elements aside), and what it loads.
fn check_well_formed_and_self_contained(html: &str) {
    const VOID: &[&str] = &["meta", "br", "hr", "img", "input", "link", "col", "wbr"];
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("unclosed tag");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        assert!(!tag.contains('<'), "'<' inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("stray </{name}>"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(!name.is_empty(), "bad tag <{tag}>");
        if name == "style" {
            let close = rest.find("</style>").expect("</style>");
            let css = &rest[..close];
            assert!(
                !css.contains("url(") && !css.contains("@import"),
                "CSS loads nothing"
            );
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        assert!(
            !["script", "link", "iframe", "img", "object", "embed"].contains(&name.as_str()),
            "<{name}> is not allowed in the report"
        );
        for attr in ["src=", "href="] {
            if let Some(p) = tag.find(attr) {
                let value = &tag[p + attr.len()..];
                assert!(value.starts_with("\"#"), "only in-page links: <{tag}>");
            }
        }
        if !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    let lower = html.to_ascii_lowercase();
    assert!(
        !lower.contains("http://") && !lower.contains("https://"),
        "no URL at all"
    );
}

#[test]
fn html_report_is_well_formed_self_contained_and_escaped() {
    let dir = workdir();
    let html = stdout(&scan_in(&dir, &["--format", "html"]));
    check_well_formed_and_self_contained(&html);
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!html.contains("<script"));
    assert!(html.contains("@media print"));
    for needle in [
        "<h2>Summary</h2>",
        "<h2>Findings by priority</h2>",
        "<h2>Controls</h2>",
        "PM002 admin-on-workload",
        "<strong>Remediation:</strong>",
        "HIPAA-164.312(a)(1) Access control",
        "SOC2-CC6.3",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    // Deterministic: no timestamp of its own.
    assert_eq!(html, stdout(&scan_in(&dir, &["--format", "html"])));
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PHI_AUDIT_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser", "google-chrome"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// Render the HTML report in headless Chromium with networking off: it must
/// load, keep its content in the DOM, and produce a screenshot. scripts/test.sh
/// installs Chromium (and sets PHI_AUDIT_CHROMIUM); without it this test says so
/// and passes.
#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!(
            "html_report_renders_in_headless_chromium: no chromium found (set PHI_AUDIT_CHROMIUM); skipped"
        );
        return;
    };
    let dir = workdir();
    let page = dir.join("report.html");
    scan_in(&dir, &["--format", "html", "-o", &s(&page)]);
    let url = format!("file://{}", page.display());
    let profile = dir.join("chromium-profile");
    let shot = dir.join("report.png");
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1200,2000",
    ];
    let run = |extra: &[String]| {
        let out = Command::new(&browser)
            .args(common)
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "chromium failed: {}", stderr(&out));
        out
    };
    let dom = stdout(&run(&["--dump-dom".to_string()]));
    assert!(dom.contains("<h2>Controls</h2>"), "DOM after load:\n{dom}");
    assert!(dom.contains("PM002 admin-on-workload"));
    run(&[format!("--screenshot={}", shot.display())]);
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(
        png.len() > 20_000,
        "a blank page is a few KB: {} bytes",
        png.len()
    );
    eprintln!("screenshot: {}", shot.display());
}

// ---------------------------------------------------------------------------
// controls
// ---------------------------------------------------------------------------

fn controls_json(extra: &[&str]) -> Value {
    let d = s(&fixture("demo/clinic-authz.json"));
    let cfg = s(&fixture("demo/phi-audit.toml"));
    let mut args = vec![
        "controls",
        "--authz-details",
        &d,
        "--as-of",
        DEMO_AS_OF,
        "--config",
        &cfg,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = phi_audit(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn controls_matrix_never_passes_what_was_not_fully_evaluated() {
    let m = controls_json(&[]);
    assert_eq!(m["framework"], "all");
    let controls = m["controls"].as_array().unwrap();
    assert_eq!(controls.len(), phi_audit::compliance::controls().len());
    for c in controls {
        let rules = c["rules"].as_array().unwrap();
        for r in rules {
            let code = r["code"].as_str().unwrap();
            let status = r["status"].as_str().unwrap();
            // Partly evaluated on authorization details (no credential report).
            if ["PM002", "PM003"].contains(&code) {
                assert_ne!(status, "pass", "{code} under {}", c["id"]);
            }
            if status == "fail" {
                assert!(r["findings"].as_u64().unwrap() > 0);
            }
        }
        if c["status"] == "pass" {
            assert!(!rules.is_empty());
            assert!(
                rules
                    .iter()
                    .all(|r| ["pass", "exception"].contains(&r["status"].as_str().unwrap())),
                "{c}"
            );
        }
        if rules.is_empty() {
            assert_eq!(c["status"], "not-evaluated", "{c}");
        }
    }
    // Counts agree with the scan.
    let report = {
        let d = s(&fixture("demo/clinic-authz.json"));
        let cfg = s(&fixture("demo/phi-audit.toml"));
        let out = phi_audit(&[
            "scan",
            "--authz-details",
            &d,
            "--as-of",
            DEMO_AS_OF,
            "--config",
            &cfg,
            "--format",
            "json",
        ]);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let pm001 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "PM001")
        .count();
    let ac = controls
        .iter()
        .find(|c| c["id"] == "HIPAA-164.312(a)(1)")
        .unwrap();
    assert_eq!(ac["status"], "fail");
    let r = ac["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "PM001")
        .unwrap();
    assert_eq!(r["status"], "fail");
    assert_eq!(r["findings"], pm001);

    let hipaa = controls_json(&["--framework", "hipaa"]);
    assert!(
        hipaa["controls"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["framework"] == "hipaa" && c["id"].as_str().unwrap().starts_with("HIPAA-"))
    );
    // A rule left out by --select is not evaluated, so its controls cannot pass.
    let only = controls_json(&["--select", "PM005"]);
    for c in only["controls"].as_array().unwrap() {
        for r in c["rules"].as_array().unwrap() {
            if r["code"] != "PM005" {
                assert_eq!(r["status"], "not-evaluated");
                assert_eq!(r["reason"], "not selected");
            }
        }
        assert_ne!(
            c["status"], "pass",
            "{}: PM005 alone does not make it pass",
            c["id"]
        );
    }
}

#[test]
fn controls_table_lists_controls_rules_and_results() {
    let d = s(&fixture("demo/clinic-authz.json"));
    let out = phi_audit(&[
        "controls",
        "--authz-details",
        &d,
        "--as-of",
        DEMO_AS_OF,
        "--framework",
        "soc2",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("phi-audit 0.1.0 · account 123456789012"),
        "{text}"
    );
    assert!(text.contains("│ Control"), "{text}");
    assert!(
        text.contains("SOC2-CC6.3") && text.contains("PM001 fail ("),
        "{text}"
    );
    assert!(!text.contains("HIPAA-164"), "{text}");
    let bad = phi_audit(&["controls", "--authz-details", &d, "--framework", "pci"]);
    assert_eq!(bad.status.code(), Some(2));
}

// ---------------------------------------------------------------------------
// Evidence bundle
// ---------------------------------------------------------------------------

#[test]
fn evidence_bundle_holds_snapshot_reports_config_and_a_checked_manifest() {
    let dir = workdir();
    let ev = dir.join("evidence");
    let out = scan_in(&dir, &["--evidence-dir", &s(&ev), "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(ev.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["manifest_version"], 1);
    assert_eq!(manifest["tool"]["version"], "0.1.0");
    assert_eq!(manifest["account"]["id"], "123456789012");
    assert!(
        manifest["caller"].is_null(),
        "an export has no caller identity"
    );
    assert_eq!(manifest["collected_at"], DEMO_AS_OF);
    assert!(manifest["generated_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(manifest["config"], "phi-audit.toml");
    assert_eq!(manifest["summary"], report["summary"]);
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "phi-audit.toml",
            "report.html",
            "report.json",
            "report.sarif",
            "snapshot.json"
        ]
    );
    for f in manifest["files"].as_array().unwrap() {
        let bytes = std::fs::read(ev.join(f["path"].as_str().unwrap())).unwrap();
        assert_eq!(f["bytes"], bytes.len());
        assert_eq!(
            f["sha256"],
            phi_audit::evidence::sha256_hex(&bytes),
            "{}",
            f["path"]
        );
        // The data files hold no credential material (rule docs in the reports
        // may name these fields; the snapshot must not carry them).
        if f["path"] == "snapshot.json" {
            let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
            for secret in [
                "secretaccesskey",
                "sessiontoken",
                "secret_access_key",
                "session_token",
            ] {
                assert!(!text.contains(secret), "{} holds {secret}", f["path"]);
            }
        }
    }
    assert_eq!(
        std::fs::read(ev.join("phi-audit.toml")).unwrap(),
        std::fs::read(dir.join("phi-audit.toml")).unwrap()
    );
    let bundled: Value =
        serde_json::from_str(&std::fs::read_to_string(ev.join("report.json")).unwrap()).unwrap();
    assert_eq!(bundled, report);
    // The snapshot reproduces the findings.
    let again = phi_audit_in(
        &dir,
        &[
            "scan",
            "--snapshot",
            &s(&ev.join("snapshot.json")),
            "--format",
            "json",
        ],
    );
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    let fps = |r: &Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(fps(&again), fps(&report));

    // Without a config file the bundle says defaults were used; a baseline is copied.
    let bare = scratch();
    let ev2 = bare.join("ev");
    let bl = bare.join("bl.json");
    let d = s(&fixture("demo/clinic-authz.json"));
    assert_eq!(
        phi_audit_in(
            &bare,
            &[
                "baseline",
                "--authz-details",
                &d,
                "--as-of",
                DEMO_AS_OF,
                "-o",
                &s(&bl)
            ]
        )
        .status
        .code(),
        Some(0)
    );
    let out = scan_in(&bare, &["--baseline", &s(&bl), "--evidence-dir", &s(&ev2)]);
    assert_eq!(out.status.code(), Some(0), "everything is baselined");
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(ev2.join("manifest.json")).unwrap()).unwrap();
    assert!(m["config"].is_null());
    let names: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"config-defaults.txt") && names.contains(&"baseline.json"),
        "{names:?}"
    );
    assert!(
        std::fs::read_to_string(ev2.join("config-defaults.txt"))
            .unwrap()
            .contains("built-in defaults")
    );

    // A file where the directory should be is an input error.
    let out = phi_audit_in(
        &dir,
        &[
            "scan",
            "--authz-details",
            &d,
            "--evidence-dir",
            &s(&dir.join("phi-audit.toml")),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--evidence-dir must be a directory"),
        "{}",
        stderr(&out)
    );
}
