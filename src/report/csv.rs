//! `--format csv`: one row per finding (suppressed and baselined ones included,
//! flagged), for spreadsheets. RFC 4180: comma-separated, CRLF line ends, a
//! field that contains a comma, a double quote, CR or LF is enclosed in double
//! quotes with inner quotes doubled. UTF-8, no byte-order mark.
//!
//! A cell that begins with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so
//! a spreadsheet does not run it as a formula (OWASP's advice on CSV injection):
//! messages quote IAM names, which may contain `=`, `+` and `@`.

use super::{Emitter, RenderOptions, Report};
use crate::rules::Finding;

pub struct Csv;

pub const HEADER: [&str; 14] = [
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
    "suppression_expires",
];

/// One field, quoted when RFC 4180 requires it.
pub fn field(raw: &str) -> String {
    let guarded;
    let s = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{raw}");
        guarded.as_str()
    } else {
        raw
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn row(f: &Finding) -> [String; 14] {
    let s = f.suppressed.as_ref();
    [
        f.rule.to_string(),
        f.name.to_string(),
        f.severity.to_string(),
        f.resource.clone(),
        f.resource_type.to_string(),
        f.message.clone(),
        f.controls.join("; "),
        f.remediation.to_string(),
        f.fingerprint.clone(),
        s.is_some().to_string(),
        f.baselined.to_string(),
        s.map(|s| s.reason.clone()).unwrap_or_default(),
        s.and_then(|s| s.owner.clone()).unwrap_or_default(),
        s.and_then(|s| s.expires.clone()).unwrap_or_default(),
    ]
}

fn write_row<S: AsRef<str>>(out: &mut dyn std::io::Write, cells: &[S]) -> std::io::Result<()> {
    let line: Vec<String> = cells.iter().map(|c| field(c.as_ref())).collect();
    write!(out, "{}\r\n", line.join(","))
}

impl Emitter for Csv {
    fn emit(
        &self,
        report: &Report,
        _opts: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        write_row(out, &HEADER)?;
        for f in &report.findings {
            write_row(out, &row(f))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(field("plain text"), "plain text");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\rlf"), "\"cr\rlf\"");
        assert_eq!(field(""), "");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("a=b"), "a=b");
    }
}
