//! `phi-audit.toml`: read → validate every key (all problems at once, each with
//! file, line and key) → [`Settings`].
//!
//! Walking the TOML tree by hand (instead of serde's `deny_unknown_fields`, which
//! stops at the first problem) is what lets us report every unknown key, every
//! bad value and every typo'd rule code in one run, with a suggestion.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use toml_edit::{ImDocument, Item, Table, Value};

use crate::rules::{Severity, registry};

/// Everything rules and the engine can be told by the user.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// ARN globs of PHI resources (`[phi] resources`).
    pub phi_resources: Vec<String>,
    /// Tags that mark PHI resources (`[phi] tags`).
    pub phi_tags: BTreeMap<String, String>,
    /// Vetted partner/vendor accounts (`[accounts] known`).
    pub known_accounts: BTreeSet<String>,
    pub access_key_max_age_days: u32,
    pub unused_days: u32,
    pub max_session_seconds: u32,
    pub tag_owner: String,
    pub tag_purpose: String,
    pub tag_break_glass: String,
    /// Role/user name globs (case-insensitive) that mark break-glass identities.
    pub break_glass_names: Vec<String>,
    pub severity_overrides: BTreeMap<String, Severity>,
    pub suppressions: Vec<Suppression>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub rule: String,
    pub resource: String,
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<NaiveDate>,
    /// 1-based line in the config file, for messages.
    pub line: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            phi_resources: Vec::new(),
            phi_tags: BTreeMap::new(),
            known_accounts: BTreeSet::new(),
            access_key_max_age_days: 90,
            unused_days: 90,
            max_session_seconds: 3600,
            tag_owner: "owner".into(),
            tag_purpose: "purpose".into(),
            tag_break_glass: "break-glass".into(),
            break_glass_names: vec!["*break-glass*".into(), "*breakglass*".into()],
            severity_overrides: BTreeMap::new(),
            suppressions: Vec::new(),
        }
    }
}

/// One problem in the config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigIssue {
    pub line: usize,
    pub key: String,
    pub message: String,
}

/// All problems in one config file; Display prints one line per problem.
#[derive(Debug)]
pub struct ConfigError {
    pub file: PathBuf,
    pub issues: Vec<ConfigIssue>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.issues.len();
        write!(
            f,
            "{}: {n} configuration error{}",
            self.file.display(),
            if n == 1 { "" } else { "s" }
        )?;
        for i in &self.issues {
            write!(
                f,
                "\n  {}:{}: {}: {}",
                self.file.display(),
                i.line,
                i.key,
                i.message
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

pub const DEFAULT_CONFIG: &str = "phi-audit.toml";

/// Load the config: an explicit `--config` must exist; otherwise `./phi-audit.toml`
/// is used when present, and defaults when not.
pub fn load(explicit: Option<&Path>) -> anyhow::Result<(Settings, Option<PathBuf>)> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let p = PathBuf::from(DEFAULT_CONFIG);
            if !p.is_file() {
                return Ok((Settings::default(), None));
            }
            p
        }
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read config file: {e}", path.display()))?;
    let settings = parse(&text, &path)?;
    Ok((settings, Some(path)))
}

struct Walker<'a> {
    src: &'a str,
    issues: Vec<ConfigIssue>,
}

impl Walker<'_> {
    fn line_of(&self, span: Option<std::ops::Range<usize>>) -> usize {
        span.map(|s| {
            self.src[..s.start.min(self.src.len())]
                .bytes()
                .filter(|&b| b == b'\n')
                .count()
                + 1
        })
        .unwrap_or(1)
    }

    fn push(
        &mut self,
        span: Option<std::ops::Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) {
        let line = self.line_of(span);
        self.issues.push(ConfigIssue {
            line,
            key: key.into(),
            message: message.into(),
        });
    }

    /// Report keys of `table` that are not in `known`.
    fn unknown_keys(&mut self, table: &Table, prefix: &str, known: &[&str]) {
        for (k, _) in table.iter() {
            if !known.contains(&k) {
                let span = table.key(k).and_then(|key| key.span());
                let hint = nearest(k, known.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                self.push(
                    span,
                    format!("{prefix}{k}"),
                    format!("unknown key (expected one of: {}){hint}", known.join(", ")),
                );
            }
        }
    }

    fn table<'t>(&mut self, item: &'t Item, key: &str) -> Option<&'t Table> {
        match item.as_table() {
            Some(t) => Some(t),
            None => {
                self.push(item.span(), key, "expected a table");
                None
            }
        }
    }

    fn string(&mut self, item: &Item, key: &str) -> Option<String> {
        match item.as_str() {
            Some(s) if !s.trim().is_empty() => Some(s.to_string()),
            Some(_) => {
                self.push(item.span(), key, "must not be empty");
                None
            }
            None => {
                self.push(
                    item.span(),
                    key,
                    format!("expected a string, found {}", kind(item)),
                );
                None
            }
        }
    }

    fn strings(&mut self, item: &Item, key: &str) -> Option<Vec<String>> {
        let Some(arr) = item.as_array() else {
            self.push(
                item.span(),
                key,
                format!("expected an array of strings, found {}", kind(item)),
            );
            return None;
        };
        let mut out = Vec::new();
        for (i, v) in arr.iter().enumerate() {
            match v.as_str() {
                Some(s) => out.push(s.to_string()),
                None => self.push(
                    v.span(),
                    format!("{key}[{i}]"),
                    format!("expected a string, found {}", vkind(v)),
                ),
            }
        }
        Some(out)
    }

    fn days(&mut self, item: &Item, key: &str, max: i64) -> Option<u32> {
        match item.as_integer() {
            Some(n) if (1..=max).contains(&n) => Some(n as u32),
            Some(n) => {
                self.push(
                    item.span(),
                    key,
                    format!("must be between 1 and {max}, found {n}"),
                );
                None
            }
            None => {
                self.push(
                    item.span(),
                    key,
                    format!("expected an integer, found {}", kind(item)),
                );
                None
            }
        }
    }
}

fn kind(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(v) => vkind(v),
    }
}

fn vkind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::InlineTable(_) => "an inline table",
    }
}

/// The closest candidate by edit distance, if close enough to be a typo.
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    candidates
        .map(|c| (levenshtein(&w, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

const TOP: &[&str] = &[
    "phi",
    "accounts",
    "thresholds",
    "tags",
    "identities",
    "severity",
    "suppress",
];

/// Parse and validate a config file's text.
pub fn parse(src: &str, file: &Path) -> Result<Settings, ConfigError> {
    let doc = ImDocument::parse(src.to_string()).map_err(|e| {
        let line = e
            .span()
            .map(|s| {
                src[..s.start.min(src.len())]
                    .bytes()
                    .filter(|&b| b == b'\n')
                    .count()
                    + 1
            })
            .unwrap_or(1);
        ConfigError {
            file: file.to_path_buf(),
            issues: vec![ConfigIssue {
                line,
                key: "(syntax)".into(),
                message: e.message().trim().to_string(),
            }],
        }
    })?;
    let mut w = Walker {
        src,
        issues: Vec::new(),
    };
    let mut s = Settings::default();
    let root = doc.as_table();
    w.unknown_keys(root, "", TOP);

    if let Some(item) = root.get("phi")
        && let Some(t) = w.table(item, "phi")
    {
        w.unknown_keys(t, "phi.", &["resources", "tags"]);
        if let Some(v) = t.get("resources")
            && let Some(list) = w.strings(v, "phi.resources")
        {
            for (i, r) in list.iter().enumerate() {
                if !(r == "*" || r.starts_with("arn:")) {
                    w.push(
                        v.span(),
                        format!("phi.resources[{i}]"),
                        format!("{r:?} is not an ARN or ARN glob (e.g. \"arn:aws:s3:::phi-*\")"),
                    );
                }
            }
            s.phi_resources = list;
        }
        if let Some(v) = t.get("tags") {
            match v.as_table_like() {
                Some(tags) => {
                    for (k, val) in tags.iter() {
                        match val.as_str() {
                            Some(x) => {
                                s.phi_tags.insert(k.to_string(), x.to_string());
                            }
                            None => w.push(
                                val.span().or(v.span()),
                                format!("phi.tags.{k}"),
                                format!("expected a string tag value, found {}", kind(val)),
                            ),
                        }
                    }
                }
                None => w.push(
                    v.span(),
                    "phi.tags",
                    format!("expected a table of tag = value, found {}", kind(v)),
                ),
            }
        }
    }

    if let Some(item) = root.get("accounts")
        && let Some(t) = w.table(item, "accounts")
    {
        w.unknown_keys(t, "accounts.", &["known"]);
        if let Some(v) = t.get("known")
            && let Some(list) = w.strings(v, "accounts.known")
        {
            for (i, a) in list.iter().enumerate() {
                if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                    w.push(
                        v.span(),
                        format!("accounts.known[{i}]"),
                        format!("{a:?} is not a 12-digit AWS account id"),
                    );
                } else {
                    s.known_accounts.insert(a.clone());
                }
            }
        }
    }

    if let Some(item) = root.get("thresholds")
        && let Some(t) = w.table(item, "thresholds")
    {
        w.unknown_keys(
            t,
            "thresholds.",
            &[
                "access-key-max-age-days",
                "unused-days",
                "max-session-seconds",
            ],
        );
        if let Some(v) = t.get("access-key-max-age-days") {
            s.access_key_max_age_days = w
                .days(v, "thresholds.access-key-max-age-days", 3650)
                .unwrap_or(s.access_key_max_age_days);
        }
        if let Some(v) = t.get("unused-days") {
            s.unused_days = w
                .days(v, "thresholds.unused-days", 3650)
                .unwrap_or(s.unused_days);
        }
        if let Some(v) = t.get("max-session-seconds") {
            match v.as_integer() {
                Some(n) if (900..=43200).contains(&n) => s.max_session_seconds = n as u32,
                Some(n) => w.push(
                    v.span(),
                    "thresholds.max-session-seconds",
                    format!("must be between 900 and 43200 (IAM's limits), found {n}"),
                ),
                None => w.push(
                    v.span(),
                    "thresholds.max-session-seconds",
                    format!("expected an integer, found {}", kind(v)),
                ),
            }
        }
    }

    if let Some(item) = root.get("tags")
        && let Some(t) = w.table(item, "tags")
    {
        w.unknown_keys(t, "tags.", &["owner", "purpose", "break-glass"]);
        if let Some(v) = t.get("owner") {
            s.tag_owner = w.string(v, "tags.owner").unwrap_or(s.tag_owner);
        }
        if let Some(v) = t.get("purpose") {
            s.tag_purpose = w.string(v, "tags.purpose").unwrap_or(s.tag_purpose);
        }
        if let Some(v) = t.get("break-glass") {
            s.tag_break_glass = w.string(v, "tags.break-glass").unwrap_or(s.tag_break_glass);
        }
    }

    if let Some(item) = root.get("identities")
        && let Some(t) = w.table(item, "identities")
    {
        w.unknown_keys(t, "identities.", &["break-glass-names"]);
        if let Some(v) = t.get("break-glass-names")
            && let Some(list) = w.strings(v, "identities.break-glass-names")
        {
            s.break_glass_names = list;
        }
    }

    if let Some(item) = root.get("severity")
        && let Some(t) = w.table(item, "severity")
    {
        for (code, v) in t.iter() {
            let span = t.key(code).and_then(|k| k.span());
            if registry::doc(code).is_none() {
                let hint = nearest(code, registry::codes())
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                w.push(
                    span,
                    format!("severity.{code}"),
                    format!("unknown rule code{hint}"),
                );
                continue;
            }
            match v.as_str().map(str::parse::<Severity>) {
                Some(Ok(sev)) => {
                    s.severity_overrides.insert(code.to_string(), sev);
                }
                _ => w.push(
                    v.span().or(span),
                    format!("severity.{code}"),
                    "expected one of \"critical\", \"high\", \"medium\", \"low\", \"info\"",
                ),
            }
        }
    }

    if let Some(item) = root.get("suppress") {
        match item.as_array_of_tables() {
            Some(arr) => {
                for (i, t) in arr.iter().enumerate() {
                    let key = format!("suppress[{i}]");
                    let line = w.line_of(t.span());
                    w.unknown_keys(
                        t,
                        &format!("{key}."),
                        &["rule", "resource", "reason", "owner", "expires"],
                    );
                    let rule = t
                        .get("rule")
                        .and_then(|v| w.string(v, &format!("{key}.rule")));
                    if let Some(r) = &rule {
                        if registry::doc(r).is_none() {
                            let hint = nearest(r, registry::codes())
                                .map(|c| format!("; did you mean `{c}`?"))
                                .unwrap_or_default();
                            w.push(
                                t.get("rule").and_then(Item::span),
                                format!("{key}.rule"),
                                format!("unknown rule code {r:?}{hint}"),
                            );
                        }
                    } else if t.get("rule").is_none() {
                        w.push(
                            t.span(),
                            format!("{key}.rule"),
                            "missing: a suppression names the rule it silences",
                        );
                    }
                    let resource = t
                        .get("resource")
                        .and_then(|v| w.string(v, &format!("{key}.resource")));
                    if t.get("resource").is_none() {
                        w.push(
                            t.span(),
                            format!("{key}.resource"),
                            "missing: a suppression names the resource (exact ARN or glob)",
                        );
                    }
                    let reason = t
                        .get("reason")
                        .and_then(|v| w.string(v, &format!("{key}.reason")));
                    if t.get("reason").is_none() {
                        w.push(
                            t.span(),
                            format!("{key}.reason"),
                            "missing: every suppression needs a reason an auditor can read",
                        );
                    }
                    let owner = t
                        .get("owner")
                        .and_then(|v| w.string(v, &format!("{key}.owner")));
                    let expires = t.get("expires").and_then(|v| {
                        let text = match v.as_value() {
                            Some(Value::Datetime(d)) => Some(d.value().to_string()),
                            Some(Value::String(s)) => Some(s.value().clone()),
                            _ => None,
                        };
                        match text
                            .as_deref()
                            .map(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
                        {
                            Some(Ok(d)) => Some(d),
                            _ => {
                                w.push(
                                    v.span(),
                                    format!("{key}.expires"),
                                    "expected a date such as 2027-03-31",
                                );
                                None
                            }
                        }
                    });
                    if let (Some(rule), Some(resource), Some(reason)) = (rule, resource, reason) {
                        s.suppressions.push(Suppression {
                            rule,
                            resource,
                            reason,
                            owner,
                            expires,
                            line,
                        });
                    }
                }
            }
            None => w.push(
                item.span(),
                "suppress",
                "expected [[suppress]] entries (an array of tables)",
            ),
        }
    }

    if w.issues.is_empty() {
        Ok(s)
    } else {
        w.issues
            .sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.key.cmp(&b.key)));
        Err(ConfigError {
            file: file.to_path_buf(),
            issues: w.issues,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Result<Settings, ConfigError> {
        parse(src, Path::new("phi-audit.toml"))
    }

    #[test]
    fn full_example_from_the_interface_contract() {
        let s = p(r#"
[phi]
resources = ["arn:aws:s3:::phi-*", "arn:aws:dynamodb:*:*:table/patients*"]
tags = { DataClassification = "PHI" }

[accounts]
known = ["111122223333"]

[thresholds]
access-key-max-age-days = 90
unused-days = 60
max-session-seconds = 3600

[tags]
owner = "team"
purpose = "purpose"
break-glass = "break-glass"

[severity]
PM004 = "low"

[[suppress]]
rule = "PM001"
resource = "arn:aws:iam::123456789012:policy/legacy-etl"
reason = "ETL reads a scoped prefix via bucket policy; replaced in Q1"
owner = "data-platform@example.org"
expires = "2027-03-31"
"#)
        .unwrap();
        assert_eq!(s.phi_resources.len(), 2);
        assert_eq!(s.phi_tags["DataClassification"], "PHI");
        assert!(s.known_accounts.contains("111122223333"));
        assert_eq!(s.unused_days, 60);
        assert_eq!(s.tag_owner, "team");
        assert_eq!(s.severity_overrides["PM004"], Severity::Low);
        assert_eq!(
            s.suppressions[0].expires,
            NaiveDate::from_ymd_opt(2027, 3, 31)
        );
        assert_eq!(
            s.suppressions[0].line, 22,
            "line of the [[suppress]] header"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once_with_line_and_key() {
        let e = p(r#"[phi]
resource = ["arn:aws:s3:::phi-*"]

[accounts]
known = ["1234"]

[thresholds]
unused-days = "ninety"

[severity]
PM01 = "high"
PM004 = "urgent"

[[suppress]]
rule = "PM001"
resource = "*"

[colour]
x = 1
"#)
        .unwrap_err();
        let got: Vec<(usize, &str)> = e.issues.iter().map(|i| (i.line, i.key.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (2, "phi.resource"),
                (5, "accounts.known[0]"),
                (8, "thresholds.unused-days"),
                (11, "severity.PM01"),
                (12, "severity.PM004"),
                (14, "suppress[0].reason"),
                (18, "colour"),
            ]
        );
        let text = e.to_string();
        assert!(
            text.starts_with("phi-audit.toml: 7 configuration errors"),
            "{text}"
        );
        assert!(text.contains("did you mean `resources`?"), "{text}");
        assert!(
            text.contains(
                "phi-audit.toml:11: severity.PM01: unknown rule code; did you mean `PM001`?"
            ),
            "{text}"
        );
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let e = p("[phi]\nresources = [\n").unwrap_err();
        assert_eq!(e.issues.len(), 1);
        assert_eq!(e.issues[0].key, "(syntax)");
    }

    #[test]
    fn empty_config_is_defaults() {
        assert_eq!(p("").unwrap(), Settings::default());
    }
}
