//! Every rule fires on its fixture with exactly the expected findings, and stays
//! silent on its near-miss.

use std::path::PathBuf;

use phi_audit::rules::registry::RULES;
use serde_json::Value;

use crate::support::{root, scan_files, triples};

fn config_for(dir: &std::path::Path) -> Option<PathBuf> {
    let p = dir.join("phi-audit.toml");
    p.is_file().then_some(p)
}

/// The near-miss reads `near-miss.toml` when the fixture has one (rules whose
/// outcome depends on config alone, such as SP001's expiry dates), else the
/// fixture's `phi-audit.toml`.
fn near_miss_config_for(dir: &std::path::Path) -> Option<PathBuf> {
    let p = dir.join("near-miss.toml");
    if p.is_file() {
        Some(p)
    } else {
        config_for(dir)
    }
}

#[test]
fn each_rule_fires_exactly_as_expected() {
    for r in RULES {
        let dir = root().join("fixtures/rules").join(r.code);
        let report = scan_files(&[dir.join("fires.json")], config_for(&dir).as_deref());
        let got: Vec<(String, String, String)> = triples(&report)
            .into_iter()
            .filter(|(rule, _, _)| rule == r.code)
            .collect();
        let expected: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let mut want: Vec<(String, String, String)> = expected
            .iter()
            .map(|e| {
                (
                    e["rule"].as_str().unwrap().to_string(),
                    e["resource"].as_str().unwrap().to_string(),
                    e["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            !want.is_empty(),
            "{}: expected.json lists no finding",
            r.code
        );
        let mut got_sorted = got.clone();
        got_sorted.sort();
        want.sort();
        assert_eq!(
            got_sorted, want,
            "{}: findings on fixtures/rules/{}/fires.json",
            r.code, r.code
        );
    }
}

#[test]
fn each_rule_is_silent_on_its_near_miss() {
    for r in RULES {
        let dir = root().join("fixtures/rules").join(r.code);
        let report = scan_files(
            &[dir.join("near-miss.json")],
            near_miss_config_for(&dir).as_deref(),
        );
        let got: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule == r.code)
            .map(|f| &f.message)
            .collect();
        assert!(got.is_empty(), "{} fired on its near-miss: {got:?}", r.code);
    }
}
