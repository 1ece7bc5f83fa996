//! The invariants of STYLE.md's registry: codes unique and well-formed, front
//! matter agrees with the code, every named control exists, every heading
//! present, every rule has a fixture that fires and one that doesn't (the
//! latter is exercised in rule_fixtures.rs).

use std::collections::BTreeSet;

use phi_audit::compliance::{controls, parse_catalogue};
use phi_audit::rules::registry::{FAMILIES, RULES, SECTIONS, parse_doc, section};

use crate::support::root;

#[test]
fn codes_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for r in RULES {
        assert!(seen.insert(r.code), "duplicate code {}", r.code);
        let (prefix, digits) = r.code.split_at(2);
        assert!(
            FAMILIES.iter().any(|(p, _)| *p == prefix),
            "{}: unknown family prefix",
            r.code
        );
        assert!(
            digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()),
            "{}: expected two letters and three digits",
            r.code
        );
        assert!(
            FAMILIES
                .iter()
                .any(|(p, name)| *p == prefix && *name == r.family),
            "{}: family {:?} does not match its prefix",
            r.code,
            r.family
        );
    }
}

#[test]
fn every_doc_parses_and_agrees_with_its_code() {
    for r in RULES {
        let d = parse_doc(r.source()).unwrap_or_else(|e| panic!("rules/{}.md: {e}", r.code));
        assert_eq!(d.code, r.code, "front matter code of rules/{}.md", r.code);
        assert!(
            !d.name.is_empty() && d.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}: name must be kebab-case",
            r.code
        );
        assert!(
            !d.summary.is_empty() && d.summary.len() <= 140,
            "{}: summary length",
            r.code
        );
        assert!(
            !d.remediation.is_empty() && !d.remediation.contains('\n'),
            "{}: remediation paragraph",
            r.code
        );
        // Suppression hygiene (SP) checks phi-audit's own config; RULES.md maps SP002 to
        // no control. Every rule about the account names at least one.
        assert!(
            !d.controls.is_empty() || r.code.starts_with("SP"),
            "{}: no controls",
            r.code
        );
    }
}

#[test]
fn every_doc_has_every_heading_in_order_with_content() {
    for r in RULES {
        let d = r.doc();
        let mut last = 0;
        for title in SECTIONS {
            let heading = format!("## {title}\n");
            let at = d
                .body
                .find(&heading)
                .unwrap_or_else(|| panic!("rules/{}.md lacks `## {title}`", r.code));
            assert!(at >= last, "rules/{}.md: `## {title}` out of order", r.code);
            last = at;
            let text = section(d.body, title).unwrap();
            assert!(
                text.trim().len() > 40,
                "rules/{}.md: `## {title}` is nearly empty",
                r.code
            );
        }
        assert!(
            section(d.body, "Example").unwrap().contains("```"),
            "rules/{}.md: Example needs a code block",
            r.code
        );
    }
}

#[test]
fn every_named_control_exists_in_the_catalogue() {
    let ids: BTreeSet<&str> = controls().iter().map(|c| c.id.as_str()).collect();
    for r in RULES {
        for c in &r.doc().controls {
            assert!(ids.contains(c), "{} names unknown control {c}", r.code);
        }
    }
}

#[test]
fn control_catalogue_is_well_formed_and_covers_rules_md() {
    let cat = controls();
    let mut ids = BTreeSet::new();
    for c in cat {
        assert!(ids.insert(c.id.as_str()), "duplicate control {}", c.id);
        let prefix_ok = match c.framework.as_str() {
            "hipaa" => c.id.starts_with("HIPAA-164."),
            "soc2" => c.id.starts_with("SOC2-CC"),
            "csf" => c.id.starts_with("CSF-PR.AA-"),
            other => panic!("{}: unknown framework {other}", c.id),
        };
        assert!(
            prefix_ok,
            "{}: id does not match framework {}",
            c.id, c.framework
        );
        assert!(
            !c.title.is_empty() && !c.requirement.is_empty(),
            "{}: empty title or requirement",
            c.id
        );
    }
    // Every control id RULES.md uses (all families, including rules not built yet)
    // is in the catalogue, so new rules cannot name a control we do not describe.
    let spec = std::fs::read_to_string(root().join("../shared/spec/RULES.md")).ok();
    if let Some(spec) = spec {
        for word in spec.split(|c: char| c.is_whitespace() || c == ',' || c == '|' || c == '`') {
            let word = word.trim_end_matches(['.', ';']);
            if word.starts_with("HIPAA-164.")
                || word.starts_with("SOC2-CC")
                || word.starts_with("CSF-PR.AA-")
            {
                assert!(
                    ids.contains(word),
                    "RULES.md names {word}, missing from rules/controls.toml"
                );
            }
        }
    }
    assert!(parse_catalogue("[[control]]\nid = 1\n").is_err());
}

#[test]
fn every_rule_has_its_fixtures() {
    for r in RULES {
        let dir = root().join("fixtures/rules").join(r.code);
        for f in ["fires.json", "near-miss.json", "expected.json"] {
            assert!(
                dir.join(f).is_file(),
                "fixtures/rules/{}/{f} is missing",
                r.code
            );
        }
    }
}

#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- rules:start")
        .expect("README has a rules:start marker");
    let body_start = readme[start..].find("-->").unwrap() + start + 3;
    let end = readme
        .find("<!-- rules:end -->")
        .expect("README has a rules:end marker");
    let table = readme[body_start..end].trim();
    assert_eq!(
        table,
        phi_audit::rules_markdown().trim(),
        "README rule table is stale: paste the output of `cargo run -q -- rules --format markdown` between the markers"
    );
}
