//! Loading: both document shapes, pages, snapshots.

use phi_audit::rules::Selection;
use phi_audit::snapshot::{self, load_snapshot};

use crate::support::{fixture, scan_files, triples};

#[test]
fn raw_api_pages_give_the_same_findings_as_the_cli_export() {
    let cli = scan_files(&[fixture("demo/clinic-authz.json")], None);
    let raw = scan_files(
        &[
            fixture("demo/raw-pages/page-1.json"),
            fixture("demo/raw-pages/page-2.json"),
        ],
        None,
    );
    assert!(!cli.findings.is_empty());
    assert_eq!(triples(&cli), triples(&raw));
    let fp = |r: &phi_audit::report::Report| {
        r.findings
            .iter()
            .map(|f| f.fingerprint.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        fp(&cli),
        fp(&raw),
        "fingerprints do not depend on the input shape"
    );
}

#[test]
fn plus_in_url_encoded_documents_stays_plus() {
    let snap = snapshot::load_authz_details(
        &[
            fixture("demo/raw-pages/page-1.json"),
            fixture("demo/raw-pages/page-2.json"),
        ],
        None,
    )
    .unwrap();
    let text = serde_json::to_string(&snap.iam).unwrap();
    assert!(
        text.contains("intake+scans"),
        "a literal + in a raw document must survive decoding"
    );
    assert!(!text.contains("intake scans"));
}

#[test]
fn passing_the_same_page_twice_does_not_duplicate_entities() {
    let once = scan_files(&[fixture("demo/clinic-authz.json")], None);
    let twice = scan_files(
        &[
            fixture("demo/clinic-authz.json"),
            fixture("demo/clinic-authz.json"),
        ],
        None,
    );
    assert_eq!(triples(&once), triples(&twice));
}

#[test]
fn snapshot_round_trip_reproduces_the_findings() {
    let as_of = snapshot::parse_time(crate::support::DEMO_AS_OF).unwrap();
    let snap =
        snapshot::load_authz_details(&[fixture("demo/clinic-authz.json")], Some(as_of)).unwrap();
    let path = std::env::temp_dir().join(format!("phi-audit-snap-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec_pretty(&snap).unwrap()).unwrap();
    let back = load_snapshot(&path).unwrap();
    let settings = phi_audit::config::Settings::default();
    let a = phi_audit::evaluate(&snap, &settings, &Selection::default()).unwrap();
    let b = phi_audit::evaluate(&back, &settings, &Selection::default()).unwrap();
    assert_eq!(triples(&a), triples(&b));
    assert_eq!(b.source, "snapshot");
    assert_eq!(a.collected_at, b.collected_at);

    // A snapshot of another schema version is refused with a clear message.
    let mut v: serde_json::Value = serde_json::to_value(&snap).unwrap();
    v["schema_version"] = 99.into();
    std::fs::write(&path, v.to_string()).unwrap();
    let e = load_snapshot(&path).unwrap_err().to_string();
    assert!(
        e.contains("snapshot schema_version 99 is not supported"),
        "{e}"
    );
    // And an authz-details file passed as a snapshot says what to do.
    let e = load_snapshot(&fixture("demo/clinic-authz.json"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("use --authz-details"), "{e}");
    std::fs::remove_file(&path).ok();
}

#[test]
fn account_is_derived_from_arns_and_mixed_accounts_are_refused() {
    let snap = snapshot::load_authz_details(&[fixture("demo/clinic-authz.json")], None).unwrap();
    assert_eq!(snap.account.id, "123456789012");
    assert_eq!(snap.account.partition, "aws");

    let dir = std::env::temp_dir().join(format!("phi-audit-mixed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut other: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("demo/clinic-authz.json")).unwrap())
            .unwrap();
    let text = other.to_string().replace("123456789012", "210987654321");
    other = serde_json::from_str(&text).unwrap();
    let p = dir.join("other.json");
    std::fs::write(&p, other.to_string()).unwrap();
    let e = snapshot::load_authz_details(&[fixture("demo/clinic-authz.json"), p], None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("mixes several accounts (123456789012 (aws), 210987654321 (aws))"),
        "{e}"
    );
}
