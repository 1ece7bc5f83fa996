//! Credentials (CR): long-lived keys, unused credentials, MFA, the root user and
//! the password policy. See `rules/CR*.md` for each rule.
//!
//! The data comes from the credential report (one row per user, plus
//! `<root_account>` when AWS includes it), GetAccountSummary, GetAccountPasswordPolicy,
//! and, when the snapshot has them, ListAccessKeys (key ids, status, last use) and
//! ListVirtualMFADevices. Every age is measured from the snapshot's `collected_at`,
//! never from the clock, so every run over one snapshot agrees.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::phi::phi_actions;
use super::{Context, Hit, Severity};
use crate::inventory::{Inventory, PrincipalRef};
use crate::snapshot::{AccessKeyInfo, CredentialRow, PasswordPolicy, ReportTime, Source};

const USER_TYPE: &str = "AWS::IAM::User";
const ACCOUNT_TYPE: &str = "AWS::::Account";

/// CR007's thresholds (RULES.md).
pub const MIN_PASSWORD_LENGTH: i64 = 14;
pub const MIN_PASSWORD_REUSE_PREVENTION: i64 = 24;
pub const MAX_PASSWORD_AGE_DAYS: i64 = 90;

/// How far a ListAccessKeys `CreateDate` may be from the report's `last_rotated` and
/// still be the same key (both are second-precision copies of one timestamp).
const SAME_KEY_TOLERANCE_SECONDS: i64 = 60;

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn at(t: ReportTime) -> Option<DateTime<Utc>> {
    match t {
        ReportTime::At(t) => Some(t),
        ReportTime::Never | ReportTime::NoInformation => None,
    }
}

/// A report time as evidence: the timestamp, or AWS's marker as written.
fn report_time_json(raw: &str) -> Value {
    match CredentialRow::time(raw) {
        ReportTime::At(t) => json!(ts(t)),
        _ if raw.is_empty() => Value::Null,
        _ => json!(raw),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `arn:<partition>:iam::<account>:root`: what account-level findings are about.
pub fn account_arn(ctx: &Context<'_>) -> String {
    format!(
        "arn:{}:iam::{}:root",
        ctx.snapshot.account.partition, ctx.snapshot.account.id
    )
}

/// The users' rows of the credential report (the root row excluded), in report order.
fn user_rows<'a>(ctx: &'a Context<'_>) -> impl Iterator<Item = &'a CredentialRow> {
    ctx.snapshot
        .credential_report
        .iter()
        .flat_map(|r| r.rows.iter())
        .filter(|r| !r.is_root())
}

fn report_generated(ctx: &Context<'_>) -> Value {
    ctx.snapshot
        .credential_report
        .as_ref()
        .and_then(|r| r.generated_time)
        .map_or(Value::Null, |t| json!(ts(t)))
}

// ---------------------------------------------------------------------------
// Access-key slots
// ---------------------------------------------------------------------------

/// One access-key slot (`access_key_1` / `access_key_2`) of a credential-report row,
/// joined with the key ListAccessKeys describes, when the snapshot has it.
#[derive(Clone, Debug)]
pub struct KeySlot<'a> {
    pub slot: u8,
    /// The report's `access_key_N_active`, unless ListAccessKeys (collected with the
    /// same snapshot, and fresher: the report may be up to four hours old) says otherwise.
    pub active: bool,
    /// The report's `access_key_N_active` as written.
    pub report_active: bool,
    pub last_rotated: ReportTime,
    pub report_last_used: ReportTime,
    pub last_used_service: &'a str,
    pub last_used_region: &'a str,
    pub info: Option<&'a AccessKeyInfo>,
}

impl KeySlot<'_> {
    /// Does the slot hold a key at all (active or not)?
    pub fn exists(&self) -> bool {
        self.report_active || self.info.is_some() || matches!(self.last_rotated, ReportTime::At(_))
    }

    /// `access_key_1`: the report's column prefix, used in evidence and discriminators.
    pub fn column(&self) -> String {
        format!("access_key_{}", self.slot)
    }

    /// When the key was created (or last rotated).
    pub fn created(&self) -> Option<DateTime<Utc>> {
        at(self.last_rotated).or_else(|| self.info.and_then(|k| k.create_date))
    }

    /// The latest recorded use, from the report or GetAccessKeyLastUsed.
    pub fn last_used(&self) -> Option<DateTime<Utc>> {
        let report = at(self.report_last_used);
        let api = self.info.and_then(|k| k.last_used_date);
        report.max(api)
    }

    pub fn key_id(&self) -> Option<&str> {
        self.info.map(|k| k.access_key_id.as_str())
    }

    /// "access key AKIA… (slot 1)" or "access key in slot 1".
    pub fn label(&self) -> String {
        match self.key_id() {
            Some(id) => format!("access key {id} (slot {})", self.slot),
            None => format!("access key in slot {}", self.slot),
        }
    }

    fn last_used_text(&self) -> String {
        match self.last_used() {
            Some(t) => format!("last used {}", day(t)),
            None => "never used".into(),
        }
    }

    pub fn evidence(&self) -> Value {
        let mut m = Map::new();
        m.insert("slot".into(), json!(self.column()));
        if let Some(id) = self.key_id() {
            m.insert("access_key_id".into(), json!(id));
        }
        m.insert("active".into(), json!(self.active));
        if self.active != self.report_active {
            m.insert(
                "note".into(),
                json!(format!(
                    "the credential report says active={}, ListAccessKeys says {}; the report can lag by up to four hours",
                    self.report_active,
                    self.info.map_or("", |k| k.status.as_str())
                )),
            );
        }
        m.insert("created".into(), json!(self.created().map(ts)));
        m.insert(
            "last_used".into(),
            match self.last_used() {
                Some(t) => json!(ts(t)),
                None => json!(match self.report_last_used {
                    ReportTime::NoInformation => "no_information",
                    _ => "never",
                }),
            },
        );
        // Service and region of the latest use: GetAccessKeyLastUsed's when it is the newer record.
        let api_newer = self
            .info
            .and_then(|k| k.last_used_date)
            .is_some_and(|t| at(self.report_last_used).is_none_or(|r| t >= r));
        let (service, region) = match self.info {
            Some(k) if api_newer => (
                k.last_used_service.as_deref().unwrap_or(""),
                k.last_used_region.as_deref().unwrap_or(""),
            ),
            _ => (self.last_used_service, self.last_used_region),
        };
        for (name, v) in [("last_used_service", service), ("last_used_region", region)] {
            if !matches!(v, "" | "N/A") {
                m.insert(name.into(), json!(v));
            }
        }
        Value::Object(m)
    }
}

/// A row's two key slots, each joined with its ListAccessKeys entry: by creation time
/// (the report's `last_rotated` is the key's `CreateDate`), else by position when the
/// user has exactly as many unmatched keys as unmatched slots (slot 1 is the older key).
pub fn key_slots<'a>(row: &'a CredentialRow, keys: &'a [AccessKeyInfo]) -> [KeySlot<'a>; 2] {
    let mut mine: Vec<&AccessKeyInfo> = keys.iter().filter(|k| k.user_name == row.user).collect();
    mine.sort_by(|a, b| {
        a.create_date
            .cmp(&b.create_date)
            .then_with(|| a.access_key_id.cmp(&b.access_key_id))
    });
    let mut slots = [
        KeySlot {
            slot: 1,
            active: CredentialRow::flag(&row.access_key_1_active),
            report_active: CredentialRow::flag(&row.access_key_1_active),
            last_rotated: CredentialRow::time(&row.access_key_1_last_rotated),
            report_last_used: CredentialRow::time(&row.access_key_1_last_used_date),
            last_used_service: &row.access_key_1_last_used_service,
            last_used_region: &row.access_key_1_last_used_region,
            info: None,
        },
        KeySlot {
            slot: 2,
            active: CredentialRow::flag(&row.access_key_2_active),
            report_active: CredentialRow::flag(&row.access_key_2_active),
            last_rotated: CredentialRow::time(&row.access_key_2_last_rotated),
            report_last_used: CredentialRow::time(&row.access_key_2_last_used_date),
            last_used_service: &row.access_key_2_last_used_service,
            last_used_region: &row.access_key_2_last_used_region,
            info: None,
        },
    ];
    let mut taken = vec![false; mine.len()];
    for s in slots.iter_mut() {
        let Some(rotated) = at(s.last_rotated) else {
            continue;
        };
        let best = mine
            .iter()
            .enumerate()
            .filter(|(i, _)| !taken[*i])
            .filter_map(|(i, k)| {
                let d = (k.create_date? - rotated).num_seconds().abs();
                (d <= SAME_KEY_TOLERANCE_SECONDS).then_some((d, i))
            })
            .min();
        if let Some((_, i)) = best {
            taken[i] = true;
            s.info = Some(mine[i]);
        }
    }
    let open: Vec<usize> = (0..2)
        .filter(|&i| slots[i].info.is_none() && slots[i].exists())
        .collect();
    let left: Vec<usize> = (0..mine.len()).filter(|&i| !taken[i]).collect();
    if !open.is_empty() && open.len() == left.len() {
        for (&s, &k) in open.iter().zip(&left) {
            slots[s].info = Some(mine[k]);
        }
    }
    for s in slots.iter_mut() {
        if let Some(k) = s.info {
            s.active = k.status.eq_ignore_ascii_case("Active");
        }
    }
    slots
}

fn slots_of<'a>(ctx: &'a Context<'_>, row: &'a CredentialRow) -> [KeySlot<'a>; 2] {
    key_slots(row, ctx.snapshot.access_keys.as_deref().unwrap_or(&[]))
}

// ---------------------------------------------------------------------------
// CR001 iam-user-access-key
// ---------------------------------------------------------------------------

/// One policy through which a user reaches PHI data actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhiGrant {
    /// Managed policy ARN, or `owner-arn#inline-name`.
    pub policy: String,
    /// "policy billing-batch-access", "inline policy sftp-drop of user x".
    pub label: String,
    /// "user" (held directly) or "group <name>".
    pub via: String,
    pub statements: Vec<usize>,
    /// PHI data actions the policy's Allow statements cover, sorted.
    pub actions: Vec<String>,
}

/// The PHI data actions a user's policies allow: its own attached and inline policies
/// and its groups'. Allow statements only, any resource (the question is whether the
/// key can reach patient data at all, not where). `AdministratorAccess` attached
/// without its document in the input still counts.
pub fn phi_grants(inv: &Inventory, ui: usize) -> Vec<PhiGrant> {
    let user = &inv.users[ui];
    let holders = std::iter::once((PrincipalRef::User(ui), "user".to_string())).chain(
        user.groups.iter().map(|&gi| {
            (
                PrincipalRef::Group(gi),
                format!("group {}", inv.groups[gi].name),
            )
        }),
    );
    let mut out = Vec::new();
    for (who, via) in holders {
        for held in inv.own_policies(who) {
            let mut statements = Vec::new();
            let mut actions = BTreeSet::new();
            for stmt in held.document.statements.iter().filter(|s| s.is_allow()) {
                let covered: Vec<&str> = phi_actions()
                    .iter()
                    .filter(|a| stmt.covers_action(&a.action))
                    .map(|a| a.action.as_str())
                    .collect();
                if !covered.is_empty() {
                    statements.push(stmt.index);
                    actions.extend(covered.into_iter().map(String::from));
                }
            }
            if !actions.is_empty() {
                out.push(PhiGrant {
                    policy: held.id(),
                    label: held.label(inv),
                    via: via.clone(),
                    statements,
                    actions: actions.into_iter().collect(),
                });
            }
        }
        for arn in inv.attached_arns(who) {
            let admin =
                arn.starts_with("arn:") && arn.ends_with(":iam::aws:policy/AdministratorAccess");
            if admin && inv.policy(arn).is_none_or(|p| p.document.is_none()) {
                out.push(PhiGrant {
                    policy: arn.clone(),
                    label: "AWS managed policy AdministratorAccess (document not in the input)"
                        .into(),
                    via: via.clone(),
                    statements: Vec::new(),
                    actions: vec!["*".into()],
                });
            }
        }
    }
    out
}

fn grants_json(grants: &[PhiGrant]) -> Value {
    const SHOWN: usize = 8;
    Value::Array(
        grants
            .iter()
            .map(|g| {
                let mut m = Map::new();
                m.insert("policy".into(), json!(g.policy));
                m.insert("via".into(), json!(g.via));
                if !g.statements.is_empty() {
                    m.insert("statements".into(), json!(g.statements));
                }
                m.insert(
                    "phi_actions".into(),
                    json!(g.actions.iter().take(SHOWN).collect::<Vec<_>>()),
                );
                if g.actions.len() > SHOWN {
                    m.insert("phi_action_count".into(), json!(g.actions.len()));
                }
                Value::Object(m)
            })
            .collect(),
    )
}

/// Whether a user's PHI reach is known, and through what.
enum PhiReach {
    Yes(Vec<PhiGrant>),
    No,
    Unknown(&'static str),
}

fn phi_reach(ctx: &Context<'_>, by_name: &HashMap<&str, usize>, user: &str) -> PhiReach {
    if !ctx.snapshot.source_ok(Source::AuthorizationDetails) {
        return PhiReach::Unknown(
            "authorization details were not collected, so the user's policies are unknown",
        );
    }
    let Some(&ui) = by_name.get(user) else {
        return PhiReach::Unknown(
            "the user is in the credential report but not in the authorization details (created or deleted between the two calls?)",
        );
    };
    let grants = phi_grants(ctx.inv, ui);
    if grants.is_empty() {
        PhiReach::No
    } else {
        PhiReach::Yes(grants)
    }
}

pub fn cr001_iam_user_access_key(ctx: &Context<'_>) -> Vec<Hit> {
    let by_name: HashMap<&str, usize> = ctx
        .inv
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.name.as_str(), i))
        .collect();
    let mut hits = Vec::new();
    for row in user_rows(ctx) {
        let slots = slots_of(ctx, row);
        let active: Vec<&KeySlot<'_>> = slots.iter().filter(|s| s.active).collect();
        if active.is_empty() {
            continue;
        }
        let keys_text = active
            .iter()
            .map(|s| match s.key_id() {
                Some(id) => format!("{id} in slot {}, {}", s.slot, s.last_used_text()),
                None => format!("slot {}, {}", s.slot, s.last_used_text()),
            })
            .collect::<Vec<_>>()
            .join("; ");
        let console = CredentialRow::flag(&row.password_enabled);
        let mut evidence = Map::new();
        evidence.insert("user".into(), json!(row.arn));
        evidence.insert("user_name".into(), json!(row.user));
        evidence.insert("console_password".into(), json!(console));
        evidence.insert(
            "active_keys".into(),
            Value::Array(active.iter().map(|s| s.evidence()).collect()),
        );
        let (severity, tail) = match phi_reach(ctx, &by_name, &row.user) {
            PhiReach::Yes(grants) => {
                let mut labels: Vec<String> = grants
                    .iter()
                    .map(|g| {
                        if g.via == "user" {
                            g.label.clone()
                        } else {
                            format!("{} (via {})", g.label, g.via)
                        }
                    })
                    .collect();
                labels.dedup();
                evidence.insert("phi_data_access".into(), json!("yes"));
                evidence.insert("phi_grants".into(), grants_json(&grants));
                (
                    Some(Severity::High),
                    format!(
                        "; it can reach PHI data actions through {}",
                        labels.join(", ")
                    ),
                )
            }
            PhiReach::No => {
                evidence.insert("phi_data_access".into(), json!("no"));
                (None, "; its policies grant no PHI data action".to_string())
            }
            PhiReach::Unknown(why) => {
                evidence.insert("phi_data_access".into(), json!("unknown"));
                evidence.insert(
                    "phi_data_access_note".into(),
                    json!(format!(
                        "{why}: PHI reach was not evaluated and the severity stays at the default, not lowered by a pass"
                    )),
                );
                (
                    None,
                    "; PHI reach not evaluated (no policy data for this user)".to_string(),
                )
            }
        };
        evidence.insert("credential_report_generated".into(), report_generated(ctx));
        hits.push(Hit {
            resource: row.arn.clone(),
            resource_type: USER_TYPE,
            message: format!(
                "user {} has {} ({keys_text}){tail}",
                row.user,
                plural(active.len(), "active access key", "active access keys"),
            ),
            evidence: Value::Object(evidence),
            discriminator: row.user.clone(),
            severity,
        });
    }
    hits
}

// ---------------------------------------------------------------------------
// CR002 access-key-not-rotated
// ---------------------------------------------------------------------------

pub fn cr002_access_key_not_rotated(ctx: &Context<'_>) -> Vec<Hit> {
    let now = ctx.snapshot.collected_at;
    let max_days = i64::from(ctx.settings.access_key_max_age_days);
    let mut hits = Vec::new();
    for row in user_rows(ctx) {
        for s in slots_of(ctx, row).iter().filter(|s| s.active) {
            // An active key always has a creation time in the report; without one the
            // age is unknown and nothing is claimed either way.
            let Some(created) = s.created() else { continue };
            if now - created <= Duration::days(max_days) {
                continue;
            }
            let age = (now - created).num_days();
            let mut evidence = Map::new();
            evidence.insert("user".into(), json!(row.arn));
            evidence.insert("user_name".into(), json!(row.user));
            evidence.insert("key".into(), s.evidence());
            evidence.insert("age_days".into(), json!(age));
            evidence.insert("max_age_days".into(), json!(max_days));
            evidence.insert("measured_at".into(), json!(ts(now)));
            hits.push(Hit {
                resource: row.arn.clone(),
                resource_type: USER_TYPE,
                message: format!(
                    "{} of user {} is {age} days old (created {}, limit {max_days} days); {}",
                    s.label(),
                    row.user,
                    day(created),
                    s.last_used_text()
                ),
                evidence: Value::Object(evidence),
                discriminator: format!("{}|{}", row.user, s.column()),
                severity: None,
            });
        }
    }
    hits
}

// ---------------------------------------------------------------------------
// CR003 unused-credential
// ---------------------------------------------------------------------------

/// One stale credential of a user.
struct Stale {
    credential: String,
    text: String,
    evidence: Value,
}

/// How long a credential has gone unused: since its last use, or, never used, since
/// it was created. `None` when neither is known.
fn idle_since(
    last_used: Option<DateTime<Utc>>,
    created: Option<DateTime<Utc>>,
) -> Option<(DateTime<Utc>, bool)> {
    match last_used {
        Some(t) => Some((t, true)),
        None => created.map(|t| (t, false)),
    }
}

pub fn cr003_unused_credential(ctx: &Context<'_>) -> Vec<Hit> {
    let now = ctx.snapshot.collected_at;
    let limit_days = i64::from(ctx.settings.unused_days);
    let limit = Duration::days(limit_days);
    let mut hits = Vec::new();
    for row in user_rows(ctx) {
        let mut stale = Vec::new();
        if CredentialRow::flag(&row.password_enabled) {
            // `no_information`/`N/A` on an enabled password: never used to sign in since
            // IAM started tracking; measured from when the password was set.
            let last_used = at(CredentialRow::time(&row.password_last_used));
            let created = at(CredentialRow::time(&row.password_last_changed))
                .or_else(|| at(CredentialRow::time(&row.user_creation_time)));
            if let Some((since, used)) = idle_since(last_used, created)
                && now - since > limit
            {
                let days = (now - since).num_days();
                stale.push(Stale {
                    credential: "password".into(),
                    text: if used {
                        format!(
                            "console password last used {} ({days} days ago)",
                            day(since)
                        )
                    } else {
                        format!(
                            "console password never used since it was set on {} ({days} days ago)",
                            day(since)
                        )
                    },
                    evidence: json!({
                        "credential": "password",
                        "last_used": report_time_json(&row.password_last_used),
                        "password_last_changed": report_time_json(&row.password_last_changed),
                        "idle_since": ts(since),
                        "idle_days": days,
                    }),
                });
            }
        }
        for s in slots_of(ctx, row).iter().filter(|s| s.active) {
            let Some((since, used)) = idle_since(s.last_used(), s.created()) else {
                continue;
            };
            if now - since <= limit {
                continue;
            }
            let days = (now - since).num_days();
            let mut ev = match s.evidence() {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            ev.insert("credential".into(), json!(s.column()));
            ev.insert("idle_since".into(), json!(ts(since)));
            ev.insert("idle_days".into(), json!(days));
            stale.push(Stale {
                credential: s.column(),
                text: if used {
                    format!("{} last used {} ({days} days ago)", s.label(), day(since))
                } else {
                    format!(
                        "{} never used since its creation on {} ({days} days ago)",
                        s.label(),
                        day(since)
                    )
                },
                evidence: Value::Object(ev),
            });
        }
        if stale.is_empty() {
            continue;
        }
        hits.push(Hit {
            resource: row.arn.clone(),
            resource_type: USER_TYPE,
            message: format!(
                "user {} has {} unused for more than {limit_days} days: {}",
                row.user,
                plural(stale.len(), "credential", "credentials"),
                stale.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("; ")
            ),
            evidence: json!({
                "user": row.arn,
                "user_name": row.user,
                "stale_credentials": stale.iter().map(|s| s.credential.as_str()).collect::<Vec<_>>(),
                "credentials": stale.into_iter().map(|s| s.evidence).collect::<Vec<_>>(),
                "unused_days": limit_days,
                "measured_at": ts(now),
            }),
            discriminator: row.user.clone(),
            severity: None,
        });
    }
    hits
}

// ---------------------------------------------------------------------------
// CR004 console-user-without-mfa
// ---------------------------------------------------------------------------

pub fn cr004_console_user_without_mfa(ctx: &Context<'_>) -> Vec<Hit> {
    let devices = ctx.snapshot.mfa_devices.as_deref().unwrap_or(&[]);
    let mut hits = Vec::new();
    for row in user_rows(ctx) {
        if !CredentialRow::flag(&row.password_enabled) || CredentialRow::flag(&row.mfa_active) {
            continue;
        }
        // ListVirtualMFADevices is fresher than the report (which can lag by up to four
        // hours): a virtual device assigned to the user means MFA is on.
        if devices
            .iter()
            .any(|d| d.user_arn.as_deref() == Some(row.arn.as_str()))
        {
            continue;
        }
        let last = match CredentialRow::time(&row.password_last_used) {
            ReportTime::At(t) => format!("last sign-in {}", day(t)),
            _ => "no recorded sign-in".into(),
        };
        hits.push(Hit {
            resource: row.arn.clone(),
            resource_type: USER_TYPE,
            message: format!(
                "user {} signs in to the console with a password and has no MFA device ({last})",
                row.user
            ),
            evidence: json!({
                "user": row.arn,
                "user_name": row.user,
                "password_enabled": true,
                "mfa_active": false,
                "password_last_used": report_time_json(&row.password_last_used),
                "password_last_changed": report_time_json(&row.password_last_changed),
                "credential_report_generated": report_generated(ctx),
            }),
            discriminator: row.user.clone(),
            severity: None,
        });
    }
    hits
}

// ---------------------------------------------------------------------------
// CR005 root-access-key, CR006 root-without-mfa
// ---------------------------------------------------------------------------

fn summary_value(ctx: &Context<'_>, key: &str) -> Option<i64> {
    ctx.snapshot
        .account_summary
        .as_ref()
        .and_then(|m| m.get(key).copied())
}

pub fn cr005_root_access_key(ctx: &Context<'_>) -> Vec<Hit> {
    let present = summary_value(ctx, "AccountAccessKeysPresent");
    let root = ctx.inv.root_credentials.as_ref();
    let mut evidence = Map::new();
    evidence.insert(
        "account_summary.AccountAccessKeysPresent".into(),
        json!(present),
    );
    let message = match root {
        Some(row) => {
            // The root row says which key is active; the summary only that one exists.
            let slots = key_slots(row, &[]);
            let active: Vec<&KeySlot<'_>> = slots.iter().filter(|s| s.active).collect();
            let any_key = slots.iter().any(KeySlot::exists);
            evidence.insert(
                "root_keys".into(),
                Value::Array(
                    slots
                        .iter()
                        .filter(|s| s.exists())
                        .map(KeySlot::evidence)
                        .collect(),
                ),
            );
            evidence.insert("credential_report_generated".into(), report_generated(ctx));
            if !active.is_empty() {
                format!(
                    "the root user has {} ({})",
                    plural(active.len(), "active access key", "active access keys"),
                    active
                        .iter()
                        .map(|s| format!(
                            "slot {}, created {}, {}",
                            s.slot,
                            s.created().map_or("on an unknown date".into(), day),
                            s.last_used_text()
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            } else if present.is_some_and(|n| n > 0) && !any_key {
                // The summary sees a key the (older) report does not: created since.
                evidence.insert(
                    "note".into(),
                    json!("GetAccountSummary reports a root access key that the credential report predates; its status is unknown"),
                );
                "the root user has an access key (AccountAccessKeysPresent = 1) created after the credential report was generated".to_string()
            } else {
                return Vec::new();
            }
        }
        None => {
            // moto, and reports generated before the root row existed, omit it.
            if present.is_none_or(|n| n <= 0) {
                return Vec::new();
            }
            evidence.insert(
                "note".into(),
                json!("the credential report has no <root_account> row, so whether the key is active is unknown; an inactive root key is still a standing credential to delete"),
            );
            "the root user has an access key (AccountAccessKeysPresent = 1; the credential report has no root row to say whether it is active)".to_string()
        }
    };
    vec![Hit {
        resource: account_arn(ctx),
        resource_type: ACCOUNT_TYPE,
        message,
        evidence: Value::Object(evidence),
        discriminator: String::new(),
        severity: None,
    }]
}

pub fn cr006_root_without_mfa(ctx: &Context<'_>) -> Vec<Hit> {
    let summary = summary_value(ctx, "AccountMFAEnabled");
    let root = ctx.inv.root_credentials.as_ref();
    let row_mfa = root.map(|r| CredentialRow::flag(&r.mfa_active));
    // GetAccountSummary is live; the report can lag. The report decides only when the
    // summary lacks the key.
    let without = match (summary, row_mfa) {
        (Some(n), _) => n <= 0,
        (None, Some(mfa)) => !mfa,
        (None, None) => return Vec::new(),
    };
    if !without {
        return Vec::new();
    }
    let mut evidence = Map::new();
    evidence.insert("account_summary.AccountMFAEnabled".into(), json!(summary));
    if let Some(row) = root {
        evidence.insert("credential_report.mfa_active".into(), json!(row_mfa));
        evidence.insert(
            "root_password_last_used".into(),
            report_time_json(&row.password_last_used),
        );
    }
    let root_arn = account_arn(ctx);
    let devices: Vec<&str> = ctx
        .snapshot
        .mfa_devices
        .iter()
        .flatten()
        .filter(|d| d.user_arn.as_deref() == Some(root_arn.as_str()))
        .map(|d| d.serial_number.as_str())
        .collect();
    if !devices.is_empty() {
        evidence.insert("virtual_mfa_devices".into(), json!(devices));
    }
    let last = root
        .and_then(|r| at(CredentialRow::time(&r.password_last_used)))
        .map(|t| format!(" (last root sign-in {})", day(t)))
        .unwrap_or_default();
    vec![Hit {
        resource: root_arn,
        resource_type: ACCOUNT_TYPE,
        message: format!("the root user has no MFA device{last}"),
        evidence: Value::Object(evidence),
        discriminator: String::new(),
        severity: None,
    }]
}

// ---------------------------------------------------------------------------
// CR007 weak-password-policy
// ---------------------------------------------------------------------------

/// Every clause of RULES.md's CR007 the policy fails: (clause id, explanation).
/// `None` is "the account has no password policy".
pub fn password_policy_failures(policy: Option<&PasswordPolicy>) -> Vec<(&'static str, String)> {
    let Some(p) = policy else {
        return vec![(
            "no-policy",
            "the account has no IAM password policy (IAM's default allows 8-character passwords, reuse and no expiry)".into(),
        )];
    };
    let mut out = Vec::new();
    match p.minimum_password_length {
        Some(n) if n >= MIN_PASSWORD_LENGTH => {}
        Some(n) => out.push((
            "minimum-length",
            format!("MinimumPasswordLength is {n} (< {MIN_PASSWORD_LENGTH})"),
        )),
        None => out.push((
            "minimum-length",
            format!("MinimumPasswordLength is unset (< {MIN_PASSWORD_LENGTH})"),
        )),
    }
    match p.password_reuse_prevention {
        Some(n) if n >= MIN_PASSWORD_REUSE_PREVENTION => {}
        Some(n) => out.push((
            "reuse-prevention",
            format!("PasswordReusePrevention is {n} (< {MIN_PASSWORD_REUSE_PREVENTION})"),
        )),
        None => out.push((
            "reuse-prevention",
            format!("PasswordReusePrevention is unset (passwords may be reused; want {MIN_PASSWORD_REUSE_PREVENTION})"),
        )),
    }
    match (p.expire_passwords, p.max_password_age) {
        (true, Some(n)) if n > 0 && n <= MAX_PASSWORD_AGE_DAYS => {}
        (false, _) => out.push((
            "expiry",
            format!("ExpirePasswords is false (passwords never expire; want {MAX_PASSWORD_AGE_DAYS} days or less)"),
        )),
        (true, None) => out.push((
            "expiry",
            format!("MaxPasswordAge is unset (want {MAX_PASSWORD_AGE_DAYS} days or less)"),
        )),
        (true, Some(n)) => out.push((
            "expiry",
            format!("MaxPasswordAge is {n} days (> {MAX_PASSWORD_AGE_DAYS})"),
        )),
    }
    out
}

pub fn cr007_weak_password_policy(ctx: &Context<'_>) -> Vec<Hit> {
    let policy = ctx.snapshot.password_policy.as_ref();
    let failures = password_policy_failures(policy);
    if failures.is_empty() {
        return Vec::new();
    }
    let clauses: Vec<&str> = failures.iter().map(|(c, _)| *c).collect();
    let message = if policy.is_none() {
        failures[0].1.clone()
    } else {
        format!(
            "the account password policy is weak: {}",
            failures
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let policy_json = policy.map_or(Value::Null, |p| {
        serde_json::to_value(p).unwrap_or(Value::Null)
    });
    let details: BTreeMap<&str, &str> = failures.iter().map(|(c, t)| (*c, t.as_str())).collect();
    vec![Hit {
        resource: account_arn(ctx),
        resource_type: ACCOUNT_TYPE,
        message,
        evidence: json!({
            "failed_clauses": clauses,
            "details": details,
            "password_policy": policy_json,
            "required": {
                "MinimumPasswordLength": MIN_PASSWORD_LENGTH,
                "PasswordReusePrevention": MIN_PASSWORD_REUSE_PREVENTION,
                "MaxPasswordAge": MAX_PASSWORD_AGE_DAYS,
            },
        }),
        // The clause list is in the message and evidence only: tightening one clause
        // keeps the finding (and its suppression) the same until all pass.
        discriminator: String::new(),
        severity: None,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::rules::CheckFn;
    use crate::snapshot::{CredentialReport, Snapshot};

    const ACCT: &str = "123456789012";

    /// A snapshot collected at 2026-11-20 with every source ok and no data yet.
    fn snapshot() -> Snapshot {
        let coverage: Vec<Value> = Source::ALL
            .iter()
            .map(|s| json!({"source": s.id(), "status": "ok", "detail": "test"}))
            .collect();
        serde_json::from_value(json!({
            "schema_version": 1,
            "tool": {"name": "phi-audit", "version": "0.1.0"},
            "account": {"id": ACCT, "alias": null, "partition": "aws"},
            "collected_at": "2026-11-20T00:00:00Z",
            "source": "snapshot",
            "coverage": coverage,
            "iam": {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []},
        }))
        .unwrap()
    }

    fn set_absent(snap: &mut Snapshot, source: Source) {
        for c in &mut snap.coverage {
            if c.source == source.id() {
                c.status = crate::snapshot::CoverageStatus::Absent;
            }
        }
    }

    fn user_row(name: &str) -> CredentialRow {
        let na = || "N/A".to_string();
        CredentialRow {
            user: name.into(),
            arn: format!("arn:aws:iam::{ACCT}:user/{name}"),
            user_creation_time: "2024-01-01T00:00:00+00:00".into(),
            password_enabled: "false".into(),
            password_last_used: na(),
            password_last_changed: na(),
            password_next_rotation: na(),
            mfa_active: "false".into(),
            access_key_1_active: "false".into(),
            access_key_1_last_rotated: na(),
            access_key_1_last_used_date: na(),
            access_key_1_last_used_region: na(),
            access_key_1_last_used_service: na(),
            access_key_2_active: "false".into(),
            access_key_2_last_rotated: na(),
            access_key_2_last_used_date: na(),
            access_key_2_last_used_region: na(),
            access_key_2_last_used_service: na(),
            cert_1_active: "false".into(),
            cert_1_last_rotated: na(),
            cert_2_active: "false".into(),
            cert_2_last_rotated: na(),
        }
    }

    fn root_row() -> CredentialRow {
        let mut r = user_row(CredentialRow::ROOT);
        r.arn = format!("arn:aws:iam::{ACCT}:root");
        r.password_enabled = "not_supported".into();
        r.mfa_active = "true".into();
        r
    }

    fn with_rows(snap: &mut Snapshot, rows: Vec<CredentialRow>) {
        snap.credential_report = Some(CredentialReport {
            generated_time: None,
            rows,
        });
    }

    fn access_key(user: &str, id: &str, status: &str, created: &str) -> AccessKeyInfo {
        AccessKeyInfo {
            user_name: user.into(),
            access_key_id: id.into(),
            status: status.into(),
            create_date: Some(crate::snapshot::parse_time(created).unwrap()),
            last_used_date: None,
            last_used_service: None,
            last_used_region: None,
        }
    }

    fn run_with(check: CheckFn, snap: &Snapshot, settings: &Settings) -> Vec<Hit> {
        let inv = Inventory::build(snap).unwrap();
        check(&Context {
            snapshot: snap,
            inv: &inv,
            settings,
        })
    }

    fn run(check: CheckFn, snap: &Snapshot) -> Vec<Hit> {
        run_with(check, snap, &Settings::default())
    }

    /// Add an IAM user to the authorization details, with inline policy statements.
    fn add_user(snap: &mut Snapshot, name: &str, groups: &[&str], statements: Value) {
        let iam = snap.iam.as_mut().unwrap();
        let mut v = serde_json::to_value(&*iam).unwrap();
        let inline = if statements.as_array().is_some_and(|a| a.is_empty()) {
            json!([])
        } else {
            json!([{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}])
        };
        v["UserDetailList"].as_array_mut().unwrap().push(json!({
            "UserName": name,
            "Arn": format!("arn:aws:iam::{ACCT}:user/{name}"),
            "GroupList": groups,
            "UserPolicyList": inline,
        }));
        *iam = serde_json::from_value(v).unwrap();
    }

    fn add_group(snap: &mut Snapshot, name: &str, statements: Value) {
        let iam = snap.iam.as_mut().unwrap();
        let mut v = serde_json::to_value(&*iam).unwrap();
        v["GroupDetailList"].as_array_mut().unwrap().push(json!({
            "GroupName": name,
            "Arn": format!("arn:aws:iam::{ACCT}:group/{name}"),
            "GroupPolicyList": [{"PolicyName": "g", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
        }));
        *iam = serde_json::from_value(v).unwrap();
    }

    // ---- CR001 ------------------------------------------------------------

    #[test]
    fn cr001_is_high_only_when_the_users_policies_reach_phi() {
        let mut snap = snapshot();
        add_group(
            &mut snap,
            "Lab",
            json!([{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:123456789012:key/k"}]),
        );
        add_user(&mut snap, "lab-sync", &["Lab"], json!([]));
        add_user(
            &mut snap,
            "ci",
            &[],
            json!([{"Effect": "Allow", "Action": ["ecr:*", "s3:ListBucket", "s3:GetObjectTagging"], "Resource": "*"}]),
        );
        let mut lab = user_row("lab-sync");
        lab.access_key_1_active = "true".into();
        lab.access_key_1_last_rotated = "2026-10-01T00:00:00+00:00".into();
        let mut ci = user_row("ci");
        ci.access_key_2_active = "true".into();
        ci.access_key_2_last_rotated = "2026-10-01T00:00:00+00:00".into();
        let mut nokey = user_row("nobody");
        nokey.access_key_1_last_rotated = "2020-01-01T00:00:00+00:00".into(); // inactive key
        with_rows(&mut snap, vec![root_row(), lab, ci, nokey]);

        let hits = run(cr001_iam_user_access_key, &snap);
        assert_eq!(hits.len(), 2, "{hits:#?}");
        let lab = hits.iter().find(|h| h.discriminator == "lab-sync").unwrap();
        assert_eq!(lab.severity, Some(Severity::High));
        assert_eq!(lab.evidence["phi_data_access"], "yes");
        assert_eq!(lab.evidence["phi_grants"][0]["via"], "group Lab");
        assert_eq!(
            lab.evidence["phi_grants"][0]["phi_actions"],
            json!(["kms:Decrypt"])
        );
        assert!(lab.message.contains("(via group Lab)"), "{}", lab.message);
        let ci = hits.iter().find(|h| h.discriminator == "ci").unwrap();
        assert_eq!(ci.severity, None, "default medium");
        assert_eq!(ci.evidence["phi_data_access"], "no");
        assert_eq!(ci.evidence["active_keys"][0]["slot"], "access_key_2");
        assert_eq!(ci.resource, format!("arn:aws:iam::{ACCT}:user/ci"));
        assert_eq!(ci.resource_type, "AWS::IAM::User");
    }

    #[test]
    fn cr001_without_authorization_details_says_phi_reach_is_unknown() {
        let mut snap = snapshot();
        add_user(
            &mut snap,
            "bot",
            &[],
            json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
        );
        let mut bot = user_row("bot");
        bot.access_key_1_active = "true".into();
        bot.access_key_1_last_rotated = "2026-10-01T00:00:00+00:00".into();
        let ghost = {
            let mut g = bot.clone();
            g.user = "ghost".into();
            g.arn = format!("arn:aws:iam::{ACCT}:user/ghost");
            g
        };
        with_rows(&mut snap, vec![bot, ghost]);
        // A user in the report but not in the authorization details: unknown, not "no".
        let hits = run(cr001_iam_user_access_key, &snap);
        let ghost = hits.iter().find(|h| h.discriminator == "ghost").unwrap();
        assert_eq!(ghost.evidence["phi_data_access"], "unknown");
        assert_eq!(ghost.severity, None);
        assert_eq!(
            hits.iter()
                .find(|h| h.discriminator == "bot")
                .unwrap()
                .severity,
            Some(Severity::High)
        );
        // Authorization details not collected: nobody's PHI reach is known.
        set_absent(&mut snap, Source::AuthorizationDetails);
        snap.iam = None;
        let hits = run(cr001_iam_user_access_key, &snap);
        assert_eq!(hits.len(), 2);
        for h in &hits {
            assert_eq!(h.severity, None);
            assert_eq!(h.evidence["phi_data_access"], "unknown");
            assert!(
                h.evidence["phi_data_access_note"]
                    .as_str()
                    .unwrap()
                    .contains("authorization details were not collected"),
                "{}",
                h.evidence
            );
            assert!(
                h.message.contains("PHI reach not evaluated"),
                "{}",
                h.message
            );
        }
    }

    #[test]
    fn administrator_access_without_its_document_still_reaches_phi() {
        let mut snap = snapshot();
        let iam = snap.iam.as_mut().unwrap();
        let mut v = serde_json::to_value(&*iam).unwrap();
        v["UserDetailList"] = json!([{
            "UserName": "ops",
            "Arn": format!("arn:aws:iam::{ACCT}:user/ops"),
            "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}],
        }]);
        *iam = serde_json::from_value(v).unwrap();
        let inv = Inventory::build(&snap).unwrap();
        let grants = phi_grants(&inv, 0);
        assert_eq!(grants.len(), 1);
        assert_eq!(
            grants[0].policy,
            "arn:aws:iam::aws:policy/AdministratorAccess"
        );
    }

    #[test]
    fn list_access_keys_status_overrides_a_stale_report() {
        let mut snap = snapshot();
        let mut u = user_row("bot");
        u.access_key_1_active = "true".into();
        u.access_key_1_last_rotated = "2020-01-01T00:00:00+00:00".into();
        with_rows(&mut snap, vec![u]);
        snap.access_keys = Some(vec![access_key(
            "bot",
            "AKIAEXAMPLEKEY000001",
            "Inactive",
            "2020-01-01T00:00:00Z",
        )]);
        assert!(run(cr001_iam_user_access_key, &snap).is_empty());
        assert!(run(cr002_access_key_not_rotated, &snap).is_empty());
    }

    // ---- key slots ----------------------------------------------------------

    #[test]
    fn key_slots_join_list_access_keys_by_creation_time_then_position() {
        let mut row = user_row("ops");
        row.access_key_1_active = "true".into();
        row.access_key_1_last_rotated = "2026-09-10T08:00:00+00:00".into();
        row.access_key_2_active = "true".into();
        row.access_key_2_last_rotated = "2025-02-03T10:15:00+00:00".into();
        // Slot 1 is the newer key here: joined by date, not by order.
        let keys = vec![
            access_key(
                "ops",
                "AKIAOLDER00000000002",
                "Active",
                "2025-02-03T10:15:00Z",
            ),
            access_key(
                "ops",
                "AKIANEWER00000000001",
                "Active",
                "2026-09-10T08:00:00Z",
            ),
            access_key(
                "someone-else",
                "AKIAOTHER0000000003",
                "Active",
                "2026-09-10T08:00:00Z",
            ),
        ];
        let slots = key_slots(&row, &keys);
        assert_eq!(slots[0].key_id(), Some("AKIANEWER00000000001"));
        assert_eq!(slots[1].key_id(), Some("AKIAOLDER00000000002"));
        assert_eq!(slots[1].label(), "access key AKIAOLDER00000000002 (slot 2)");

        // No date matches: as many keys as slots with keys, so by position (oldest first).
        row.access_key_1_last_rotated = "N/A".into();
        row.access_key_2_last_rotated = "N/A".into();
        let slots = key_slots(&row, &keys);
        assert_eq!(slots[0].key_id(), Some("AKIAOLDER00000000002"));
        assert_eq!(slots[1].key_id(), Some("AKIANEWER00000000001"));

        // Counts differ: no guessing.
        let slots = key_slots(&row, &keys[..1]);
        assert!(slots.iter().all(|s| s.key_id().is_none()));
        assert_eq!(slots[0].label(), "access key in slot 1");
    }

    // ---- CR002 ------------------------------------------------------------

    #[test]
    fn cr002_reports_the_second_slot_and_measures_from_collected_at() {
        let mut snap = snapshot();
        let mut u = user_row("deploy");
        u.access_key_1_last_rotated = "2020-01-01T00:00:00+00:00".into(); // inactive, ignored
        u.access_key_2_active = "true".into();
        u.access_key_2_last_rotated = "2026-08-22T00:00:00+00:00".into(); // 90 days before
        with_rows(&mut snap, vec![root_row(), u]);
        assert!(
            run(cr002_access_key_not_rotated, &snap).is_empty(),
            "exactly 90 days is not older than 90"
        );
        snap.collected_at += Duration::seconds(1);
        let hits = run(cr002_access_key_not_rotated, &snap);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].discriminator, "deploy|access_key_2");
        assert_eq!(hits[0].evidence["key"]["slot"], "access_key_2");
        assert_eq!(hits[0].evidence["age_days"], 90);
        assert!(hits[0].message.contains("slot 2"), "{}", hits[0].message);

        let settings = Settings {
            access_key_max_age_days: 30,
            ..Settings::default()
        };
        snap.collected_at -= Duration::days(50);
        assert_eq!(
            run_with(cr002_access_key_not_rotated, &snap, &settings).len(),
            1,
            "the threshold comes from settings"
        );
    }

    #[test]
    fn cr002_without_any_creation_time_claims_nothing() {
        let mut snap = snapshot();
        let mut u = user_row("odd");
        u.access_key_1_active = "true".into();
        u.access_key_1_last_rotated = "no_information".into();
        with_rows(&mut snap, vec![u]);
        assert!(run(cr002_access_key_not_rotated, &snap).is_empty());
        snap.access_keys = Some(vec![access_key(
            "odd",
            "AKIAODD0000000000001",
            "Active",
            "2021-01-01T00:00:00Z",
        )]);
        let hits = run(cr002_access_key_not_rotated, &snap);
        assert_eq!(hits.len(), 1, "ListAccessKeys' CreateDate fills the gap");
        assert_eq!(
            hits[0].evidence["key"]["access_key_id"],
            "AKIAODD0000000000001"
        );
    }

    // ---- CR003 ------------------------------------------------------------

    #[test]
    fn cr003_never_used_credentials_are_measured_from_creation() {
        let mut snap = snapshot();
        // Password never used (`no_information`), set 200 days ago.
        let mut a = user_row("alice");
        a.password_enabled = "true".into();
        a.password_last_used = "no_information".into();
        a.password_last_changed = "2026-05-04T00:00:00+00:00".into();
        // Key never used (`N/A`), created 100 days ago; a used key in slot 2 is fresh.
        let mut b = user_row("bot");
        b.access_key_1_active = "true".into();
        b.access_key_1_last_rotated = "2026-08-12T00:00:00+00:00".into();
        b.access_key_2_active = "true".into();
        b.access_key_2_last_rotated = "2024-01-01T00:00:00+00:00".into();
        b.access_key_2_last_used_date = "2026-11-19T00:00:00+00:00".into();
        // New hire: password set 10 days ago, not used yet.
        let mut c = user_row("new");
        c.password_enabled = "true".into();
        c.password_last_used = "no_information".into();
        c.password_last_changed = "2026-11-10T00:00:00+00:00".into();
        // A password that is not enabled is never stale; an inactive key neither.
        let mut d = user_row("gone");
        d.password_last_used = "2020-01-01T00:00:00+00:00".into();
        d.access_key_1_last_rotated = "2020-01-01T00:00:00+00:00".into();
        with_rows(&mut snap, vec![root_row(), a, b, c, d]);

        let hits = run(cr003_unused_credential, &snap);
        assert_eq!(hits.len(), 2, "{hits:#?}");
        let a = &hits[0];
        assert_eq!(a.discriminator, "alice");
        assert!(
            a.message
                .contains("never used since it was set on 2026-05-04 (200 days ago)"),
            "{}",
            a.message
        );
        assert_eq!(a.evidence["credentials"][0]["last_used"], "no_information");
        let b = &hits[1];
        assert_eq!(b.evidence["stale_credentials"], json!(["access_key_1"]));
        assert!(
            b.message
                .contains("never used since its creation on 2026-08-12 (100 days ago)"),
            "{}",
            b.message
        );
    }

    #[test]
    fn cr003_uses_the_latest_use_from_either_source() {
        let mut snap = snapshot();
        let mut u = user_row("bot");
        u.access_key_1_active = "true".into();
        u.access_key_1_last_rotated = "2024-01-01T00:00:00+00:00".into();
        u.access_key_1_last_used_date = "2026-01-01T00:00:00+00:00".into();
        with_rows(&mut snap, vec![u]);
        let hits = run(cr003_unused_credential, &snap);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].evidence["credentials"][0]["idle_days"], 323);
        let mut k = access_key(
            "bot",
            "AKIABOT0000000000001",
            "Active",
            "2024-01-01T00:00:00Z",
        );
        k.last_used_date = Some(crate::snapshot::parse_time("2026-11-19T08:00:00Z").unwrap());
        k.last_used_service = Some("s3".into());
        snap.access_keys = Some(vec![k]);
        assert!(run(cr003_unused_credential, &snap).is_empty());
    }

    // ---- CR004 ------------------------------------------------------------

    #[test]
    fn cr004_console_password_without_mfa() {
        let mut snap = snapshot();
        let mut a = user_row("dr.lee");
        a.password_enabled = "true".into();
        a.password_last_used = "2026-11-19T15:00:00+00:00".into();
        let mut b = a.clone();
        b.user = "nurse".into();
        b.arn = format!("arn:aws:iam::{ACCT}:user/nurse");
        b.mfa_active = "true".into();
        let mut keys_only = user_row("bot");
        keys_only.access_key_1_active = "true".into();
        let mut root = root_row();
        root.mfa_active = "false".into();
        with_rows(&mut snap, vec![root, a, b, keys_only]);
        let hits = run(cr004_console_user_without_mfa, &snap);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].resource, format!("arn:aws:iam::{ACCT}:user/dr.lee"));
        assert!(hits[0].message.contains("last sign-in 2026-11-19"));
        // A virtual device assigned since the report was generated: MFA is on.
        snap.mfa_devices = Some(vec![crate::snapshot::MfaDevice {
            serial_number: format!("arn:aws:iam::{ACCT}:mfa/dr.lee"),
            user_arn: Some(format!("arn:aws:iam::{ACCT}:user/dr.lee")),
            enable_date: None,
        }]);
        assert!(run(cr004_console_user_without_mfa, &snap).is_empty());
    }

    // ---- CR005 / CR006 ----------------------------------------------------

    fn summary(pairs: &[(&str, i64)]) -> Option<BTreeMap<String, i64>> {
        Some(pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect())
    }

    #[test]
    fn cr005_root_row_says_which_key_is_active() {
        let mut snap = snapshot();
        snap.account_summary =
            summary(&[("AccountAccessKeysPresent", 1), ("AccountMFAEnabled", 1)]);
        let mut root = root_row();
        root.access_key_1_last_rotated = "2019-01-01T00:00:00+00:00".into(); // inactive
        root.access_key_2_active = "true".into();
        root.access_key_2_last_rotated = "2021-06-01T00:00:00+00:00".into();
        root.access_key_2_last_used_date = "2026-10-02T08:00:00+00:00".into();
        with_rows(&mut snap, vec![root.clone()]);
        let hits = run(cr005_root_access_key, &snap);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].resource, format!("arn:aws:iam::{ACCT}:root"));
        assert_eq!(hits[0].resource_type, "AWS::::Account");
        assert!(
            hits[0]
                .message
                .contains("slot 2, created 2021-06-01, last used 2026-10-02"),
            "{}",
            hits[0].message
        );
        assert_eq!(hits[0].evidence["root_keys"].as_array().unwrap().len(), 2);

        // Only an inactive key: the summary still counts it, but it is not active.
        root.access_key_2_active = "false".into();
        with_rows(&mut snap, vec![root.clone()]);
        assert!(run(cr005_root_access_key, &snap).is_empty());

        // The summary sees a key the (older) report does not show at all.
        with_rows(&mut snap, vec![root_row()]);
        let hits = run(cr005_root_access_key, &snap);
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].evidence["note"]
                .as_str()
                .unwrap()
                .contains("predates")
        );
    }

    #[test]
    fn root_row_missing_falls_back_to_the_account_summary() {
        // moto omits the <root_account> row.
        let mut snap = snapshot();
        with_rows(&mut snap, vec![user_row("alice")]);
        snap.account_summary =
            summary(&[("AccountAccessKeysPresent", 1), ("AccountMFAEnabled", 0)]);
        let hits = run(cr005_root_access_key, &snap);
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].message.contains("no root row"),
            "{}",
            hits[0].message
        );
        assert!(
            hits[0].evidence["note"]
                .as_str()
                .unwrap()
                .contains("unknown")
        );
        let hits = run(cr006_root_without_mfa, &snap);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].evidence["account_summary.AccountMFAEnabled"], 0);

        snap.account_summary =
            summary(&[("AccountAccessKeysPresent", 0), ("AccountMFAEnabled", 1)]);
        assert!(run(cr005_root_access_key, &snap).is_empty());
        assert!(run(cr006_root_without_mfa, &snap).is_empty());

        // No credential report at all: the summary alone decides.
        snap.credential_report = None;
        snap.account_summary =
            summary(&[("AccountAccessKeysPresent", 1), ("AccountMFAEnabled", 0)]);
        assert_eq!(run(cr005_root_access_key, &snap).len(), 1);
        assert_eq!(run(cr006_root_without_mfa, &snap).len(), 1);
    }

    #[test]
    fn cr006_summary_wins_and_the_root_row_fills_a_missing_key() {
        let mut snap = snapshot();
        let mut root = root_row();
        root.mfa_active = "false".into();
        root.password_last_used = "2026-08-03T17:21:40+00:00".into();
        with_rows(&mut snap, vec![root.clone()]);
        // The summary (live) says MFA is on; the report predates the enrolment.
        snap.account_summary = summary(&[("AccountMFAEnabled", 1)]);
        assert!(run(cr006_root_without_mfa, &snap).is_empty());
        // The summary lacks the key: the root row decides.
        snap.account_summary = summary(&[("Users", 3)]);
        let hits = run(cr006_root_without_mfa, &snap);
        assert_eq!(hits.len(), 1);
        assert_eq!(
            hits[0].message,
            "the root user has no MFA device (last root sign-in 2026-08-03)"
        );
        // Neither: nothing to evaluate, nothing claimed.
        with_rows(&mut snap, vec![]);
        assert!(run(cr006_root_without_mfa, &snap).is_empty());
    }

    // ---- CR007 ------------------------------------------------------------

    #[test]
    fn password_policy_absent_vs_present() {
        let strong = PasswordPolicy {
            minimum_password_length: Some(14),
            expire_passwords: true,
            max_password_age: Some(90),
            password_reuse_prevention: Some(24),
            ..PasswordPolicy::default()
        };
        assert!(password_policy_failures(Some(&strong)).is_empty());
        let ids = |p: Option<&PasswordPolicy>| -> Vec<&'static str> {
            password_policy_failures(p)
                .into_iter()
                .map(|(c, _)| c)
                .collect()
        };
        assert_eq!(ids(None), ["no-policy"]);
        let weak = PasswordPolicy {
            minimum_password_length: Some(13),
            expire_passwords: true,
            max_password_age: Some(91),
            password_reuse_prevention: Some(23),
            ..PasswordPolicy::default()
        };
        assert_eq!(
            ids(Some(&weak)),
            ["minimum-length", "reuse-prevention", "expiry"]
        );
        let unset = PasswordPolicy {
            minimum_password_length: Some(20),
            expire_passwords: true,
            ..PasswordPolicy::default()
        };
        assert_eq!(ids(Some(&unset)), ["reuse-prevention", "expiry"]);
        let no_expiry = PasswordPolicy {
            expire_passwords: false,
            max_password_age: Some(30),
            ..strong.clone()
        };
        assert_eq!(ids(Some(&no_expiry)), ["expiry"]);

        // Through the check: source ok and no policy = the account has none.
        let mut snap = snapshot();
        let hits = run(cr007_weak_password_policy, &snap);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].evidence["failed_clauses"], json!(["no-policy"]));
        assert!(hits[0].message.contains("no IAM password policy"));
        assert_eq!(hits[0].resource, format!("arn:aws:iam::{ACCT}:root"));
        snap.password_policy = Some(weak);
        let hits = run(cr007_weak_password_policy, &snap);
        assert_eq!(
            hits[0].evidence["failed_clauses"].as_array().unwrap().len(),
            3
        );
        let fp_weak = hits[0].discriminator.clone();
        snap.password_policy = Some(unset);
        assert_eq!(
            run(cr007_weak_password_policy, &snap)[0].discriminator,
            fp_weak,
            "the clause list is not part of the fingerprint"
        );
        snap.password_policy = Some(strong);
        assert!(run(cr007_weak_password_policy, &snap).is_empty());
    }

    #[test]
    fn engine_skips_rules_whose_source_is_missing() {
        // Denied GetAccountPasswordPolicy must not read as "no policy".
        let mut snap = snapshot();
        set_absent(&mut snap, Source::PasswordPolicy);
        set_absent(&mut snap, Source::AccountSummary);
        let inv = Inventory::build(&snap).unwrap();
        let eval = crate::rules::evaluate(
            &snap,
            &inv,
            &Settings::default(),
            &crate::rules::Selection::default(),
        );
        assert!(
            !eval.findings.iter().any(|f| f.rule.starts_with("CR00")),
            "{:?}",
            eval.findings
        );
        for code in ["CR005", "CR006", "CR007"] {
            assert!(
                eval.evaluated
                    .contains(&(code, crate::rules::Evaluated::No)),
                "{code}"
            );
        }
    }
}
