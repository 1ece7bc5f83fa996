//! The parsed, indexed view of a snapshot's IAM data that rules read.
//!
//! Built once per scan: every policy document parsed once, managed policies
//! indexed by ARN once, holders (who has each policy, directly or through a
//! group) computed once. No rule joins lists itself, so evaluation stays
//! linear in the size of the account.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};

use crate::policy::{DocKind, PolicyDocument};
use crate::snapshot::{AuthorizationDetails, CredentialRow, Snapshot, Tag, arn_account};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalRef {
    Role(usize),
    User(usize),
    Group(usize),
}

#[derive(Debug)]
pub struct InlinePolicy {
    pub name: String,
    pub document: PolicyDocument,
}

#[derive(Debug)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    /// `arn:aws:iam::aws:policy/...`
    pub aws_managed: bool,
    /// The default version's document; `None` when the input lacks it.
    pub document: Option<PolicyDocument>,
    /// Principals that have it attached directly.
    pub attached_to: Vec<PrincipalRef>,
    pub attachment_count: Option<i64>,
}

#[derive(Debug)]
pub struct Role {
    pub arn: String,
    pub name: String,
    pub path: String,
    pub trust: PolicyDocument,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<String>,
    pub boundary: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub instance_profiles: Vec<String>,
    pub create_date: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
    pub max_session_duration: Option<i64>,
}

#[derive(Debug)]
pub struct User {
    pub arn: String,
    pub name: String,
    pub path: String,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<String>,
    pub groups: Vec<usize>,
    pub boundary: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub create_date: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub struct Group {
    pub arn: String,
    pub name: String,
    pub path: String,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<String>,
    pub members: Vec<usize>,
}

#[derive(Debug, Default)]
pub struct Inventory {
    pub account_id: String,
    pub partition: String,
    pub roles: Vec<Role>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub policies: Vec<ManagedPolicy>,
    policy_by_arn: HashMap<String, usize>,
    /// Attached policy ARNs for which the input holds no document.
    pub missing_policies: BTreeSet<String>,
    /// Credential-report row of each user (by index into `users`), when the source has one.
    pub user_credentials: Vec<Option<CredentialRow>>,
    /// The report's `<root_account>` row, when present.
    pub root_credentials: Option<CredentialRow>,
}

/// Where a policy document comes from, for messages, evidence and fingerprints.
#[derive(Clone, Copy, Debug)]
pub enum PolicySource {
    Managed(usize),
    Inline { owner: PrincipalRef, index: usize },
}

/// A policy that grants something to somebody, with everything rules report about it.
#[derive(Debug)]
pub struct HeldPolicy<'a> {
    pub source: PolicySource,
    pub document: &'a PolicyDocument,
    /// ARN the finding is about: the managed policy's ARN, or the inline policy's owner.
    pub resource: &'a str,
    pub resource_type: &'static str,
    pub name: &'a str,
    /// "managed", "aws-managed" or "inline".
    pub kind: &'static str,
}

impl HeldPolicy<'_> {
    /// "policy app-read", "AWS managed policy AdministratorAccess", "inline policy x of role api".
    pub fn label(&self, inv: &Inventory) -> String {
        match self.source {
            PolicySource::Managed(i) if inv.policies[i].aws_managed => {
                format!("AWS managed policy {}", self.name)
            }
            PolicySource::Managed(_) => format!("policy {}", self.name),
            PolicySource::Inline { owner, .. } => {
                format!("inline policy {} of {}", self.name, inv.describe(owner))
            }
        }
    }

    /// A stable identifier of the policy for evidence: ARN, or `owner-arn#inline-name`.
    pub fn id(&self) -> String {
        match self.source {
            PolicySource::Managed(_) => self.resource.to_string(),
            PolicySource::Inline { .. } => format!("{}#{}", self.resource, self.name),
        }
    }
}

fn tags_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

fn parse(doc: &serde_json::Value, kind: DocKind, what: &str) -> Result<PolicyDocument> {
    PolicyDocument::parse(doc, kind).map_err(|e| anyhow!("{what}: {e}"))
}

impl Inventory {
    pub fn build(snapshot: &Snapshot) -> Result<Inventory> {
        let empty = AuthorizationDetails::default();
        let d = snapshot.iam.as_ref().unwrap_or(&empty);
        let mut inv = Inventory {
            account_id: snapshot.account.id.clone(),
            partition: snapshot.account.partition.clone(),
            ..Inventory::default()
        };

        for p in &d.policies {
            let document = match p.default_document() {
                Some(doc) if !doc.is_null() => {
                    Some(parse(doc, DocKind::Identity, &format!("policy {}", p.arn))?)
                }
                _ => None,
            };
            inv.policy_by_arn.insert(p.arn.clone(), inv.policies.len());
            inv.policies.push(ManagedPolicy {
                arn: p.arn.clone(),
                name: p.policy_name.clone(),
                aws_managed: arn_account(&p.arn).is_some_and(|(_, a)| a == "aws"),
                document,
                attached_to: Vec::new(),
                attachment_count: p.attachment_count,
            });
        }

        let inline =
            |list: &[crate::snapshot::InlinePolicy], owner: &str| -> Result<Vec<InlinePolicy>> {
                list.iter()
                    .map(|p| {
                        Ok(InlinePolicy {
                            name: p.policy_name.clone(),
                            document: parse(
                                &p.policy_document,
                                DocKind::Identity,
                                &format!("{owner}: inline policy {:?}", p.policy_name),
                            )?,
                        })
                    })
                    .collect()
            };

        let mut group_by_name: HashMap<&str, usize> = HashMap::new();
        for (gi, g) in d.group_detail_list.iter().enumerate() {
            group_by_name.insert(g.group_name.as_str(), gi);
            inv.groups.push(Group {
                arn: g.arn.clone(),
                name: g.group_name.clone(),
                path: g.path.clone(),
                inline: inline(&g.group_policy_list, &g.arn)?,
                attached: g
                    .attached_managed_policies
                    .iter()
                    .map(|a| a.policy_arn.clone())
                    .collect(),
                members: Vec::new(),
            });
        }
        for r in &d.role_detail_list {
            inv.roles.push(Role {
                arn: r.arn.clone(),
                name: r.role_name.clone(),
                path: r.path.clone(),
                trust: parse(
                    &r.assume_role_policy_document,
                    DocKind::Trust,
                    &format!("role {}: trust policy", r.arn),
                )?,
                inline: inline(&r.role_policy_list, &r.arn)?,
                attached: r
                    .attached_managed_policies
                    .iter()
                    .map(|a| a.policy_arn.clone())
                    .collect(),
                boundary: r
                    .permissions_boundary
                    .as_ref()
                    .map(|b| b.permissions_boundary_arn.clone()),
                tags: tags_map(&r.tags),
                instance_profiles: r
                    .instance_profile_list
                    .iter()
                    .map(|p| p.arn.clone())
                    .collect(),
                create_date: r.create_date,
                last_used: r.role_last_used.as_ref().and_then(|u| u.last_used_date),
                max_session_duration: r.max_session_duration,
            });
        }
        for (ui, u) in d.user_detail_list.iter().enumerate() {
            let mut groups = Vec::new();
            for name in &u.group_list {
                if let Some(&gi) = group_by_name.get(name.as_str()) {
                    groups.push(gi);
                    inv.groups[gi].members.push(ui);
                }
            }
            inv.users.push(User {
                arn: u.arn.clone(),
                name: u.user_name.clone(),
                path: u.path.clone(),
                inline: inline(&u.user_policy_list, &u.arn)?,
                attached: u
                    .attached_managed_policies
                    .iter()
                    .map(|a| a.policy_arn.clone())
                    .collect(),
                groups,
                boundary: u
                    .permissions_boundary
                    .as_ref()
                    .map(|b| b.permissions_boundary_arn.clone()),
                tags: tags_map(&u.tags),
                create_date: u.create_date,
            });
        }

        // Attachments, resolved through the ARN index once.
        let attach = |arns: &[String],
                      who: PrincipalRef,
                      inv_policies: &mut Vec<ManagedPolicy>,
                      missing: &mut BTreeSet<String>| {
            for arn in arns {
                match inv.policy_by_arn.get(arn) {
                    Some(&pi) => inv_policies[pi].attached_to.push(who),
                    None => {
                        missing.insert(arn.clone());
                    }
                }
            }
        };
        let mut policies = std::mem::take(&mut inv.policies);
        let mut missing = BTreeSet::new();
        for (i, r) in inv.roles.iter().enumerate() {
            attach(
                &r.attached,
                PrincipalRef::Role(i),
                &mut policies,
                &mut missing,
            );
        }
        for (i, u) in inv.users.iter().enumerate() {
            attach(
                &u.attached,
                PrincipalRef::User(i),
                &mut policies,
                &mut missing,
            );
        }
        for (i, g) in inv.groups.iter().enumerate() {
            attach(
                &g.attached,
                PrincipalRef::Group(i),
                &mut policies,
                &mut missing,
            );
        }
        // Documents that are only used as boundaries are not "missing" grants, but a
        // boundary without a document is worth knowing about too.
        for arn in inv
            .roles
            .iter()
            .filter_map(|r| r.boundary.as_ref())
            .chain(inv.users.iter().filter_map(|u| u.boundary.as_ref()))
        {
            if !inv.policy_by_arn.contains_key(arn) {
                missing.insert(arn.clone());
            }
        }
        inv.policies = policies;
        inv.missing_policies = missing;

        if let Some(report) = &snapshot.credential_report {
            let by_name: HashMap<&str, &CredentialRow> =
                report.rows.iter().map(|r| (r.user.as_str(), r)).collect();
            inv.user_credentials = inv
                .users
                .iter()
                .map(|u| by_name.get(u.name.as_str()).map(|r| (*r).clone()))
                .collect();
            inv.root_credentials = report.rows.iter().find(|r| r.is_root()).cloned();
        } else {
            inv.user_credentials = vec![None; inv.users.len()];
        }
        Ok(inv)
    }

    pub fn policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.policy_by_arn.get(arn).map(|&i| &self.policies[i])
    }

    pub fn policy_index(&self, arn: &str) -> Option<usize> {
        self.policy_by_arn.get(arn).copied()
    }

    pub fn arn(&self, p: PrincipalRef) -> &str {
        match p {
            PrincipalRef::Role(i) => &self.roles[i].arn,
            PrincipalRef::User(i) => &self.users[i].arn,
            PrincipalRef::Group(i) => &self.groups[i].arn,
        }
    }

    pub fn name(&self, p: PrincipalRef) -> &str {
        match p {
            PrincipalRef::Role(i) => &self.roles[i].name,
            PrincipalRef::User(i) => &self.users[i].name,
            PrincipalRef::Group(i) => &self.groups[i].name,
        }
    }

    /// "role api", "user alice", "group Admins".
    pub fn describe(&self, p: PrincipalRef) -> String {
        let kind = match p {
            PrincipalRef::Role(_) => "role",
            PrincipalRef::User(_) => "user",
            PrincipalRef::Group(_) => "group",
        };
        format!("{kind} {}", self.name(p))
    }

    pub fn resource_type(p: PrincipalRef) -> &'static str {
        match p {
            PrincipalRef::Role(_) => "AWS::IAM::Role",
            PrincipalRef::User(_) => "AWS::IAM::User",
            PrincipalRef::Group(_) => "AWS::IAM::Group",
        }
    }

    /// Everyone who holds a managed policy: direct attachments plus the members of
    /// groups it is attached to. Sorted ARNs, no duplicates.
    pub fn holders_of_managed(&self, pi: usize) -> Vec<String> {
        let mut out = BTreeSet::new();
        for &who in &self.policies[pi].attached_to {
            out.insert(self.arn(who).to_string());
            if let PrincipalRef::Group(gi) = who {
                for &ui in &self.groups[gi].members {
                    out.insert(self.users[ui].arn.clone());
                }
            }
        }
        out.into_iter().collect()
    }

    /// Everyone who holds a principal's inline policy (a group's members too).
    pub fn holders_of_inline(&self, owner: PrincipalRef) -> Vec<String> {
        let mut out = BTreeSet::new();
        out.insert(self.arn(owner).to_string());
        if let PrincipalRef::Group(gi) = owner {
            for &ui in &self.groups[gi].members {
                out.insert(self.users[ui].arn.clone());
            }
        }
        out.into_iter().collect()
    }

    fn inline_of(&self, owner: PrincipalRef) -> &[InlinePolicy] {
        match owner {
            PrincipalRef::Role(i) => &self.roles[i].inline,
            PrincipalRef::User(i) => &self.users[i].inline,
            PrincipalRef::Group(i) => &self.groups[i].inline,
        }
    }

    fn attached_of(&self, owner: PrincipalRef) -> &[String] {
        match owner {
            PrincipalRef::Role(i) => &self.roles[i].attached,
            PrincipalRef::User(i) => &self.users[i].attached,
            PrincipalRef::Group(i) => &self.groups[i].attached,
        }
    }

    fn held_managed(&self, pi: usize) -> Option<HeldPolicy<'_>> {
        let p = &self.policies[pi];
        Some(HeldPolicy {
            source: PolicySource::Managed(pi),
            document: p.document.as_ref()?,
            resource: &p.arn,
            resource_type: "AWS::IAM::Policy",
            name: &p.name,
            kind: if p.aws_managed {
                "aws-managed"
            } else {
                "managed"
            },
        })
    }

    fn held_inline(&self, owner: PrincipalRef, index: usize) -> HeldPolicy<'_> {
        let p = &self.inline_of(owner)[index];
        HeldPolicy {
            source: PolicySource::Inline { owner, index },
            document: &p.document,
            resource: self.arn(owner),
            resource_type: Self::resource_type(owner),
            name: &p.name,
            kind: "inline",
        }
    }

    /// Every policy that grants permissions to somebody: managed policies attached to
    /// at least one principal (or with a positive AttachmentCount), and all inline
    /// policies. Unattached managed policies grant nothing and are skipped.
    pub fn granting_policies(&self) -> Vec<HeldPolicy<'_>> {
        let mut out = Vec::new();
        for (pi, p) in self.policies.iter().enumerate() {
            let attached = !p.attached_to.is_empty() || p.attachment_count.unwrap_or(0) > 0;
            if attached {
                out.extend(self.held_managed(pi));
            }
        }
        let owners = (0..self.roles.len())
            .map(PrincipalRef::Role)
            .chain((0..self.users.len()).map(PrincipalRef::User))
            .chain((0..self.groups.len()).map(PrincipalRef::Group));
        for owner in owners {
            for i in 0..self.inline_of(owner).len() {
                out.push(self.held_inline(owner, i));
            }
        }
        out
    }

    /// Holders of a granting policy (see [`Inventory::holders_of_managed`]).
    pub fn holders(&self, held: &HeldPolicy<'_>) -> Vec<String> {
        match held.source {
            PolicySource::Managed(pi) => self.holders_of_managed(pi),
            PolicySource::Inline { owner, .. } => self.holders_of_inline(owner),
        }
    }

    /// The policies a principal holds itself (attached and inline), not through groups.
    pub fn own_policies(&self, who: PrincipalRef) -> Vec<HeldPolicy<'_>> {
        let mut out = Vec::new();
        for arn in self.attached_of(who) {
            if let Some(pi) = self.policy_index(arn) {
                out.extend(self.held_managed(pi));
            }
        }
        for i in 0..self.inline_of(who).len() {
            out.push(self.held_inline(who, i));
        }
        out
    }

    /// Attached policy ARNs of a principal (own attachments only).
    pub fn attached_arns(&self, who: PrincipalRef) -> &[String] {
        self.attached_of(who)
    }
}
