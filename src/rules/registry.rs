//! The rule registry: one line per rule, its doc embedded at compile time.
//!
//! `rules/<CODE>.md` is the single source of a rule's metadata (name, default
//! severity, controls, summary in TOML front matter) and prose (What it does /
//! Why it matters for PHI / Example / Remediation). `phi-audit rules`,
//! `phi-audit explain`, JSON findings, SARIF help and the README table all read
//! it from here.

use std::sync::OnceLock;

use serde::Deserialize;

use super::{
    CheckFn, Need, Severity, boundaries, credentials, escalation, governance, monitoring,
    organization, permissions, trust,
};
use crate::snapshot::Source::{
    AccessAnalyzer as ANALYZER, CloudTrail as TRAILS, Organization as ORG,
    ServiceControlPolicies as SCPS,
};
use crate::snapshot::Source::{
    AccountSummary as SUMMARY, AuthorizationDetails as AUTHZ, CredentialReport as CREDS,
    PasswordPolicy as PWPOLICY, RoleDetails as ROLE_DETAILS,
};

pub struct Rule {
    pub code: &'static str,
    pub family: &'static str,
    pub needs: &'static [Need],
    pub check: CheckFn,
    source: &'static str,
}

macro_rules! rule {
    ($code:literal, $family:literal, $check:path, [$($need:expr),*]) => {
        Rule {
            code: $code,
            family: $family,
            needs: &[$($need),*],
            check: $check,
            source: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $code, ".md")),
        }
    };
}

use Need::{Partial, Required};

pub static RULES: &[Rule] = &[
    rule!(
        "CR001",
        "credentials",
        credentials::cr001_iam_user_access_key,
        [Required(CREDS), Partial(AUTHZ)]
    ),
    rule!(
        "CR002",
        "credentials",
        credentials::cr002_access_key_not_rotated,
        [Required(CREDS)]
    ),
    rule!(
        "CR003",
        "credentials",
        credentials::cr003_unused_credential,
        [Required(CREDS)]
    ),
    rule!(
        "CR004",
        "credentials",
        credentials::cr004_console_user_without_mfa,
        [Required(CREDS)]
    ),
    rule!(
        "CR005",
        "credentials",
        credentials::cr005_root_access_key,
        [Required(SUMMARY)]
    ),
    rule!(
        "CR006",
        "credentials",
        credentials::cr006_root_without_mfa,
        [Required(SUMMARY)]
    ),
    rule!(
        "CR007",
        "credentials",
        credentials::cr007_weak_password_policy,
        [Required(PWPOLICY)]
    ),
    rule!(
        "PM001",
        "permissions",
        permissions::pm001_wildcard_resource_on_phi_data,
        [Required(AUTHZ)]
    ),
    rule!(
        "PM002",
        "permissions",
        permissions::pm002_admin_on_workload,
        [Required(AUTHZ), Partial(CREDS)]
    ),
    rule!(
        "PM003",
        "permissions",
        permissions::pm003_standing_admin,
        [Required(AUTHZ), Partial(CREDS)]
    ),
    rule!(
        "PM004",
        "permissions",
        permissions::pm004_allow_not_action,
        [Required(AUTHZ)]
    ),
    rule!(
        "PM005",
        "permissions",
        permissions::pm005_allow_not_resource,
        [Required(AUTHZ)]
    ),
    rule!(
        "PM006",
        "permissions",
        permissions::pm006_passrole_wildcard,
        [Required(AUTHZ)]
    ),
    rule!(
        "PM007",
        "permissions",
        escalation::pm007_privilege_escalation,
        [Required(AUTHZ), Partial(SCPS)]
    ),
    rule!(
        "PM008",
        "permissions",
        permissions::pm008_service_wildcard_on_phi_service,
        [Required(AUTHZ)]
    ),
    rule!(
        "TR001",
        "trust",
        trust::tr001_shared_workload_role,
        [Required(AUTHZ)]
    ),
    rule!(
        "TR002",
        "trust",
        trust::tr002_cross_account_trust_without_external_id,
        [Required(AUTHZ)]
    ),
    rule!(
        "TR003",
        "trust",
        trust::tr003_wildcard_principal_trust,
        [Required(AUTHZ)]
    ),
    rule!(
        "TR004",
        "trust",
        trust::tr004_unknown_external_account_trust,
        [Required(AUTHZ)]
    ),
    rule!(
        "TR005",
        "trust",
        trust::tr005_long_session_on_privileged_role,
        [Required(AUTHZ), Partial(ROLE_DETAILS)]
    ),
    rule!(
        "TR006",
        "trust",
        trust::tr006_break_glass_without_mfa,
        [Required(AUTHZ)]
    ),
    rule!(
        "BD001",
        "boundaries",
        boundaries::bd001_human_role_without_boundary,
        [Required(AUTHZ), Partial(CREDS)]
    ),
    rule!(
        "BD002",
        "boundaries",
        boundaries::bd002_boundary_allows_phi,
        [Required(AUTHZ), Partial(CREDS)]
    ),
    rule!(
        "OG001",
        "organization",
        organization::og001_scp_guardrail_missing,
        [Required(ORG), Required(SCPS)]
    ),
    rule!(
        "OG002",
        "organization",
        organization::og002_not_in_organization,
        [Required(ORG)]
    ),
    rule!(
        "MN001",
        "monitoring",
        monitoring::mn001_access_analyzer_disabled,
        [Required(ANALYZER)]
    ),
    rule!(
        "MN002",
        "monitoring",
        monitoring::mn002_access_analyzer_active_finding,
        [Required(ANALYZER)]
    ),
    rule!(
        "MN003",
        "monitoring",
        monitoring::mn003_unused_role,
        [Required(AUTHZ)]
    ),
    rule!(
        "MN004",
        "monitoring",
        monitoring::mn004_cloudtrail_not_logging,
        [Required(TRAILS)]
    ),
    rule!(
        "GV001",
        "governance",
        governance::gv001_identity_without_owner,
        [Required(AUTHZ)]
    ),
    rule!(
        "GV002",
        "governance",
        governance::gv002_policy_attached_to_user,
        [Required(AUTHZ)]
    ),
    // Emitted by the engine's suppression pass (src/suppress.rs), not by a check.
    rule!(
        "SP001",
        "suppression hygiene",
        crate::suppress::emitted_by_engine,
        []
    ),
    rule!(
        "SP002",
        "suppression hygiene",
        crate::suppress::emitted_by_engine,
        []
    ),
];

/// Family prefix → human name, for `phi-audit rules` and reports.
pub const FAMILIES: &[(&str, &str)] = &[
    ("CR", "credentials"),
    ("PM", "permissions"),
    ("TR", "trust"),
    ("BD", "boundaries"),
    ("OG", "organization"),
    ("MN", "monitoring"),
    ("GV", "governance"),
    ("SP", "suppression hygiene"),
];

#[derive(Debug)]
pub struct RuleDoc {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub controls: Vec<&'static str>,
    pub summary: &'static str,
    /// The markdown body (everything after the front matter).
    pub body: &'static str,
    /// The first paragraph of the Remediation section: one sentence.
    pub remediation: &'static str,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    code: String,
    name: String,
    severity: String,
    controls: Vec<String>,
    summary: String,
}

pub const SECTIONS: [&str; 4] = [
    "What it does",
    "Why it matters for PHI",
    "Example",
    "Remediation",
];

/// Parse a rule doc. Errors are for the registry test; shipped docs always parse.
pub fn parse_doc(source: &'static str) -> Result<RuleDoc, String> {
    let rest = source
        .strip_prefix("+++\n")
        .ok_or("doc must start with a `+++` front matter line")?;
    let end = rest
        .find("\n+++\n")
        .ok_or("front matter is not closed with `+++`")?;
    let (front, body) = (&rest[..end], &rest[end + 5..]);
    let fm: FrontMatter = toml::from_str(front).map_err(|e| format!("front matter: {e}"))?;
    let severity: Severity = fm.severity.parse()?;
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let remediation = section(body, "Remediation")
        .ok_or("missing ## Remediation")?
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty())
        .ok_or("empty Remediation")?;
    Ok(RuleDoc {
        code: leak(fm.code),
        name: leak(fm.name),
        severity,
        controls: fm.controls.into_iter().map(leak).collect(),
        summary: leak(fm.summary),
        body,
        remediation: leak(remediation.split_whitespace().collect::<Vec<_>>().join(" ")),
    })
}

/// The text of a `## title` section, up to the next `## ` heading.
pub fn section<'a>(body: &'a str, title: &str) -> Option<&'a str> {
    let heading = format!("## {title}\n");
    let start = body.find(&heading)? + heading.len();
    let rest = &body[start..];
    let end = rest.find("\n## ").map(|i| i + 1).unwrap_or(rest.len());
    Some(&rest[..end])
}

fn docs() -> &'static [RuleDoc] {
    static DOCS: OnceLock<Vec<RuleDoc>> = OnceLock::new();
    DOCS.get_or_init(|| {
        RULES
            .iter()
            .map(|r| {
                // The registry test parses every doc; a broken doc cannot ship.
                parse_doc(r.source).unwrap_or_else(|e| panic!("rules/{}.md: {e}", r.code))
            })
            .collect()
    })
}

impl Rule {
    pub fn doc(&self) -> &'static RuleDoc {
        let i = RULES
            .iter()
            .position(|r| r.code == self.code)
            .expect("rule is in the registry");
        &docs()[i]
    }

    pub fn source(&self) -> &'static str {
        self.source
    }
}

pub fn find(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code.eq_ignore_ascii_case(code))
}

pub fn doc(code: &str) -> Option<&'static RuleDoc> {
    find(code).map(Rule::doc)
}

pub fn codes() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.code)
}
