//! Live collection against the moto AWS emulator in server mode on 127.0.0.1: the
//! real binary, the real SDK, real HTTP. Each test starts its own server on a free
//! port and kills it when done. What moto cannot do (AccessDenied, throttling,
//! pagination, 5xx) is covered by SDK-level mocks in src/collect/iam.rs.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::stub::AccessAnalyzerStub;
use crate::support::root;

/// Credentials the tests hand to phi-audit: distinctive, so a leak is greppable.
const TEST_SECRET: &str = "phiAuditTestSecretKeyMustNeverBeWritten0001";
const TEST_TOKEN: &str = "phiAuditTestSessionTokenMustNeverBeWritten0002";

fn venv_bin(name: &str) -> PathBuf {
    let python = std::env::var_os("PHI_AUDIT_MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv-moto/bin/python"));
    let bin = python.parent().expect("python in a bin dir").join(name);
    assert!(
        bin.is_file(),
        "{} is missing: run scripts/test.sh (it installs moto into .venv-moto) or set PHI_AUDIT_MOTO_PYTHON",
        bin.display()
    );
    bin
}

pub struct Moto {
    child: Child,
    pub url: String,
}

impl Moto {
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(venv_bin("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Seed the clinic account; returns the secret access keys it created.
    pub fn seed(&self, extra: &[&str]) -> Vec<String> {
        let secrets = tempfile("secrets.json");
        let out = Command::new(venv_bin("python"))
            .arg(root().join("scripts/seed_moto.py"))
            .arg(&self.url)
            .arg(&secrets)
            .args(extra)
            .output()
            .expect("run seed script");
        assert!(
            out.status.success(),
            "seeding failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(&std::fs::read_to_string(&secrets).unwrap()).unwrap()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tempfile(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "phi-audit-live-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The real binary with dummy credentials, never the instance-metadata address.
fn run(args: &[&str]) -> Output {
    run_env(args, &[])
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phi-audit"));
    cmd.args(args)
        .current_dir(std::env::temp_dir())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKIAPHIAUDITTEST0001")
        .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET)
        .env("AWS_SESSION_TOKEN", TEST_TOKEN)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run phi-audit")
}

fn json(o: &Output) -> Value {
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)))
}

fn findings(report: &Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(set: &BTreeSet<(String, String)>, rule: &str, resource: &str) -> bool {
    set.contains(&(rule.to_string(), resource.to_string()))
}

const ACCT: &str = "arn:aws:iam::123456789012";

/// Every service to moto through `AWS_ENDPOINT_URL`, Access Analyzer (which moto lacks)
/// to the stub through `AWS_ENDPOINT_URL_ACCESSANALYZER`: the variables users set too.
struct Live {
    moto: Moto,
    stub: AccessAnalyzerStub,
}

impl Live {
    fn start() -> Live {
        Live {
            moto: Moto::start(),
            stub: AccessAnalyzerStub::start(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        if !args.contains(&"--regions") && matches!(args.first(), Some(&"scan") | Some(&"collect"))
        {
            all.extend(["--regions", "us-east-1"]);
        }
        run_env(
            &all,
            &[
                ("AWS_ENDPOINT_URL", self.moto.url.as_str()),
                ("AWS_ENDPOINT_URL_ACCESSANALYZER", self.stub.url.as_str()),
            ],
        )
    }

    fn collect(&self, extra: &[&str]) -> (PathBuf, Value) {
        let snap = tempfile("snapshot.json");
        let mut args = vec!["collect", "-o", snap.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
        (snap, v)
    }
}

#[test]
fn live_scan_of_the_seeded_clinic_finds_what_it_should() {
    let live = Live::start();
    live.moto.seed(&[]);
    let report = json(&live.run(&["scan", "--format", "json", "--no-progress"]));
    assert_eq!(report["source"], "live");
    assert_eq!(report["account"]["id"], "123456789012");
    assert_eq!(report["account"]["alias"], "clinic-prod");
    assert_eq!(report["caller"]["account"], "123456789012");
    for c in report["coverage"].as_array().unwrap() {
        assert_eq!(
            c["status"], "ok",
            "every source is collected from moto and the stub: {c}"
        );
    }
    let f = findings(&report);
    assert!(
        has(&f, "PM002", &format!("{ACCT}:role/legacy-deploy")),
        "{f:?}"
    );
    assert!(
        has(&f, "PM003", &format!("{ACCT}:role/ClinicAdmins")),
        "{f:?}"
    );
    assert!(has(&f, "PM003", &format!("{ACCT}:group/Admins")), "{f:?}");
    assert!(
        has(&f, "PM001", &format!("{ACCT}:policy/ehr-api-data")),
        "{f:?}"
    );
    assert!(
        has(&f, "PM001", &format!("{ACCT}:policy/etl-read-all")),
        "{f:?}"
    );
    assert!(
        has(&f, "PM006", &format!("{ACCT}:policy/ci-deploy")),
        "{f:?}"
    );
    // Credential rules from the live credential report and account data.
    assert!(has(&f, "CR001", &format!("{ACCT}:user/etl-bot")), "{f:?}");
    assert!(
        has(&f, "CR004", &format!("{ACCT}:user/alice")),
        "alice has a password and no MFA: {f:?}"
    );
    assert!(
        has(&f, "CR007", &format!("{ACCT}:root")),
        "weak password policy: {f:?}"
    );
    let cr001 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "CR001")
        .unwrap();
    assert_eq!(
        cr001["severity"], "high",
        "etl-bot's key can reach PHI (s3:GetObject on *)"
    );
    // Scoped and clean: nothing for bob (password + MFA) beyond hygiene, no admin on ehr-api.
    assert!(!has(&f, "CR004", &format!("{ACCT}:user/bob")), "{f:?}");
    assert!(!has(&f, "PM002", &format!("{ACCT}:role/ehr-api")), "{f:?}");
}

#[test]
fn collect_then_scan_snapshot_gives_byte_identical_findings_and_no_secret_leaks() {
    let live = Live::start();
    let secrets = live.moto.seed(&["--users", "3"]);
    assert_eq!(secrets.len(), 4, "etl-bot + 3 filler users have keys");
    let snap = tempfile("snapshot.json");
    let snap_s = snap.to_str().unwrap();
    let collect = live.run(&["collect", "-o", snap_s, "--no-progress"]);
    assert_eq!(
        collect.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&collect.stderr)
    );
    let scan = live.run(&["scan", "--format", "json", "--fail-on", "none"]);
    let offline = run(&[
        "scan",
        "--snapshot",
        snap_s,
        "--format",
        "json",
        "--fail-on",
        "none",
    ]);
    let (lv, ov) = (json(&scan), json(&offline));
    assert_eq!(ov["source"], "snapshot");
    assert!(!lv["findings"].as_array().unwrap().is_empty());
    assert_eq!(
        serde_json::to_string_pretty(&lv["findings"]).unwrap(),
        serde_json::to_string_pretty(&ov["findings"]).unwrap(),
        "live and snapshot scans must give byte-identical findings"
    );
    assert_eq!(lv["coverage"], ov["coverage"]);

    // The snapshot holds the raw data INTERFACE.md lists, and key ids but no secrets.
    let text = std::fs::read_to_string(&snap).unwrap();
    let s: Value = serde_json::from_str(&text).unwrap();
    for key in [
        "caller",
        "iam",
        "credential_report",
        "account_summary",
        "password_policy",
        "mfa_devices",
        "instance_profiles",
        "access_keys",
        "regions",
        "access_analyzer",
        "cloudtrail",
        "api_calls",
    ] {
        assert!(!s[key].is_null(), "snapshot lacks {key}");
    }
    assert_eq!(s["access_keys"].as_array().unwrap().len(), 4);
    assert!(
        s["access_keys"][0]["AccessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("AKIA")
    );
    let outputs = [
        text.clone(),
        String::from_utf8_lossy(&scan.stdout).into_owned(),
        String::from_utf8_lossy(&offline.stdout).into_owned(),
        String::from_utf8_lossy(&collect.stderr).into_owned(),
        String::from_utf8_lossy(&scan.stderr).into_owned(),
    ];
    for out in &outputs {
        for secret in secrets
            .iter()
            .map(String::as_str)
            .chain([TEST_SECRET, TEST_TOKEN])
        {
            assert!(!out.contains(secret), "a secret reached an output");
        }
        assert!(
            !out.to_ascii_lowercase().contains("secretaccesskey"),
            "no secret-key field in any output"
        );
    }
}

#[test]
fn every_api_call_is_read_only_and_in_the_permissions_policy() {
    let live = Live::start();
    live.moto.seed(&[]);
    let (_, s) = live.collect(&[]);
    let policy: Value = serde_json::from_slice(&run(&["permissions"]).stdout).unwrap();
    let allowed: BTreeSet<&str> = policy["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let called: BTreeMap<String, u64> = serde_json::from_value(s["api_calls"].clone()).unwrap();
    assert!(called.len() >= 15, "{called:?}");
    for op in called.keys() {
        assert!(
            allowed.contains(op.as_str()),
            "{op} was called but is not in `phi-audit permissions`"
        );
        let action = op.split(':').nth(1).unwrap();
        assert!(
            ["Get", "List", "Describe", "Generate"]
                .iter()
                .any(|p| action.starts_with(p)),
            "{op} is not a read-only operation"
        );
    }
}

/// Total calls, leaving out credential-report polling (how often GenerateCredentialReport is
/// asked for the report's state depends on timing, not on the account).
fn total_calls(s: &Value) -> (u64, BTreeMap<String, u64>) {
    let calls: BTreeMap<String, u64> = serde_json::from_value(s["api_calls"].clone()).unwrap();
    let total = calls
        .iter()
        .filter(|(k, _)| *k != "iam:GenerateCredentialReport")
        .map(|(_, v)| v)
        .sum();
    (total, calls)
}

#[test]
fn api_calls_grow_with_users_not_with_roles_or_policies() {
    // 500 roles and 200 users (one key each), as the issue asks; then 50 roles, same users.
    let big = Live::start();
    big.moto.seed(&["--roles", "500", "--users", "200"]);
    let (big_total, big_calls) = total_calls(&big.collect(&[]).1);
    let small = Live::start();
    small.moto.seed(&["--roles", "50", "--users", "200"]);
    let (small_total, _) = total_calls(&small.collect(&[]).1);
    eprintln!("API calls for 500 roles / 203 users: {big_total} {big_calls:?}");
    assert_eq!(big_total, small_total, "roles must not cost API calls");
    // Per user: one ListAccessKeys; per key: one GetAccessKeyLastUsed. 203 users, 201 keys.
    assert_eq!(big_calls["iam:ListAccessKeys"], 203);
    assert_eq!(big_calls["iam:GetAccessKeyLastUsed"], 201);
    assert_eq!(big_calls["iam:GetAccountAuthorizationDetails"], 1);
    assert_eq!(
        big_calls["iam:ListRoles"], 1,
        "500 roles fit one page of 1,000"
    );
    assert!(
        !big_calls.contains_key("iam:GetRole"),
        "no per-role calls when RoleLastUsed is present"
    );
    let fixed = big_total - 203 - 201;
    assert!(fixed <= 20, "bulk calls: {fixed}");
}

#[test]
fn access_analyzer_pages_regions_and_denied_region() {
    let live = Live::start();
    live.moto.seed(&[]);
    let (_, s) = live.collect(&["--regions", "us-east-1,us-west-2,eu-west-1"]);
    let cov = s["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"] == "accessanalyzer.analyzers")
        .unwrap();
    assert_eq!(cov["status"], "denied", "{cov}");
    assert!(
        cov["detail"]
            .as_str()
            .unwrap()
            .contains("eu-west-1: ListAnalyzers: AccessDeniedException"),
        "{cov}"
    );
    let regions = s["access_analyzer"].as_array().unwrap();
    let region = |r: &str| regions.iter().find(|x| x["region"] == r).unwrap();
    let east = region("us-east-1");
    assert_eq!(east["status"], "ok");
    assert_eq!(east["analyzers"].as_array().unwrap().len(), 2);
    let ids: Vec<&str> = east["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["f-ext-1", "f-ext-2", "f-ext-3", "f-unused-1"],
        "both pages of findings, every analyzer"
    );
    assert_eq!(
        region("us-west-2")["analyzers"].as_array().unwrap().len(),
        0
    );
    assert_eq!(region("eu-west-1")["status"], "denied");
    assert_eq!(s["api_calls"]["access-analyzer:ListAnalyzers"], 3);
    // The call log agrees with what the server received: 3 ListAnalyzers, and
    // ListFindingsV2 twice for the paged external analyzer and once for the unused one.
    assert_eq!(s["api_calls"]["access-analyzer:ListFindingsV2"], 3);
    assert_eq!(
        live.stub.requests.load(std::sync::atomic::Ordering::SeqCst),
        6
    );
}

#[test]
fn member_account_scps_are_read_through_the_org_role() {
    let live = Live::start();
    let out = Command::new(venv_bin("python"))
        .arg(root().join("scripts/seed_moto_org.py"))
        .arg(&live.moto.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Value = serde_json::from_slice(&out.stdout).unwrap();
    let member = ids["member"].as_str().unwrap();
    let role = format!("arn:aws:iam::{member}:role/phi-audit");
    let org_role = "arn:aws:iam::123456789012:role/phi-audit-org-reader";

    let (_, s) = live.collect(&["--role-arn", &role, "--org-role-arn", org_role]);
    assert_eq!(s["account"]["id"], member);
    assert_eq!(
        s["caller"]["arn"],
        format!("arn:aws:sts::{member}:assumed-role/phi-audit/phi-audit"),
        "session name phi-audit"
    );
    let org = &s["organization"];
    assert_eq!(org["is_management_account"], false);
    let path: Vec<&str> = org["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap_or("(account)"))
        .collect();
    assert_eq!(path, ["Root", "Workloads", "Prod", "(account)"]);
    let names: BTreeSet<&str> = org["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["FullAWSAccess", "protect-cloudtrail"].into());
    let trail = &s["cloudtrail"][0];
    assert_eq!(
        (
            trail["is_multi_region"].as_bool(),
            trail["is_logging"].as_bool(),
            trail["log_file_validation"].as_bool()
        ),
        (Some(true), Some(true), Some(true))
    );

    // The live scan reports exactly the four guardrails the OU's SCP does not provide,
    // and no MN004: the member's trail is multi-region, logging, validated, all management events.
    let report = json(&live.run(&[
        "scan",
        "--role-arn",
        &role,
        "--org-role-arn",
        org_role,
        "--format",
        "json",
        "--fail-on",
        "none",
    ]));
    let guardrails: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "OG001")
        .map(|f| f["evidence"]["guardrail"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        guardrails,
        [
            "deny-iam-users",
            "deny-leave-org",
            "deny-public-ami",
            "deny-public-s3"
        ]
        .into()
    );
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "MN004" || f["rule"] == "OG002")
    );

    // Without the org role, a member account cannot read its SCPs: coverage says so, and
    // OG001 is not evaluated rather than reported as passing or guessed.
    let (_, s) = live.collect(&["--role-arn", &role]);
    let cov = s["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"] == "organizations.scps")
        .unwrap();
    assert_ne!(cov["status"], "ok", "{cov}");
    assert!(
        cov["detail"].as_str().unwrap().contains("--org-role-arn"),
        "{cov}"
    );
    let report = json(&live.run(&[
        "scan",
        "--role-arn",
        &role,
        "--format",
        "json",
        "--fail-on",
        "none",
    ]));
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "OG001")
    );
    let scps = report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"] == "organizations.scps")
        .unwrap();
    assert!(
        scps["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "OG001"),
        "{scps}"
    );
}

/// A server that accepts connections and never answers.
fn silent_endpoint() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        listener.set_nonblocking(true).unwrap();
        let start = Instant::now();
        let mut held = Vec::new();
        while start.elapsed() < Duration::from_secs(30) {
            if let Ok((mut s, _)) = listener.accept() {
                let _ = s.set_nonblocking(true);
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf);
                held.push(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    (url, handle)
}

#[test]
fn silent_endpoint_fails_cleanly_within_the_timeout() {
    let (url, _h) = silent_endpoint();
    let start = Instant::now();
    let out = run(&[
        "scan",
        "--endpoint-url",
        &url,
        "--api-timeout",
        "2",
        "--max-attempts",
        "1",
        "--regions",
        "us-east-1",
    ]);
    let took = start.elapsed();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sts:GetCallerIdentity") && err.contains("timed out"),
        "{err}"
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

#[test]
fn a_silent_iam_endpoint_leaves_coverage_errors_not_a_hang() {
    // STS answers (moto), IAM never does: the scan completes, IAM sources are errors,
    // rules that need them are not evaluated, and --require-complete turns that into 3.
    let moto = Moto::start();
    let (silent, _h) = silent_endpoint();
    let start = Instant::now();
    let env = [
        ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
        ("AWS_ENDPOINT_URL", silent.as_str()),
    ];
    let out = run_env(
        &[
            "scan",
            "--format",
            "json",
            "--api-timeout",
            "2",
            "--max-attempts",
            "1",
            "--report-wait",
            "3",
            "--regions",
            "us-east-1",
        ],
        &env,
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    let report = json(&out);
    let cov: BTreeMap<String, String> = report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["source"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(cov["iam.authorization_details"], "error", "{cov:?}");
    assert!(
        report["findings"].as_array().unwrap().is_empty(),
        "nothing can be reported as found or passed"
    );
    let table = run_env(
        &[
            "scan",
            "--api-timeout",
            "2",
            "--max-attempts",
            "1",
            "--report-wait",
            "3",
            "--regions",
            "us-east-1",
        ],
        &env,
    );
    let text = String::from_utf8_lossy(&table.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("coverage incomplete ("))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("iam.authorization_details error"), "{line}");
    assert!(
        line.contains("not evaluated: ") && line.contains("PM001"),
        "{line}"
    );
    let strict = run_env(
        &[
            "scan",
            "--api-timeout",
            "2",
            "--max-attempts",
            "1",
            "--report-wait",
            "3",
            "--regions",
            "us-east-1",
            "--require-complete",
        ],
        &env,
    );
    assert_eq!(strict.status.code(), Some(3));
}
