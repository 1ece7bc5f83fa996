//! Write a synthetic large-account authorization-details file (AWS CLI shape).
//!
//! ```text
//! cargo run --release --example gen_synthetic -- [--roles N] [--users N] [--policies N] [--seed N] OUT.json
//! ```
//! Defaults: 5000 roles, 1000 users, 3000 policies, seed 42 (about 10 MB). The output is compact
//! JSON and identical for identical arguments.

#[path = "../benches/synthetic.rs"]
mod synthetic;

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str =
    "usage: gen_synthetic [--roles N] [--users N] [--policies N] [--seed N] OUT.json";

struct Args {
    roles: usize,
    users: usize,
    policies: usize,
    seed: u64,
    out: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        roles: 5000,
        users: 1000,
        policies: 3000,
        seed: 42,
        out: String::new(),
    };
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if a.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        let number = |name: &str, v: String| -> Result<u64, String> {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: not a non-negative integer: {v:?}\n{USAGE}"))
        };
        match flag.as_str() {
            "--roles" => args.roles = number("--roles", value("--roles")?)? as usize,
            "--users" => args.users = number("--users", value("--users")?)? as usize,
            "--policies" => args.policies = number("--policies", value("--policies")?)? as usize,
            "--seed" => args.seed = number("--seed", value("--seed")?)?,
            "-h" | "--help" => return Err(USAGE.to_string()),
            f if f.starts_with('-') && f != "-" => {
                return Err(format!("unknown option {f}\n{USAGE}"));
            }
            _ => {
                if out.replace(a).is_some() {
                    return Err(format!("more than one output file\n{USAGE}"));
                }
            }
        }
    }
    args.out = out.ok_or_else(|| format!("missing OUT.json\n{USAGE}"))?;
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let doc = synthetic::generate(args.roles, args.users, args.policies, args.seed);
    let generated = start.elapsed();
    let bytes = match serde_json::to_vec(&doc) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("serialize: {e}");
            return ExitCode::from(2);
        }
    };
    let write = if args.out == "-" {
        std::io::stdout().lock().write_all(&bytes)
    } else {
        std::fs::write(&args.out, &bytes)
    };
    if let Err(e) = write {
        eprintln!("{}: {e}", args.out);
        return ExitCode::from(2);
    }
    eprintln!(
        "wrote {} ({} bytes): {} roles, {} users, {} groups, {} policies, seed {}; generated in {:.0?}, total {:.0?}",
        args.out,
        bytes.len(),
        doc["RoleDetailList"].as_array().map_or(0, Vec::len),
        doc["UserDetailList"].as_array().map_or(0, Vec::len),
        doc["GroupDetailList"].as_array().map_or(0, Vec::len),
        doc["Policies"].as_array().map_or(0, Vec::len),
        args.seed,
        generated,
        start.elapsed(),
    );
    ExitCode::SUCCESS
}
