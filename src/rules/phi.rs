//! The PHI data action list (`rules/phi-actions.toml`) and the resource probes
//! used to decide whether a resource pattern spans every resource of a service.
//!
//! "Spans every resource" is decided by matching the pattern against a probe ARN
//! whose name no scoped pattern would ever contain (`zq7x9probe`): `*`,
//! `arn:aws:s3:::*`, `arn:aws:dynamodb:*:*:table/*` match it; `arn:aws:s3:::phi-*`
//! and `arn:aws:dynamodb:*:*:table/patients` do not. Region and account segments
//! do not scope the *name*, so any value there still counts as spanning.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::policy::{Statement, arn_match, patterns_intersect};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Read,
    Write,
    Decrypt,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhiAction {
    pub action: String,
    pub access: Access,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionFile {
    action: Vec<PhiAction>,
}

const SOURCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/rules/phi-actions.toml"
));

pub fn parse_actions(src: &str) -> Result<Vec<PhiAction>, String> {
    toml::from_str::<ActionFile>(src)
        .map(|f| f.action)
        .map_err(|e| e.to_string())
}

pub fn phi_actions() -> &'static [PhiAction] {
    static A: OnceLock<Vec<PhiAction>> = OnceLock::new();
    // Tested: the shipped list parses and covers every pattern of RULES.md.
    A.get_or_init(|| {
        parse_actions(SOURCE).unwrap_or_else(|e| panic!("rules/phi-actions.toml: {e}"))
    })
}

/// A name no scoped resource pattern contains.
pub const PROBE: &str = "zq7x9probe";

/// (ARN service segment, resource part) of a probe resource for an action's service prefix.
pub fn probe_for(action_service: &str) -> (&'static str, String) {
    match action_service.to_ascii_lowercase().as_str() {
        "s3" => ("s3", format!("{PROBE}/{PROBE}")),
        "dynamodb" => ("dynamodb", format!("table/{PROBE}")),
        "kms" => ("kms", format!("key/{PROBE}")),
        "secretsmanager" => ("secretsmanager", format!("secret:{PROBE}")),
        "ssm" => ("ssm", format!("parameter/{PROBE}")),
        "rds-data" => ("rds", format!("cluster:{PROBE}")),
        "rds-db" => ("rds-db", format!("dbuser:{PROBE}/{PROBE}")),
        "healthlake" => ("healthlake", format!("datastore/fhir/{PROBE}")),
        "athena" => ("athena", format!("workgroup/{PROBE}")),
        "iam" => ("iam", format!("role/{PROBE}")),
        _ => ("zq7x9service", PROBE.to_string()),
    }
}

/// Does one Resource pattern cover every resource of the probe's type?
pub fn pattern_spans(
    pattern: &str,
    service: &str,
    resource: &str,
    partition: &str,
    account: &str,
) -> bool {
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    if parts.len() == 6 {
        arn_match(parts[0], "arn")
            && arn_match(parts[1], partition)
            && arn_match(parts[2], service)
            && arn_match(parts[5], resource)
    } else {
        // `*`, `arn:aws:s3:*`: a wildcard swallows the remaining segments.
        arn_match(
            pattern,
            &format!("arn:{partition}:{service}:us-east-1:{account}:{resource}"),
        )
    }
}

/// How a statement reaches every resource of a service, if it does: the spanning
/// Resource patterns, or the NotResource list (which spans unless it excludes the probe).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    Patterns(Vec<String>),
    NotResource(Vec<String>),
}

impl Span {
    pub fn describe(&self) -> String {
        match self {
            Span::Patterns(p) => format!(
                "Resource {}",
                p.iter()
                    .map(|x| format!("{x:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Span::NotResource(p) => format!(
                "every resource except {} (NotResource)",
                p.iter()
                    .map(|x| format!("{x:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    pub fn resources(&self) -> Vec<String> {
        match self {
            Span::Patterns(p) => p.clone(),
            Span::NotResource(p) => p.iter().map(|x| format!("NotResource:{x}")).collect(),
        }
    }
}

pub fn statement_spans(
    stmt: &Statement,
    action_service: &str,
    partition: &str,
    account: &str,
) -> Option<Span> {
    let (service, resource) = probe_for(action_service);
    let set = stmt.resource.as_ref()?;
    if set.negated {
        let full = format!("arn:{partition}:{service}:us-east-1:{account}:{resource}");
        let excluded = set.patterns.iter().any(|p| {
            arn_match(p, &full) || pattern_spans(p, service, &resource, partition, account)
        });
        (!excluded).then(|| Span::NotResource(set.patterns.clone()))
    } else {
        let hits: Vec<String> = set
            .patterns
            .iter()
            .filter(|p| pattern_spans(p, service, &resource, partition, account))
            .cloned()
            .collect();
        (!hits.is_empty()).then_some(Span::Patterns(hits))
    }
}

pub fn service_of(action: &str) -> &str {
    action.split_once(':').map(|(s, _)| s).unwrap_or(action)
}

// ---------------------------------------------------------------------------
// PHI resources: the `[phi] resources` ARN selectors
// ---------------------------------------------------------------------------

/// Can one ARN match both patterns? Segment by segment (a `*` in the region does not
/// reach into the service), the resource part as a whole; a pattern with fewer than six
/// segments (`*`, `arn:aws:s3:*`) lets its last one swallow the rest, as IAM does.
pub fn arn_patterns_intersect(a: &str, b: &str) -> bool {
    let pa: Vec<&str> = a.splitn(6, ':').collect();
    let pb: Vec<&str> = b.splitn(6, ':').collect();
    let k = pa.len().min(pb.len()) - 1;
    if !(0..k).all(|i| patterns_intersect(pa[i], pb[i])) {
        return false;
    }
    patterns_intersect(&pa[k..].join(":"), &pb[k..].join(":"))
}

/// `arn:*:<service>:*:*:*` for the ARN service an action's resources live in.
fn any_resource_of(action: &str) -> String {
    format!("arn:*:{}:*:*:*", probe_for(service_of(action)).0)
}

/// S3's PHI data actions all act on objects (`bucket/key`), never on the bucket.
fn acts_on_objects(action: &str) -> bool {
    service_of(action).eq_ignore_ascii_case("s3")
}

/// Does this ARN selector name resources an action can act on (same ARN service)?
pub fn selector_applies(selector: &str, action: &str) -> bool {
    arn_patterns_intersect(selector, &any_resource_of(action))
}

/// A concrete ARN standing for "any resource of this action's service" (the probe ARN).
pub fn service_probe(action: &str, partition: &str, account: &str) -> String {
    let (service, resource) = probe_for(service_of(action));
    format!("arn:{partition}:{service}:us-east-1:{account}:{resource}")
}

/// A concrete ARN standing for "any resource this selector names that the action acts
/// on": each wildcard filled with a name no scoped pattern contains, the partition and a
/// wildcard account set to the scanned account's (the selectors describe this account),
/// and an S3 bucket selector extended to the bucket's objects. `None` when the selector
/// names no resource of the action's service.
pub fn selector_probe(
    selector: &str,
    action: &str,
    partition: &str,
    account: &str,
) -> Option<String> {
    if !selector_applies(selector, action) {
        return None;
    }
    let parts: Vec<&str> = selector.splitn(6, ':').collect();
    if parts.len() < 6 {
        // `*`, `arn:aws:s3:*`: every resource of the service.
        let full = service_probe(action, partition, account);
        return arn_match(selector, &full).then_some(full);
    }
    let (service, _) = probe_for(service_of(action));
    let fill = |s: &str| s.replace('*', PROBE).replace('?', "z");
    let wild = |s: &str| s.contains(['*', '?']);
    let mut probe = format!(
        "arn:{}:{service}:{}:{}:{}",
        if wild(parts[1]) { partition } else { parts[1] },
        fill(parts[3]),
        if wild(parts[4]) { account } else { parts[4] },
        fill(parts[5])
    );
    if acts_on_objects(action) && !parts[5].contains('/') {
        probe.push('/');
        probe.push_str(PROBE);
    }
    Some(probe)
}

/// Might this statement reach a PHI resource with `action` (which it grants)? With ARN
/// selectors: a Resource pattern that overlaps a selector of the action's service, or a
/// NotResource that leaves such a selector's resources in. Without ARN selectors every
/// resource of a PHI-capable service counts (RULES.md), so any Resource of the action's
/// service reaches. Resource tags are unknown offline, so tag selectors narrow nothing
/// here. Returns the statement's resources that reach, for evidence.
pub fn statement_reaches_phi(
    stmt: &Statement,
    action: &str,
    selectors: &[String],
    partition: &str,
    account: &str,
) -> Option<Vec<String>> {
    let set = stmt.resource.as_ref()?;
    let service_wide = any_resource_of(action);
    let applicable: Vec<&String> = selectors
        .iter()
        .filter(|s| selector_applies(s, action))
        .collect();
    if !selectors.is_empty() && applicable.is_empty() {
        return None;
    }
    if set.negated {
        let excluded = |probe: &str| set.patterns.iter().any(|p| arn_match(p, probe));
        let reaches = if applicable.is_empty() {
            !excluded(&service_probe(action, partition, account))
        } else {
            applicable.iter().any(|s| {
                selector_probe(s, action, partition, account).is_some_and(|p| !excluded(&p))
            })
        };
        return reaches.then(|| {
            set.patterns
                .iter()
                .map(|p| format!("NotResource:{p}"))
                .collect()
        });
    }
    let hits: Vec<String> = set
        .patterns
        .iter()
        .filter(|p| {
            if applicable.is_empty() {
                arn_patterns_intersect(p, &service_wide)
            } else {
                applicable.iter().any(|s| arn_patterns_intersect(p, s))
            }
        })
        .cloned()
        .collect();
    (!hits.is_empty()).then_some(hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{DocKind, PolicyDocument, action_match};
    use serde_json::json;

    #[test]
    fn list_covers_every_pattern_named_in_rules_md() {
        let actions = phi_actions();
        // RULES.md, "PHI data action".
        for pattern in [
            "s3:GetObject*",
            "s3:PutObject*",
            "s3:DeleteObject*",
            "s3:RestoreObject",
            "s3:ReplicateObject",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:Batch*",
            "dynamodb:Export*",
            "dynamodb:PartiQL*",
            "kms:Decrypt",
            "kms:GenerateDataKey*",
            "kms:ReEncrypt*",
            "secretsmanager:GetSecretValue",
            "ssm:GetParameter*",
            "rds-data:*",
            "rds-db:connect",
            "healthlake:ReadResource",
            "healthlake:Search*",
            "healthlake:CreateResource",
            "athena:GetQueryResults",
        ] {
            assert!(
                actions.iter().any(|a| action_match(pattern, &a.action)),
                "no PHI action matches {pattern}"
            );
        }
        let mut names: Vec<&str> = actions.iter().map(|a| a.action.as_str()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(n, names.len(), "duplicate entries");
        for a in actions {
            let (svc, name) = a.action.split_once(':').expect("service:Action");
            assert!(
                !svc.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()),
                "{}",
                a.action
            );
            assert!(
                !a.action.contains('*') && !a.action.contains('?'),
                "concrete actions only: {}",
                a.action
            );
        }
        // Metadata reads are deliberately not PHI data actions.
        assert!(!names.contains(&"s3:GetObjectTagging"));
        assert!(!names.contains(&"s3:ListBucket"));
    }

    fn stmt(resource: serde_json::Value) -> Statement {
        PolicyDocument::parse(
            &json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":resource}]}),
            DocKind::Identity,
        )
        .unwrap()
        .statements
        .remove(0)
    }

    fn not_stmt(resource: serde_json::Value) -> Statement {
        PolicyDocument::parse(
            &json!({"Statement":[{"Effect":"Allow","Action":"*","NotResource":resource}]}),
            DocKind::Identity,
        )
        .unwrap()
        .statements
        .remove(0)
    }

    #[test]
    fn spanning_patterns() {
        let spans = |r: &str, svc: &str| {
            statement_spans(&stmt(json!(r)), svc, "aws", "123456789012").is_some()
        };
        assert!(spans("*", "s3"));
        assert!(spans("arn:aws:s3:::*", "s3"));
        assert!(spans("arn:aws:s3:::*/*", "s3"));
        assert!(spans("arn:aws:s3:*", "s3"));
        assert!(spans("arn:*:s3:::*", "s3"));
        assert!(spans("arn:aws:dynamodb:*:*:table/*", "dynamodb"));
        assert!(spans(
            "arn:aws:dynamodb:us-east-1:123456789012:table/*",
            "dynamodb"
        ));
        assert!(spans("arn:aws:kms:*:*:*", "kms"));
        assert!(spans("arn:aws:iam::123456789012:role/*", "iam"));
        assert!(spans("arn:aws:iam::*:role/*", "iam"));
        assert!(spans("arn:aws:rds:*:*:cluster:*", "rds-data"));
        assert!(!spans("arn:aws:s3:::phi-*", "s3"));
        assert!(!spans("arn:aws:s3:::phi-records-prod/*", "s3"));
        assert!(!spans("arn:aws:s3:::*-prod/*", "s3"));
        assert!(!spans("arn:aws:dynamodb:*:*:table/patients*", "dynamodb"));
        assert!(
            !spans("arn:aws:dynamodb:*:*:table/*", "s3"),
            "another service's wildcard"
        );
        assert!(!spans("arn:aws:iam::123456789012:role/app-*", "iam"));
        assert!(!spans("arn:aws-cn:s3:::*", "s3"), "another partition");
    }

    #[test]
    fn not_resource_spans_unless_it_excludes_everything() {
        let spans =
            |r: serde_json::Value| statement_spans(&not_stmt(r), "s3", "aws", "123456789012");
        assert_eq!(
            spans(json!("arn:aws:s3:::public/*")),
            Some(Span::NotResource(vec!["arn:aws:s3:::public/*".into()]))
        );
        assert_eq!(spans(json!("*")), None);
        assert_eq!(spans(json!(["arn:aws:s3:::*"])), None);
    }

    #[test]
    fn arn_intersection_is_segment_aware() {
        // A plain glob would let the region `*` produce ":s3:"; ARN segments do not mix.
        assert!(!arn_patterns_intersect(
            "arn:aws:dynamodb:*:*:table/patients*",
            "arn:*:s3:*:*:*"
        ));
        assert!(arn_patterns_intersect("*", "arn:aws:s3:::phi-*"));
        assert!(arn_patterns_intersect("arn:aws:s3:*", "arn:aws:s3:::phi-*"));
        assert!(arn_patterns_intersect(
            "arn:aws:s3:::*-prod/*",
            "arn:aws:s3:::phi-*"
        ));
        assert!(!arn_patterns_intersect(
            "arn:aws:s3:::clinic-dev-*/*",
            "arn:aws:s3:::phi-*"
        ));
    }

    #[test]
    fn reach_follows_the_selectors() {
        let selectors = vec![
            "arn:aws:s3:::phi-*".to_string(),
            "arn:aws:dynamodb:*:*:table/patients*".to_string(),
        ];
        let reach = |r: serde_json::Value, action: &str, sel: &[String]| {
            statement_reaches_phi(&stmt(r), action, sel, "aws", "123456789012")
        };
        assert_eq!(
            reach(
                json!("arn:aws:s3:::phi-records/*"),
                "s3:GetObject",
                &selectors
            ),
            Some(vec!["arn:aws:s3:::phi-records/*".to_string()])
        );
        assert!(reach(json!("*"), "dynamodb:Query", &selectors).is_some());
        assert!(
            reach(
                json!("arn:aws:s3:::clinic-dev-*/*"),
                "s3:GetObject",
                &selectors
            )
            .is_none()
        );
        // No selector names KMS keys: no known PHI key.
        assert!(reach(json!("*"), "kms:Decrypt", &selectors).is_none());
        // Without selectors every resource of the service counts, but not another service's.
        assert!(reach(json!("arn:aws:s3:::clinic-dev-*/*"), "s3:GetObject", &[]).is_some());
        assert!(reach(json!("arn:aws:s3:::clinic-dev-*/*"), "dynamodb:Query", &[]).is_none());
        // NotResource reaches unless it excludes every selected resource.
        let not = |r: serde_json::Value| {
            statement_reaches_phi(
                &not_stmt(r),
                "s3:GetObject",
                &selectors,
                "aws",
                "123456789012",
            )
        };
        assert!(not(json!("arn:aws:s3:::public/*")).is_some());
        assert!(not(json!("arn:aws:s3:::phi-*")).is_none());
    }
}
