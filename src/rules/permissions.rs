//! Permissions (PM): identity policies. See `rules/PM*.md` for each rule.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::classify::{
    also_human, also_workload, break_glass_reason, classify_role, classify_user,
    statement_requires_mfa, trust_requires_mfa,
};
use super::phi::{self, Span, phi_actions, service_of, statement_spans};
use super::{Context, Hit, list_short, stmt_ref};
use crate::inventory::{HeldPolicy, Inventory, PrincipalRef};
use crate::policy::{Statement, action_match};

/// IAM write actions that turn any foothold into admin. A NotAction statement on
/// `*` that leaves one of them open "leaves IAM open" (PM002/PM003).
pub const IAM_ESCALATION_ACTIONS: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
];

/// PM008's services: `<service>:*` on every resource.
pub const PHI_SERVICES: &[&str] = &[
    "s3",
    "dynamodb",
    "kms",
    "secretsmanager",
    "rds-data",
    "healthlake",
    "iam",
];

const PROBE_ACTION: &str = "zq7x9service:Zq7x9probe";

/// Evidence common to every statement finding, plus rule-specific fields.
fn statement_evidence(
    inv: &Inventory,
    held: &HeldPolicy<'_>,
    stmt: &Statement,
    extra: Value,
) -> Value {
    let mut m = Map::new();
    m.insert("policy".into(), json!(held.id()));
    m.insert("policy_name".into(), json!(held.name));
    m.insert("policy_type".into(), json!(held.kind));
    m.insert("statement".into(), json!(stmt.index));
    if let Some(sid) = &stmt.sid {
        m.insert("sid".into(), json!(sid));
    }
    m.insert("principals".into(), json!(inv.holders(held)));
    let conds = stmt.condition_keys();
    if !conds.is_empty() {
        m.insert("condition_keys".into(), json!(conds));
    }
    if let Value::Object(extra) = extra {
        m.extend(extra);
    }
    Value::Object(m)
}

fn statement_hit(
    ctx: &Context<'_>,
    held: &HeldPolicy<'_>,
    stmt: &Statement,
    message: String,
    extra: Value,
) -> Hit {
    Hit {
        resource: held.resource.to_string(),
        resource_type: held.resource_type,
        evidence: statement_evidence(ctx.inv, held, stmt, extra),
        discriminator: format!("{}|{}", held.id(), stmt.canonical()),
        message,
        severity: None,
    }
}

/// Every Allow statement of every policy that grants something to somebody.
fn allow_statements<'a>(ctx: &'a Context<'_>) -> Vec<(HeldPolicy<'a>, &'a Statement)> {
    let mut out = Vec::new();
    for held in ctx.inv.granting_policies() {
        let doc = held.document;
        for stmt in doc.statements.iter().filter(|s| s.is_allow()) {
            out.push((
                HeldPolicy {
                    source: held.source,
                    document: doc,
                    resource: held.resource,
                    resource_type: held.resource_type,
                    name: held.name,
                    kind: held.kind,
                },
                stmt,
            ));
        }
    }
    out
}

fn action_patterns(stmt: &Statement) -> Value {
    if stmt.action.negated {
        json!({"not_actions": stmt.action.patterns})
    } else {
        json!({"action_patterns": stmt.action.patterns})
    }
}

fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut a), Value::Object(b)) => {
            a.extend(b);
            Value::Object(a)
        }
        (a, _) => a,
    }
}

// ---------------------------------------------------------------------------
// PM001 wildcard-resource-on-phi-data
// ---------------------------------------------------------------------------

pub fn pm001_wildcard_resource_on_phi_data(ctx: &Context<'_>) -> Vec<Hit> {
    let (partition, account) = (&ctx.inv.partition, &ctx.inv.account_id);
    let mut hits = Vec::new();
    for (held, stmt) in allow_statements(ctx) {
        let mut actions = Vec::new();
        let mut resources = BTreeSet::new();
        let mut spans = Vec::new();
        for a in phi_actions() {
            if !stmt.covers_action(&a.action) {
                continue;
            }
            if let Some(span) = statement_spans(stmt, service_of(&a.action), partition, account) {
                actions.push(a.action.clone());
                resources.extend(span.resources());
                if !spans.contains(&span) {
                    spans.push(span);
                }
            }
        }
        if actions.is_empty() {
            continue;
        }
        let on = if spans.iter().any(|s| matches!(s, Span::NotResource(_))) {
            spans
                .iter()
                .find(|s| matches!(s, Span::NotResource(_)))
                .map(Span::describe)
                .unwrap_or_default()
        } else {
            let all: Vec<String> = resources.iter().cloned().collect();
            Span::Patterns(all).describe()
        };
        let message = format!(
            "{} {} allows {} PHI data action{} ({}) on {}",
            held.label(ctx.inv),
            stmt_ref(stmt),
            actions.len(),
            if actions.len() == 1 { "" } else { "s" },
            list_short(&actions, 3),
            on
        );
        let extra = merge(
            json!({"actions": actions, "resources": resources}),
            action_patterns(stmt),
        );
        let mut hit = statement_hit(ctx, &held, stmt, message, extra);
        if let Some(blocked) = blocked_for_every_holder(ctx, &held, stmt, &actions) {
            // Every holder's boundary, SCPs or Deny statements take the grant away: the
            // statement is still a latent wildcard (one detached boundary from live), so it
            // stays reported, at low severity and with the reason.
            hit.message.push_str(&format!(
                "; blocked for every holder ({})",
                blocked
                    .iter()
                    .map(|(who, why)| format!("{who}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
            hit.evidence["blocked_for_every_holder"] = Value::Array(
                blocked
                    .iter()
                    .map(|(who, why)| json!({"principal": who, "reason": why}))
                    .collect(),
            );
            hit.severity = Some(super::Severity::Low);
        }
        hits.push(hit);
    }
    hits
}

/// The principals that hold a policy (users through groups), when the input knows them all.
fn holder_refs(inv: &Inventory, held: &HeldPolicy<'_>) -> Option<Vec<PrincipalRef>> {
    use crate::inventory::PolicySource;
    let direct: Vec<PrincipalRef> = match held.source {
        PolicySource::Managed(pi) => {
            let p = &inv.policies[pi];
            if p.attached_to.is_empty() {
                return None;
            }
            p.attached_to.clone()
        }
        PolicySource::Inline { owner, .. } => vec![owner],
    };
    let mut out = Vec::new();
    for who in direct {
        match who {
            PrincipalRef::Group(g) => {
                out.extend(inv.groups[g].members.iter().map(|&u| PrincipalRef::User(u)))
            }
            other => out.push(other),
        }
    }
    out.sort();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

/// When the engine shows that no holder can use the statement's PHI actions on any
/// resource the statement covers (boundary, SCP or Deny), each holder with the reason.
fn blocked_for_every_holder(
    ctx: &Context<'_>,
    held: &HeldPolicy<'_>,
    stmt: &Statement,
    actions: &[String],
) -> Option<Vec<(String, String)>> {
    use super::effective::{OrgScps, policy_set, reach_within};
    let inv = ctx.inv;
    let holders = holder_refs(inv, held)?;
    let org = OrgScps::from_snapshot(ctx.snapshot);
    let levels = org.levels();
    let mut out = Vec::new();
    for who in holders {
        let set = policy_set(inv, who, &levels);
        let mut reason = None;
        for a in actions {
            let o = reach_within(&set, a, stmt, &inv.partition, &inv.account_id);
            if o.decision.may_allow() {
                return None;
            }
            if reason.is_none() {
                reason = o
                    .reasons
                    .into_iter()
                    .find(|r| r != "no identity policy allows it");
            }
        }
        out.push((
            inv.describe(who),
            reason.unwrap_or_else(|| "no PHI action of the statement is allowed".to_string()),
        ));
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Full admin (PM002, PM003)
// ---------------------------------------------------------------------------

/// Why a statement amounts to full admin, if it does.
pub fn full_admin_statement(stmt: &Statement, partition: &str, account: &str) -> Option<String> {
    if !stmt.is_allow() {
        return None;
    }
    let every_resource = stmt.covers_resource(&format!(
        "arn:{partition}:zq7x9service:us-east-1:{account}:{}",
        phi::PROBE
    ));
    if !every_resource {
        return None;
    }
    if !stmt.action.negated {
        let pat = stmt
            .action
            .patterns
            .iter()
            .find(|p| action_match(p, PROBE_ACTION))?;
        return Some(format!("Action {pat:?} on every resource"));
    }
    let open: Vec<&str> = IAM_ESCALATION_ACTIONS
        .iter()
        .copied()
        .filter(|a| stmt.covers_action(a))
        .collect();
    (!open.is_empty()).then(|| {
        format!(
            "NotAction {:?} on every resource leaves IAM open ({})",
            stmt.action.patterns,
            open.iter().take(3).copied().collect::<Vec<_>>().join(", ")
        )
    })
}

/// One way a principal holds full admin.
pub(crate) struct AdminGrant {
    pub(crate) policy: String,
    pub(crate) label: String,
    pub(crate) statement: Option<usize>,
    pub(crate) why: String,
    pub(crate) mfa_gated: bool,
}

fn is_administrator_access(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.ends_with(":iam::aws:policy/AdministratorAccess")
}

/// Full-admin grants a principal holds itself (attached and inline policies).
pub(crate) fn admin_grants(ctx: &Context<'_>, who: PrincipalRef) -> Vec<AdminGrant> {
    let inv = ctx.inv;
    let mut out = Vec::new();
    for held in inv.own_policies(who) {
        for stmt in &held.document.statements {
            if let Some(why) = full_admin_statement(stmt, &inv.partition, &inv.account_id) {
                out.push(AdminGrant {
                    policy: held.id(),
                    label: held.label(inv),
                    statement: Some(stmt.index),
                    why,
                    mfa_gated: statement_requires_mfa(stmt),
                });
            }
        }
    }
    // AdministratorAccess attached but its document absent from the input: still admin.
    for arn in inv.attached_arns(who) {
        if is_administrator_access(arn) && inv.policy(arn).is_none_or(|p| p.document.is_none()) {
            out.push(AdminGrant {
                policy: arn.clone(),
                label: "AWS managed policy AdministratorAccess".into(),
                statement: None,
                why: "AdministratorAccess is attached".into(),
                mfa_gated: false,
            });
        }
    }
    out
}

fn grants_json(grants: &[&AdminGrant]) -> Value {
    Value::Array(
        grants
            .iter()
            .map(|g| {
                let mut m = Map::new();
                m.insert("policy".into(), json!(g.policy));
                if let Some(i) = g.statement {
                    m.insert("statement".into(), json!(i));
                }
                m.insert("why".into(), json!(g.why));
                Value::Object(m)
            })
            .collect(),
    )
}

fn labels(grants: &[&AdminGrant]) -> String {
    let mut l: Vec<String> = grants.iter().map(|g| g.label.clone()).collect();
    l.sort();
    l.dedup();
    l.join(", ")
}

/// IAM actions that would give full admin back to a principal whose boundary or SCPs
/// take it away: the escalation actions, and removing or replacing the boundary itself.
const ADMIN_RESTORING: &[(&str, &str)] = &[
    ("iam:DeleteRolePermissionsBoundary", "role"),
    ("iam:DeleteUserPermissionsBoundary", "user"),
    ("iam:PutRolePermissionsBoundary", "role"),
    ("iam:PutUserPermissionsBoundary", "user"),
];

/// When the engine shows that the principal's boundary, SCPs or Deny statements take its
/// full admin away (the catch-all probe action is not allowed) and leave no IAM action
/// that would restore it, the reason. PM002/PM003 then report at medium severity.
pub(crate) fn admin_neutralised(ctx: &Context<'_>, who: PrincipalRef) -> Option<String> {
    use super::effective::{OrgScps, best_outcome, fill_template, policy_set, resource_pattern};
    use crate::policy::eval::evaluate;
    let inv = ctx.inv;
    let (partition, account) = (inv.partition.as_str(), inv.account_id.as_str());
    let org = OrgScps::from_snapshot(ctx.snapshot);
    let levels = org.levels();
    let set = policy_set(inv, who, &levels);
    let probe = format!(
        "arn:{partition}:zq7x9service:us-east-1:{account}:{}",
        phi::PROBE
    );
    let out = evaluate(&set, PROBE_ACTION, &probe);
    if out.decision.may_allow() {
        return None;
    }
    let restoring = IAM_ESCALATION_ACTIONS
        .iter()
        .map(|a| (*a, resource_pattern(a, partition, account)))
        .chain(ADMIN_RESTORING.iter().map(|(a, kind)| {
            (
                *a,
                fill_template(
                    &format!("arn:{{partition}}:iam::{{account}}:{kind}/*"),
                    partition,
                    account,
                ),
            )
        }));
    for (action, pattern) in restoring {
        if best_outcome(&set, action, &pattern, true, partition, account)
            .0
            .decision
            .may_allow()
        {
            return None;
        }
    }
    out.reasons
        .into_iter()
        .find(|r| r != "no identity policy allows it")
}

fn lower_if_neutralised(ctx: &Context<'_>, who: PrincipalRef, hit: &mut Hit) {
    if let Some(reason) = admin_neutralised(ctx, who) {
        hit.message.push_str(&format!(
            "; in effect blocked ({reason}) with no IAM write left to undo it"
        ));
        hit.evidence["neutralised_by"] = json!(reason);
        hit.severity = Some(super::Severity::Medium);
    }
}

pub fn pm002_admin_on_workload(ctx: &Context<'_>) -> Vec<Hit> {
    let inv = ctx.inv;
    let mut hits = Vec::new();
    for (i, role) in inv.roles.iter().enumerate() {
        let class = classify_role(role, &inv.account_id);
        if !class.is_workload() || class.service_linked {
            continue;
        }
        let grants = admin_grants(ctx, PrincipalRef::Role(i));
        if grants.is_empty() {
            continue;
        }
        let all: Vec<&AdminGrant> = grants.iter().collect();
        let also_human = also_human(&class.human);
        let mut hit = Hit {
            resource: role.arn.clone(),
            resource_type: "AWS::IAM::Role",
            message: format!(
                "workload role {} ({}) holds full admin via {}{also_human}",
                role.name,
                class.workload.join("; "),
                labels(&all)
            ),
            evidence: json!({
                "principal": role.arn,
                "workload_reasons": class.workload,
                "human_reasons": class.human,
                "admin_grants": grants_json(&all),
                "permissions_boundary": role.boundary,
            }),
            discriminator: String::new(),
            severity: None,
        };
        lower_if_neutralised(ctx, PrincipalRef::Role(i), &mut hit);
        hits.push(hit);
    }
    // IAM users, when credential data says which are workloads. A workload user's
    // admin through a group counts too: the group finding (PM003) is about people.
    for (ui, user) in inv.users.iter().enumerate() {
        let Some(class) = classify_user(inv.user_credentials[ui].as_ref()) else {
            continue;
        };
        if !class.is_workload() {
            continue;
        }
        let mut grants = admin_grants(ctx, PrincipalRef::User(ui));
        for &gi in &user.groups {
            grants.extend(admin_grants(ctx, PrincipalRef::Group(gi)));
        }
        if grants.is_empty() {
            continue;
        }
        let all: Vec<&AdminGrant> = grants.iter().collect();
        let mut hit = Hit {
            resource: user.arn.clone(),
            resource_type: "AWS::IAM::User",
            message: format!(
                "workload user {} ({}) holds full admin via {}",
                user.name,
                class.workload.join("; "),
                labels(&all)
            ),
            evidence: json!({
                "principal": user.arn,
                "workload_reasons": class.workload,
                "admin_grants": grants_json(&all),
                "permissions_boundary": user.boundary,
            }),
            discriminator: String::new(),
            severity: None,
        };
        lower_if_neutralised(ctx, PrincipalRef::User(ui), &mut hit);
        hits.push(hit);
    }
    hits
}

pub fn pm003_standing_admin(ctx: &Context<'_>) -> Vec<Hit> {
    let inv = ctx.inv;
    let mut hits = Vec::new();
    for (i, role) in inv.roles.iter().enumerate() {
        let class = classify_role(role, &inv.account_id);
        if !class.is_human() || class.service_linked {
            continue;
        }
        if break_glass_reason(&role.name, &role.tags, ctx.settings).is_some()
            || trust_requires_mfa(&role.trust)
        {
            continue;
        }
        let grants = admin_grants(ctx, PrincipalRef::Role(i));
        let standing: Vec<&AdminGrant> = grants.iter().filter(|g| !g.mfa_gated).collect();
        if standing.is_empty() {
            continue;
        }
        let also_workload = also_workload("workload role", &class.workload);
        let mut hit = Hit {
            resource: role.arn.clone(),
            resource_type: "AWS::IAM::Role",
            message: format!(
                "human role {} ({}) holds standing full admin via {} without an MFA condition{also_workload}",
                role.name,
                class.human.join("; "),
                labels(&standing)
            ),
            evidence: json!({
                "principal": role.arn,
                "human_reasons": class.human,
                "workload_reasons": class.workload,
                "admin_grants": grants_json(&standing),
                "permissions_boundary": role.boundary,
            }),
            discriminator: String::new(),
            severity: None,
        };
        lower_if_neutralised(ctx, PrincipalRef::Role(i), &mut hit);
        hits.push(hit);
    }
    // Human users (console password), for admin granted to them directly; admin through
    // a group is reported once, on the group, with its members as evidence.
    for (ui, user) in inv.users.iter().enumerate() {
        let Some(class) = classify_user(inv.user_credentials[ui].as_ref()) else {
            continue;
        };
        if !class.is_human() || break_glass_reason(&user.name, &user.tags, ctx.settings).is_some() {
            continue;
        }
        let grants = admin_grants(ctx, PrincipalRef::User(ui));
        let standing: Vec<&AdminGrant> = grants.iter().filter(|g| !g.mfa_gated).collect();
        if standing.is_empty() {
            continue;
        }
        let mut hit = Hit {
            resource: user.arn.clone(),
            resource_type: "AWS::IAM::User",
            message: format!(
                "human user {} ({}) holds standing full admin via {} without an MFA condition",
                user.name,
                class.human.join("; "),
                labels(&standing)
            ),
            evidence: json!({
                "principal": user.arn,
                "human_reasons": class.human,
                "admin_grants": grants_json(&standing),
                "permissions_boundary": user.boundary,
            }),
            discriminator: String::new(),
            severity: None,
        };
        lower_if_neutralised(ctx, PrincipalRef::User(ui), &mut hit);
        hits.push(hit);
    }
    for (gi, group) in inv.groups.iter().enumerate() {
        let grants = admin_grants(ctx, PrincipalRef::Group(gi));
        let standing: Vec<&AdminGrant> = grants.iter().filter(|g| !g.mfa_gated).collect();
        if standing.is_empty() {
            continue;
        }
        let members: Vec<String> = group
            .members
            .iter()
            .map(|&u| inv.users[u].arn.clone())
            .collect();
        hits.push(Hit {
            resource: group.arn.clone(),
            resource_type: "AWS::IAM::Group",
            message: format!(
                "group {} ({} member{}) holds standing full admin via {} without an MFA condition",
                group.name,
                members.len(),
                if members.len() == 1 { "" } else { "s" },
                labels(&standing)
            ),
            evidence: json!({
                "principal": group.arn,
                "members": members,
                "admin_grants": grants_json(&standing),
            }),
            discriminator: String::new(),
            severity: None,
        });
    }
    hits
}

// ---------------------------------------------------------------------------
// PM004, PM005: NotAction / NotResource in Allow
// ---------------------------------------------------------------------------

pub fn pm004_allow_not_action(ctx: &Context<'_>) -> Vec<Hit> {
    allow_statements(ctx)
        .into_iter()
        .filter(|(_, s)| s.action.negated)
        .map(|(held, stmt)| {
            let resources = stmt
                .resource
                .as_ref()
                .map(|r| r.patterns.clone())
                .unwrap_or_default();
            let message = format!(
                "{} {} allows every action except {} (NotAction)",
                held.label(ctx.inv),
                stmt_ref(stmt),
                list_short(&stmt.action.patterns, 4)
            );
            statement_hit(
                ctx,
                &held,
                stmt,
                message,
                json!({"not_actions": stmt.action.patterns, "resources": resources}),
            )
        })
        .collect()
}

pub fn pm005_allow_not_resource(ctx: &Context<'_>) -> Vec<Hit> {
    allow_statements(ctx)
        .into_iter()
        .filter(|(_, s)| s.resource.as_ref().is_some_and(|r| r.negated))
        .map(|(held, stmt)| {
            let not_resources = stmt
                .resource
                .as_ref()
                .map(|r| r.patterns.clone())
                .unwrap_or_default();
            let what = if stmt.action.negated {
                "every action except ".to_string() + &list_short(&stmt.action.patterns, 3)
            } else {
                list_short(&stmt.action.patterns, 3)
            };
            let message = format!(
                "{} {} allows {} on every resource except {} (NotResource)",
                held.label(ctx.inv),
                stmt_ref(stmt),
                what,
                list_short(&not_resources, 3)
            );
            statement_hit(
                ctx,
                &held,
                stmt,
                message,
                merge(
                    json!({"not_resources": not_resources}),
                    action_patterns(stmt),
                ),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// PM006 passrole-wildcard
// ---------------------------------------------------------------------------

pub fn pm006_passrole_wildcard(ctx: &Context<'_>) -> Vec<Hit> {
    let (partition, account) = (&ctx.inv.partition, &ctx.inv.account_id);
    let mut hits = Vec::new();
    for (held, stmt) in allow_statements(ctx) {
        if !stmt.covers_action("iam:PassRole") {
            continue;
        }
        let Some(span) = statement_spans(stmt, "iam", partition, account) else {
            continue;
        };
        let message = format!(
            "{} {} allows iam:PassRole on {}: any role, including admin roles, can be handed to a service",
            held.label(ctx.inv),
            stmt_ref(stmt),
            span.describe()
        );
        let extra = merge(
            json!({"actions": ["iam:PassRole"], "resources": span.resources()}),
            action_patterns(stmt),
        );
        hits.push(statement_hit(ctx, &held, stmt, message, extra));
    }
    hits
}

// ---------------------------------------------------------------------------
// PM008 service-wildcard-on-phi-service
// ---------------------------------------------------------------------------

pub fn pm008_service_wildcard_on_phi_service(ctx: &Context<'_>) -> Vec<Hit> {
    let (partition, account) = (&ctx.inv.partition, &ctx.inv.account_id);
    let mut hits = Vec::new();
    for (held, stmt) in allow_statements(ctx) {
        // `*` on `*` is full admin: PM002/PM003 report it, not this rule.
        if !stmt.action.negated
            && stmt
                .action
                .patterns
                .iter()
                .any(|p| action_match(p, PROBE_ACTION))
        {
            continue;
        }
        let mut services = Vec::new();
        let mut resources = BTreeSet::new();
        for svc in PHI_SERVICES {
            // Every action of the service: the statement covers an action name nobody lists.
            if !stmt.covers_action(&format!("{svc}:Zq7x9probe")) {
                continue;
            }
            if let Some(span) = statement_spans(stmt, svc, partition, account) {
                services.push(format!("{svc}:*"));
                resources.extend(span.resources());
            }
        }
        if services.is_empty() {
            continue;
        }
        let res: Vec<String> = resources.into_iter().collect();
        let via = if stmt.action.negated {
            format!(" (via NotAction {:?})", stmt.action.patterns)
        } else {
            String::new()
        };
        let message = format!(
            "{} {} allows {} on {}{via}",
            held.label(ctx.inv),
            stmt_ref(stmt),
            services.join(", "),
            list_short(&res.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>(), 3)
        );
        let extra = merge(
            json!({"services": services, "resources": res}),
            action_patterns(stmt),
        );
        hits.push(statement_hit(ctx, &held, stmt, message, extra));
    }
    hits
}
