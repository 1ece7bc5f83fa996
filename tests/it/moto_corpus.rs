//! Every AWS managed policy that moto ships (~1,600 real documents that nobody on
//! this project wrote) parses in both shapes, and every rule evaluates them.
//!
//! moto is installed by the README's test command (scripts/test.sh) into
//! `.venv-moto`; `PHI_AUDIT_MOTO_PYTHON` points at another interpreter with moto.

use std::path::PathBuf;
use std::process::Command;

use phi_audit::inventory::Inventory;
use phi_audit::rules::Selection;
use phi_audit::snapshot;

use crate::support::root;

fn moto_python() -> PathBuf {
    let p = std::env::var_os("PHI_AUDIT_MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv-moto/bin/python"));
    assert!(
        p.is_file(),
        "moto is not installed at {}: run scripts/test.sh (it installs moto into .venv-moto) or set PHI_AUDIT_MOTO_PYTHON",
        p.display()
    );
    p
}

fn extract(raw: bool) -> (PathBuf, usize) {
    let out = std::env::temp_dir().join(format!(
        "phi-audit-moto-corpus-{}-{raw}.json",
        std::process::id()
    ));
    let mut cmd = Command::new(moto_python());
    cmd.arg(root().join("scripts/moto_managed_policies.py"))
        .arg(&out);
    if raw {
        cmd.arg("--raw");
    }
    let res = cmd.output().expect("run python");
    assert!(
        res.status.success(),
        "extract failed: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    let n: usize = String::from_utf8_lossy(&res.stdout)
        .trim()
        .parse()
        .expect("count");
    (out, n)
}

#[test]
fn every_aws_managed_policy_in_moto_parses_and_evaluates() {
    for raw in [false, true] {
        let (path, n) = extract(raw);
        assert!(n > 1000, "moto ships ~1,600 managed policies, got {n}");
        let snap = snapshot::load_authz_details(std::slice::from_ref(&path), None)
            .unwrap_or_else(|e| panic!("raw={raw}: {e:#}"));
        let inv = Inventory::build(&snap).unwrap();
        assert_eq!(inv.policies.len(), n);
        assert!(
            inv.policies.iter().all(|p| p.document.is_some()),
            "every policy has its default document"
        );
        let statements: usize = inv
            .policies
            .iter()
            .map(|p| p.document.as_ref().unwrap().statements.len())
            .sum();
        assert!(statements > n, "{statements} statements");
        // Every rule runs over every real document (attachment count 1) without panicking,
        // and finds the well-known broad policies.
        let report =
            phi_audit::evaluate(&snap, &Default::default(), &Selection::default()).unwrap();
        let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.rule == "PM001" && f.resource == admin)
        );
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.rule == "PM008"
                    && f.resource == "arn:aws:iam::aws:policy/AmazonS3FullAccess"),
            "AmazonS3FullAccess grants s3:* on *"
        );
        assert!(
            !report.findings.iter().any(|f| f.rule == "PM001"
                && f.resource == "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
                && f.message.contains("kms")),
            "no KMS grant invented for S3 read-only"
        );
        std::fs::remove_file(&path).ok();
    }
}
