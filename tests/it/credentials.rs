//! The credential rules (CR) on the offline demo snapshot
//! (`fixtures/demo/clinic-snapshot.json`, made by `scripts/make_demo_snapshot.py`).

use std::collections::BTreeSet;

use phi_audit::inventory::Inventory;
use phi_audit::rules::Evaluated;
use phi_audit::rules::classify::classify_user;
use phi_audit::snapshot::{CoverageStatus, Source, load_snapshot};
use serde_json::Value;

use crate::support::{fixture, phi_audit, scan_files, stdout, triples};

const USER: &str = "arn:aws:iam::123456789012:user/";
const ROOT: &str = "arn:aws:iam::123456789012:root";

fn demo_snapshot() -> std::path::PathBuf {
    fixture("demo/clinic-snapshot.json")
}

fn demo_report() -> phi_audit::report::Report {
    scan_files(&[demo_snapshot()], Some(&fixture("demo/phi-audit.toml")))
}

#[test]
fn demo_snapshot_fires_the_planted_credential_findings() {
    let report = demo_report();
    let got: BTreeSet<(String, String, String)> = triples(&report)
        .into_iter()
        .filter(|(rule, _, _)| rule.starts_with("CR"))
        .collect();
    let want: BTreeSet<(String, String, String)> = [
        ("CR001", "user/billing-export-bot", "high"),
        ("CR001", "user/it.admin", "high"),
        ("CR001", "user/platform.ops", "high"),
        ("CR002", "user/billing-export-bot", "medium"),
        ("CR002", "user/it.admin", "medium"),
        ("CR002", "user/platform.ops", "medium"),
        ("CR003", "user/j.romero", "medium"),
        ("CR003", "user/platform.ops", "medium"),
        ("CR004", "user/dr.patel", "high"),
        ("CR007", "root", "medium"),
    ]
    .iter()
    .map(|(r, res, s)| {
        let resource = match res.strip_prefix("user/") {
            Some(name) => format!("{USER}{name}"),
            None => ROOT.to_string(),
        };
        (r.to_string(), resource, s.to_string())
    })
    .collect();
    assert_eq!(got, want);

    let msg = |rule: &str, user: &str| -> String {
        report
            .findings
            .iter()
            .find(|f| f.rule == rule && f.resource == format!("{USER}{user}"))
            .map(|f| f.message.clone())
            .unwrap_or_else(|| panic!("no {rule} on {user}"))
    };
    // Ages are measured from collected_at (2026-11-20), so they never change.
    assert!(
        msg("CR002", "billing-export-bot").contains("is 2446 days old (created 2020-03-09"),
        "{}",
        msg("CR002", "billing-export-bot")
    );
    // platform.ops: only the forgotten second key, not the fresh first one.
    assert!(msg("CR002", "platform.ops").contains("(slot 2)"));
    assert!(
        msg("CR003", "platform.ops").contains("last used 2025-07-14 (493 days ago)"),
        "{}",
        msg("CR003", "platform.ops")
    );
    assert!(
        msg("CR003", "j.romero").contains("console password last used 2026-06-30 (142 days ago)"),
        "{}",
        msg("CR003", "j.romero")
    );
    assert!(msg("CR001", "it.admin").contains("AdministratorAccess (via group Admins)"));
    // billing-export-bot's second key is inactive: one active key, one CR002.
    assert!(msg("CR001", "billing-export-bot").contains("has 1 active access key"));
    let cr007 = report.findings.iter().find(|f| f.rule == "CR007").unwrap();
    assert_eq!(
        cr007.evidence["failed_clauses"],
        serde_json::json!(["minimum-length", "reuse-prevention", "expiry"])
    );
    assert_eq!(cr007.resource_type, "AWS::::Account");
}

#[test]
fn demo_snapshot_evidence_names_keys_and_phi_policies_but_no_secret() {
    let report = demo_report();
    let bot = report
        .findings
        .iter()
        .find(|f| f.rule == "CR001" && f.resource.ends_with("/billing-export-bot"))
        .unwrap();
    let key = &bot.evidence["active_keys"][0];
    assert_eq!(key["slot"], "access_key_1");
    assert!(key["access_key_id"].as_str().unwrap().starts_with("AKIA"));
    assert_eq!(key["last_used_service"], "s3");
    let policies: BTreeSet<&str> = bot.evidence["phi_grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["policy"].as_str().unwrap())
        .collect();
    assert_eq!(
        policies,
        [
            "arn:aws:iam::123456789012:policy/billing-batch-access",
            "arn:aws:iam::123456789012:user/billing-export-bot#sftp-drop",
        ]
        .into()
    );
    let text = std::fs::read_to_string(demo_snapshot()).unwrap();
    for needle in ["SecretAccessKey", "secret_access_key", "SessionToken"] {
        assert!(
            !text.contains(needle),
            "the demo snapshot mentions {needle}"
        );
    }
}

#[test]
fn demo_snapshot_root_is_clean_and_every_credential_source_is_covered() {
    let report = demo_report();
    for code in ["CR005", "CR006"] {
        assert!(
            !report.findings.iter().any(|f| f.rule == code),
            "{code} fired on the demo"
        );
        assert!(
            report.evaluated.contains(&(code, Evaluated::Full)),
            "{code} must be evaluated, not skipped: {:?}",
            report.evaluated
        );
    }
    for c in &report.coverage {
        if [
            "iam.credential_report",
            "iam.account_summary",
            "iam.password_policy",
        ]
        .contains(&c.source.as_str())
        {
            assert_eq!(c.status, CoverageStatus::Ok, "{c:?}");
        }
    }
}

#[test]
fn pm002_and_pm003_also_evaluate_iam_users_on_the_demo_snapshot() {
    let report = demo_report();
    let cred = report
        .coverage
        .iter()
        .find(|c| c.source == "iam.credential_report")
        .unwrap();
    assert_eq!(cred.status, CoverageStatus::Ok);
    for code in ["PM002", "PM003", "CR001", "CR002", "CR003", "CR004"] {
        assert!(cred.rules.contains(&code), "{code} not in {:?}", cred.rules);
        assert!(
            report.evaluated.contains(&(code, Evaluated::Full)),
            "{code}: {:?}",
            report.evaluated
        );
    }

    // Every user of the export has a credential row, so every user is classified.
    let snap = load_snapshot(&demo_snapshot()).unwrap();
    let inv = Inventory::build(&snap).unwrap();
    assert_eq!(inv.users.len(), 5);
    let mut human = Vec::new();
    let mut workload = Vec::new();
    for (i, u) in inv.users.iter().enumerate() {
        let class = classify_user(inv.user_credentials[i].as_ref())
            .unwrap_or_else(|| panic!("user {} has no credential row", u.name));
        if class.is_human() {
            human.push(u.name.as_str());
        }
        if class.is_workload() {
            workload.push(u.name.as_str());
        }
    }
    human.sort();
    assert_eq!(
        human,
        ["dr.patel", "it.admin", "j.romero", "platform.ops"],
        "console users"
    );
    assert_eq!(workload, ["billing-export-bot"]);
    assert!(inv.root_credentials.is_some());

    // The Admins group (member it.admin) keeps its PM003; the admin comes through the
    // group, so the human user it.admin gets no PM003 of its own.
    let pm003: BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule == "PM003")
        .map(|f| f.resource.as_str())
        .collect();
    assert!(
        pm003.contains("arn:aws:iam::123456789012:group/Admins"),
        "{pm003:?}"
    );
    assert!(
        !pm003.contains(format!("{USER}it.admin").as_str()),
        "{pm003:?}"
    );
}

#[test]
fn demo_snapshot_iam_is_the_demo_export_unchanged() {
    // scripts/make_demo_snapshot.py copies clinic-authz.json; regenerate when it changes.
    let snap: Value =
        serde_json::from_str(&std::fs::read_to_string(demo_snapshot()).unwrap()).unwrap();
    let authz: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("demo/clinic-authz.json")).unwrap())
            .unwrap();
    // Roles additionally carry ListRoles' MaxSessionDuration, which exports lack.
    let mut roles = snap["iam"]["RoleDetailList"].clone();
    for r in roles.as_array_mut().unwrap() {
        assert!(
            r.as_object_mut()
                .unwrap()
                .remove("MaxSessionDuration")
                .is_some()
        );
    }
    assert_eq!(
        roles, authz["RoleDetailList"],
        "RoleDetailList differs: run `python3 scripts/make_demo_snapshot.py`"
    );
    for list in ["UserDetailList", "GroupDetailList", "Policies"] {
        assert_eq!(
            snap["iam"][list], authz[list],
            "{list} differs: run `python3 scripts/make_demo_snapshot.py`"
        );
    }
    let users: BTreeSet<&str> = authz["UserDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["UserName"].as_str().unwrap())
        .collect();
    let rows: BTreeSet<&str> = snap["credential_report"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"].as_str().unwrap())
        .filter(|u| *u != "<root_account>")
        .collect();
    assert_eq!(users, rows, "one credential-report row per demo user");
    let ids: Vec<&str> = snap["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["source"].as_str().unwrap())
        .collect();
    let all: Vec<&str> = Source::ALL.iter().map(|s| s.id()).collect();
    assert_eq!(
        ids, all,
        "one coverage entry per source, in Source::ALL order"
    );
}

#[test]
fn authz_details_scan_reports_credential_rules_as_not_evaluated() {
    // An export has no credential data: the CR rules are skipped and say so, never passed.
    let report = scan_files(&[fixture("demo/clinic-authz.json")], None);
    assert!(!report.findings.iter().any(|f| f.rule.starts_with("CR")));
    for code in [
        "CR001", "CR002", "CR003", "CR004", "CR005", "CR006", "CR007",
    ] {
        assert!(
            report.evaluated.contains(&(code, Evaluated::No)),
            "{code}: {:?}",
            report.evaluated
        );
    }
    let cred = report
        .coverage
        .iter()
        .find(|c| c.source == "iam.credential_report")
        .unwrap();
    assert!(
        cred.detail
            .contains("not evaluated: CR001, CR002, CR003, CR004"),
        "{}",
        cred.detail
    );
}

#[test]
fn cr001_without_authorization_details_is_partial_and_says_so() {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(demo_snapshot()).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("iam");
    for c in v["coverage"].as_array_mut().unwrap() {
        if c["source"] == "iam.authorization_details" {
            c["status"] = "denied".into();
            c["detail"] = "AccessDenied: iam:GetAccountAuthorizationDetails".into();
        }
    }
    let dir = std::env::temp_dir().join(format!("phi-audit-cr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("no-authz.json");
    std::fs::write(&path, v.to_string()).unwrap();
    let report = scan_files(std::slice::from_ref(&path), None);
    assert!(report.evaluated.contains(&("CR001", Evaluated::Partial)));
    let cr001: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "CR001")
        .collect();
    assert_eq!(cr001.len(), 3);
    for f in cr001 {
        assert_eq!(
            f.severity.as_str(),
            "medium",
            "no silent downgrade, no guess"
        );
        assert_eq!(f.evidence["phi_data_access"], "unknown");
    }
    let authz = report
        .coverage
        .iter()
        .find(|c| c.source == "iam.authorization_details")
        .unwrap();
    assert!(
        authz.detail.contains("evaluated without PHI reach: CR001"),
        "{}",
        authz.detail
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cli_scans_the_demo_snapshot_offline() {
    let snap = demo_snapshot();
    let out = phi_audit(&[
        "scan",
        "--snapshot",
        snap.to_str().unwrap(),
        "--select",
        "CR",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "high findings fail by default");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["source"], "snapshot");
    assert_eq!(r["collected_at"], "2026-11-20T00:00:00Z");
    assert_eq!(
        r["findings"].as_array().unwrap().len(),
        10,
        "{}",
        stdout(&out)
    );
}
