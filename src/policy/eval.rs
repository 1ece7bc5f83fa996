//! Effective-permission evaluation for one principal in one account.
//!
//! Follows AWS's policy evaluation logic for a request made inside a single account
//! (IAM User Guide, "Policy evaluation logic" and "Determining whether a request is
//! allowed or denied within an account"):
//!
//! 1. An explicit `Deny` in any applicable policy (identity, permissions boundary,
//!    any SCP) wins over every `Allow`.
//! 2. With SCPs in effect, every level of the organization path (root → OUs →
//!    account) must `Allow` the action; a level without a matching `Allow` is an
//!    implicit deny. SCPs never apply to the management account.
//! 3. With a permissions boundary, the boundary must `Allow` the action too.
//! 4. The identity policies (attached, inline, and a user's group policies) must
//!    `Allow` it; otherwise the request is implicitly denied.
//!
//! The engine knows no request context (source IP, MFA, tags, time), so it cannot
//! decide a `Condition` statically. An `Allow` that depends on a Condition makes the
//! result [`Decision::Conditional`]; so does a conditional `Deny` that would block an
//! otherwise allowed request. A conditional result is never reported as Allowed and
//! never dropped.
//!
//! Out of scope: resource-based policies (bucket, key, queue policies), session
//! policies, VPC endpoint policies and cross-account requests. The decision is what
//! the principal's identity side permits; a resource policy can only narrow it with a
//! Deny (or, for some services, widen it, which this engine does not model).

use serde::Serialize;
use serde_json::{Value, json};

use super::document::{Effect, PolicyDocument, Statement};

/// The outcome of evaluating one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// An unconditional explicit Deny matches.
    Denied,
    /// No Allow in some required layer (identity, boundary or an SCP level): implicit deny.
    NotAllowed,
    /// Allowed only if a Condition holds (or unless a conditional Deny applies),
    /// or a layer's documents are missing from the input.
    Conditional,
    /// Every required layer allows it unconditionally and no Deny can apply.
    Allowed,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Denied => "denied",
            Decision::NotAllowed => "not-allowed",
            Decision::Conditional => "conditional",
            Decision::Allowed => "allowed",
        }
    }

    /// Allowed or Conditional: the principal may be able to do it.
    pub fn may_allow(self) -> bool {
        matches!(self, Decision::Allowed | Decision::Conditional)
    }
}

/// Which kind of policy a statement comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    Identity,
    Boundary,
    Scp,
}

/// A policy the evaluation reads, with the names evidence uses.
#[derive(Clone, Debug)]
pub struct NamedPolicy<'a> {
    /// Managed policy ARN, `owner-arn#inline-name`, or the SCP id.
    pub id: String,
    /// Human label: "policy app-read", "inline policy x of role y", "SCP DenyIam".
    pub label: String,
    /// `None` when the input lacks the document: the layer cannot be decided.
    pub document: Option<&'a PolicyDocument>,
}

/// One level of the organization path with the SCPs attached there.
#[derive(Clone, Debug)]
pub struct ScpLevel<'a> {
    /// "root r-abcd", "OU Prod", "account 123456789012".
    pub name: String,
    pub policies: Vec<NamedPolicy<'a>>,
}

/// Everything that decides what a principal may do in its account.
#[derive(Clone, Debug, Default)]
pub struct PolicySet<'a> {
    /// Identity policies: attached managed, inline, and (for a user) its groups'.
    pub identity: Vec<NamedPolicy<'a>>,
    /// The permissions boundary, when one is set.
    pub boundary: Option<NamedPolicy<'a>>,
    /// SCP levels, root first. Empty when SCPs do not apply or are unknown.
    pub scps: Vec<ScpLevel<'a>>,
}

/// A statement that took part in a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    pub layer: Layer,
    pub policy: String,
    pub label: String,
    pub statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The statement has a Condition the engine cannot decide.
    pub conditional: bool,
}

impl StatementRef {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "layer": self.layer,
            "policy": self.policy,
            "statement": self.statement,
            "conditional": self.conditional,
        });
        if let Some(sid) = &self.sid {
            v["sid"] = json!(sid);
        }
        v
    }
}

/// The decision with the statements behind it.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub decision: Decision,
    /// Identity-policy Allow statements that grant the request (unconditional first).
    pub grants: Vec<StatementRef>,
    /// Deny statements that match the request (conditional ones included).
    pub denies: Vec<StatementRef>,
    /// Why the result is not simply Allowed: the missing Allow, the undecidable condition.
    pub reasons: Vec<String>,
}

impl Outcome {
    /// The policies that grant the request, deduplicated, in order.
    pub fn granting_policies(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for g in &self.grants {
            if !out.contains(&g.policy.as_str()) {
                out.push(&g.policy);
            }
        }
        out
    }
}

fn matches(stmt: &Statement, action: &str, resource: &str) -> bool {
    stmt.covers_action(action) && stmt.covers_resource(resource)
}

fn sref(layer: Layer, p: &NamedPolicy<'_>, st: &Statement) -> StatementRef {
    StatementRef {
        layer,
        policy: p.id.clone(),
        label: p.label.clone(),
        statement: st.index,
        sid: st.sid.clone(),
        conditional: !st.conditions.is_empty(),
    }
}

/// The Allow result of one layer: matched statements, and whether a document was missing.
struct LayerAllow {
    allows: Vec<StatementRef>,
    unknown: Vec<String>,
}

impl LayerAllow {
    fn unconditional(&self) -> bool {
        self.allows.iter().any(|s| !s.conditional)
    }
}

fn layer_allow(
    layer: Layer,
    policies: &[NamedPolicy<'_>],
    action: &str,
    resource: &str,
) -> LayerAllow {
    let mut out = LayerAllow {
        allows: Vec::new(),
        unknown: Vec::new(),
    };
    for p in policies {
        let Some(doc) = p.document else {
            out.unknown.push(p.label.clone());
            continue;
        };
        for st in &doc.statements {
            if st.effect == Effect::Allow && matches(st, action, resource) {
                out.allows.push(sref(layer, p, st));
            }
        }
    }
    // Unconditional grants first, then by policy and statement: deterministic.
    out.allows.sort_by(|a, b| {
        (a.conditional, &a.policy, a.statement).cmp(&(b.conditional, &b.policy, b.statement))
    });
    out
}

fn collect_denies(
    layer: Layer,
    policies: &[NamedPolicy<'_>],
    action: &str,
    resource: &str,
    out: &mut Vec<StatementRef>,
) {
    for p in policies {
        let Some(doc) = p.document else { continue };
        for st in &doc.statements {
            if st.effect == Effect::Deny && matches(st, action, resource) {
                out.push(sref(layer, p, st));
            }
        }
    }
}

/// Decide one request: may the principal holding `set` perform `action` on `resource`?
/// `action` is a concrete action (`s3:GetObject`), `resource` a concrete ARN.
pub fn evaluate(set: &PolicySet<'_>, action: &str, resource: &str) -> Outcome {
    let mut denies = Vec::new();
    collect_denies(
        Layer::Identity,
        &set.identity,
        action,
        resource,
        &mut denies,
    );
    if let Some(b) = &set.boundary {
        collect_denies(
            Layer::Boundary,
            std::slice::from_ref(b),
            action,
            resource,
            &mut denies,
        );
    }
    for level in &set.scps {
        collect_denies(Layer::Scp, &level.policies, action, resource, &mut denies);
    }
    let identity = layer_allow(Layer::Identity, &set.identity, action, resource);
    let mut reasons = Vec::new();

    // 1. Explicit deny wins.
    if let Some(d) = denies.iter().find(|d| !d.conditional) {
        reasons.push(format!(
            "explicitly denied by {} statement[{}]",
            d.label, d.statement
        ));
        return Outcome {
            decision: Decision::Denied,
            grants: identity.allows,
            denies,
            reasons,
        };
    }

    let mut conditional = false;
    let mut not_allowed = false;

    // 2. Every SCP level must allow.
    for level in &set.scps {
        let l = layer_allow(Layer::Scp, &level.policies, action, resource);
        if l.allows.is_empty() && l.unknown.is_empty() {
            not_allowed = true;
            reasons.push(format!("no SCP at {} allows it", level.name));
        } else if !l.unconditional() {
            conditional = true;
            if !l.unknown.is_empty() && l.allows.is_empty() {
                reasons.push(format!(
                    "SCP document missing at {} ({})",
                    level.name,
                    l.unknown.join(", ")
                ));
            } else {
                reasons.push(format!("SCP Allow at {} has a condition", level.name));
            }
        }
    }

    // 3. The boundary must allow.
    if let Some(b) = &set.boundary {
        let l = layer_allow(Layer::Boundary, std::slice::from_ref(b), action, resource);
        if !l.unknown.is_empty() {
            conditional = true;
            reasons.push(format!(
                "permissions boundary {} has no document in the input",
                b.label
            ));
        } else if l.allows.is_empty() {
            not_allowed = true;
            reasons.push(format!(
                "permissions boundary {} does not allow it",
                b.label
            ));
        } else if !l.unconditional() {
            conditional = true;
            reasons.push(format!(
                "permissions boundary {} allows it only under a condition",
                b.label
            ));
        }
    }

    // 4. The identity policies must allow.
    if identity.allows.is_empty() && identity.unknown.is_empty() {
        not_allowed = true;
        reasons.push("no identity policy allows it".to_string());
    } else if identity.allows.is_empty() {
        conditional = true;
        reasons.push(format!(
            "no identity policy in the input allows it, but {} ha{} no document in the input",
            identity.unknown.join(", "),
            if identity.unknown.len() == 1 {
                "s"
            } else {
                "ve"
            }
        ));
    } else if !identity.unconditional() {
        conditional = true;
        reasons.push("every identity Allow that grants it has a condition".to_string());
    }

    let decision = if not_allowed {
        Decision::NotAllowed
    } else {
        if !denies.is_empty() {
            conditional = true;
            for d in &denies {
                reasons.push(format!(
                    "conditional Deny in {} statement[{}] may block it",
                    d.label, d.statement
                ));
            }
        }
        if conditional {
            Decision::Conditional
        } else {
            Decision::Allowed
        }
    };
    Outcome {
        decision,
        grants: identity.allows,
        denies,
        reasons,
    }
}

/// Fill a resource pattern's wildcards with a name no scoped pattern contains, giving a
/// concrete ARN that stands for "some resource this pattern names".
pub fn fill_pattern(pattern: &str) -> String {
    pattern
        .replace('*', crate::rules::phi::PROBE)
        .replace('?', "z")
}

/// A concrete ARN standing for "some resource this pattern names" in the scanned
/// account: six-segment ARN patterns get a wildcard partition, region or account filled
/// with the scanned account's values and every other wildcard with a probe name. `None`
/// for patterns that are not ARNs (`*`, `arn:aws:s3:*`): they name every resource, which
/// the caller's own probe stands for.
pub fn concrete_arn(pattern: &str, partition: &str, account: &str) -> Option<String> {
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return None;
    }
    let wild = |s: &str| s.contains(['*', '?']);
    let seg = |s: &str, with: &str| {
        if wild(s) {
            with.to_string()
        } else {
            s.to_string()
        }
    };
    let region = if parts[3].is_empty() {
        String::new()
    } else {
        seg(parts[3], "us-east-1")
    };
    let account_seg = if parts[4].is_empty() {
        String::new()
    } else {
        seg(parts[4], account)
    };
    Some(format!(
        "arn:{}:{}:{}:{}:{}",
        seg(parts[1], partition),
        fill_pattern(parts[2]),
        region,
        account_seg,
        fill_pattern(parts[5])
    ))
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
