//! Load + evaluate benchmark on synthetic large accounts (`cargo bench --bench scan`).
//!
//! The target from the project brief: an account of 5,000 roles, 1,000 users and
//! 3,000 policies (~10 MB of authorization details) loads and evaluates in well
//! under a second in release mode. A 5x account (~54 MB) checks that loading
//! scales linearly. Prints min / median / max over several runs per phase.
//! Timing lives here, not in tests: a loaded CI machine must not fail the suite.

mod synthetic;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use phi_audit::config::Settings;
use phi_audit::inventory::Inventory;
use phi_audit::rules::{Selection, evaluate};
use phi_audit::snapshot::load_authz_details;

fn dataset(roles: usize, users: usize, policies: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("create target/bench-data");
    let path = dir.join(format!("synthetic-{roles}r-{users}u-{policies}p.json"));
    if !path.exists() {
        let doc = synthetic::generate(roles, users, policies, 42);
        std::fs::write(&path, serde_json::to_vec(&doc).expect("serialize")).expect("write dataset");
    }
    path
}

fn stats(mut d: Vec<Duration>) -> String {
    d.sort();
    let ms = |x: Duration| x.as_secs_f64() * 1000.0;
    format!(
        "min {:7.1} ms  median {:7.1} ms  max {:7.1} ms",
        ms(d[0]),
        ms(d[d.len() / 2]),
        ms(d[d.len() - 1])
    )
}

fn bench(label: &str, roles: usize, users: usize, policies: usize, runs: usize) {
    let path = dataset(roles, users, policies);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let settings = Settings::default();
    let selection = Selection::default();
    let (mut load, mut index, mut eval, mut total) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut findings = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        let snap = load_authz_details(std::slice::from_ref(&path), None).expect("load");
        let t1 = Instant::now();
        let inv = Inventory::build(&snap).expect("inventory");
        let t2 = Instant::now();
        let result = evaluate(&snap, &inv, &settings, &selection);
        let t3 = Instant::now();
        findings = result.findings.len();
        load.push(t1 - t0);
        index.push(t2 - t1);
        eval.push(t3 - t2);
        total.push(t3 - t0);
    }
    println!(
        "{label}: {roles} roles, {users} users, {policies} policies, {:.1} MB, {findings} findings, {runs} runs",
        size as f64 / 1e6
    );
    println!("  load (read + parse + decode + validate)  {}", stats(load));
    println!(
        "  inventory (index + parse documents)      {}",
        stats(index)
    );
    println!("  evaluate (all rules)                     {}", stats(eval));
    println!(
        "  total                                    {}",
        stats(total)
    );
}

/// The policy evaluation engine on its own: PM007 over every principal, then the
/// "who can reach PHI" matrix for three selectors (the target: < 2 s together).
fn bench_engine(roles: usize, users: usize, policies: usize, runs: usize) {
    let path = dataset(roles, users, policies);
    let snap = load_authz_details(std::slice::from_ref(&path), None).expect("load");
    let inv = Inventory::build(&snap).expect("inventory");
    let settings = Settings {
        phi_resources: vec![
            "arn:aws:s3:::phi-*".into(),
            "arn:aws:dynamodb:*:*:table/patients*".into(),
            "arn:aws:kms:*:*:key/*".into(),
        ],
        ..Settings::default()
    };
    let pm007 = Selection {
        select: vec!["PM007".into()],
        ignore: Vec::new(),
    };
    let (mut esc, mut matrix, mut both) = (Vec::new(), Vec::new(), Vec::new());
    let (mut findings, mut rows) = (0, 0);
    for _ in 0..runs {
        let t0 = Instant::now();
        let result = evaluate(&snap, &inv, &settings, &pm007);
        let t1 = Instant::now();
        let m = phi_audit::access::build(&snap, &inv, &settings, &Default::default())
            .expect("access matrix");
        let t2 = Instant::now();
        findings = result.findings.len();
        rows = m.rows.len();
        esc.push(t1 - t0);
        matrix.push(t2 - t1);
        both.push(t2 - t0);
    }
    println!(
        "policy engine: {roles} roles, {users} users, {findings} PM007 findings, {rows} access rows, {runs} runs"
    );
    println!(
        "  PM007 privilege escalation (all principals) {}",
        stats(esc)
    );
    println!(
        "  access matrix (3 PHI selectors)            {}",
        stats(matrix)
    );
    println!(
        "  together (target < 2 s)                    {}",
        stats(both)
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful either.
    let quick = std::env::args().any(|a| a == "--quick");
    bench(
        "synthetic account (brief target)",
        5000,
        1000,
        3000,
        if quick { 2 } else { 10 },
    );
    bench_engine(5000, 1000, 3000, if quick { 2 } else { 5 });
    if !quick {
        bench("large export (5x)", 25_000, 5000, 15_000, 3);
    }
}
