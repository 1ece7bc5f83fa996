//! The README demo: which trust, boundary, monitoring and governance rules fire on the
//! clinic account, and which planted near-misses stay silent (fixtures/demo/README.md).

use std::collections::BTreeSet;

use phi_audit::report::Report;
use serde_json::Value;

use crate::support::{fixture, phi_audit, scan_files, stdout};

const FAMILIES: [&str; 4] = ["TR", "BD", "MN", "GV"];

fn demo() -> Report {
    scan_files(
        &[fixture("demo/clinic-authz.json")],
        Some(&fixture("demo/phi-audit.toml")),
    )
}

/// (rule, resource without the account prefix) of the TR/BD/MN/GV findings.
fn fired(r: &Report) -> BTreeSet<(String, String)> {
    r.findings
        .iter()
        .filter(|f| FAMILIES.iter().any(|p| f.rule.starts_with(p)))
        .map(|f| {
            let short = f
                .resource
                .strip_prefix("arn:aws:iam::123456789012:")
                .unwrap_or(&f.resource);
            (f.rule.to_string(), short.to_string())
        })
        .collect()
}

#[test]
fn demo_fires_exactly_the_planted_trust_boundary_and_hygiene_findings() {
    const SSO: &str =
        "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ClinicianReadOnly_abcdef1234567890";
    let want: BTreeSet<(String, String)> = [
        ("TR001", "role/nightly-billing-batch"),
        ("TR001", "role/report-renderer"),
        ("TR002", "role/claims-vendor-integration"),
        ("TR003", "role/lab-results-vendor"),
        ("TR004", "role/claims-vendor-integration"),
        ("TR006", "role/breakglass-ehr-db"),
        ("BD001", "role/ClinicAdmins"),
        ("BD001", SSO),
        ("BD002", "policy/support-boundary"),
        ("MN003", "role/break-glass-admin"),
        ("MN003", "role/claims-vendor-integration"),
        ("MN003", "role/legacy-deploy"),
        ("GV001", SSO),
        ("GV001", "role/claims-vendor-integration"),
        ("GV001", "role/legacy-deploy"),
        ("GV001", "role/report-renderer"),
        ("GV001", "user/billing-export-bot"),
        ("GV001", "user/it.admin"),
        ("GV001", "user/j.romero"),
        ("GV002", "user/billing-export-bot"),
    ]
    .iter()
    .map(|(r, a)| (r.to_string(), a.to_string()))
    .collect();
    let report = demo();
    assert_eq!(fired(&report), want);

    // The raw API pages give the same findings.
    let raw = scan_files(
        &[
            fixture("demo/raw-pages/page-1.json"),
            fixture("demo/raw-pages/page-2.json"),
        ],
        Some(&fixture("demo/phi-audit.toml")),
    );
    assert_eq!(fired(&raw), want);
}

#[test]
fn demo_near_misses_stay_silent() {
    let report = demo();
    let on = |rule: &str, resource: &str| {
        report
            .findings
            .iter()
            .any(|f| f.rule == rule && f.resource.ends_with(resource))
    };
    // `AWS: *` pinned by aws:PrincipalOrgID.
    assert!(!on("TR003", "role/org-security-audit"));
    // Break-glass with a real MFA gate: no TR006, and excused from PM003 and BD001.
    for rule in ["TR006", "PM003", "BD001"] {
        assert!(!on(rule, "role/break-glass-admin"), "{rule}");
    }
    assert!(!on("PM003", "role/breakglass-ehr-db") && !on("BD001", "role/breakglass-ehr-db"));
    // A boundary that denies (or never allows) PHI data actions on every PHI selector.
    assert!(!on("BD001", "role/developer") && !on("BD002", "policy/developer-boundary"));
    // Service-linked roles are exempt from the governance and usage rules.
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.resource.contains("/aws-service-role/"))
    );
}

#[test]
fn demo_messages_say_why() {
    let report = demo();
    let msg = |rule: &str, resource: &str| -> String {
        report
            .findings
            .iter()
            .find(|f| f.rule == rule && f.resource.ends_with(resource))
            .map(|f| f.message.clone())
            .unwrap_or_else(|| panic!("no {rule} on {resource}"))
    };
    assert!(
        msg("TR003", "role/lab-results-vendor")
            .contains("StringLike sts:ExternalId \"*\" matches any caller's value")
    );
    assert!(msg("TR006", "role/breakglass-ehr-db").contains("BoolIfExists does not count"));
    assert!(
        msg("GV001", "AWSReservedSSO_ClinicianReadOnly_abcdef1234567890")
            .contains("exempt from the purpose tag")
    );
    let bd002 = msg("BD002", "policy/support-boundary");
    assert!(
        bd002.contains("on human role support-engineer")
            && bd002.contains("arn:aws:dynamodb:*:*:table/patients*"),
        "{bd002}"
    );
    assert!(
        msg("MN003", "role/break-glass-admin").contains("no recorded use (RoleLastUsed is empty)")
    );
    let f = report.findings.iter().find(|f| f.rule == "BD002").unwrap();
    let open: Vec<&str> = f.evidence["not_denied"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["actions"].as_array().unwrap())
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(open.contains(&"dynamodb:GetItem") && open.contains(&"s3:DeleteObject"));
    assert!(
        !open.contains(&"s3:GetObject"),
        "support-boundary denies it"
    );
}

#[test]
fn tr005_is_reported_as_not_evaluated_on_an_export_not_as_passed() {
    let report = demo();
    assert!(!report.findings.iter().any(|f| f.rule == "TR005"));
    let cov = report
        .coverage
        .iter()
        .find(|c| c.source == "iam.role_details")
        .expect("a coverage entry for role details");
    assert!(cov.rules.contains(&"TR005"));
    assert_ne!(cov.status.as_str(), "ok");
    assert!(
        cov.detail
            .contains("evaluated only for roles whose MaxSessionDuration the input carries: TR005"),
        "{}",
        cov.detail
    );
    assert!(report.incomplete());
}

#[test]
fn rules_command_lists_the_new_rules_with_their_controls() {
    let json: Value =
        serde_json::from_slice(&phi_audit(&["rules", "--format", "json"]).stdout).unwrap();
    let controls = |code: &str| -> Vec<String> {
        json.as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .unwrap_or_else(|| panic!("{code} not listed"))["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    // RULES.md, in its order.
    assert_eq!(
        controls("TR002"),
        [
            "HIPAA-164.312(a)(1)",
            "HIPAA-164.308(b)(1)",
            "SOC2-CC6.1",
            "SOC2-CC9.2"
        ]
    );
    assert_eq!(
        controls("TR005"),
        ["HIPAA-164.312(a)(2)(iii)", "SOC2-CC6.1"]
    );
    assert_eq!(
        controls("BD001"),
        ["HIPAA-164.312(a)(1)", "SOC2-CC6.3", "CSF-PR.AA-05"]
    );
    assert_eq!(
        controls("MN003"),
        ["HIPAA-164.308(a)(4)(ii)(C)", "SOC2-CC6.2"]
    );
    let text = stdout(&phi_audit(&["rules"]));
    for code in [
        "TR001", "TR002", "TR003", "TR004", "TR005", "TR006", "BD001", "BD002", "MN003", "GV001",
        "GV002",
    ] {
        assert!(text.contains(code), "{code} missing from `phi-audit rules`");
    }
}
