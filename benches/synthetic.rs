//! Synthetic large-account generator for benchmarks and scale tests.
//!
//! `generate(roles, users, policies, seed)` returns an `aws iam get-account-authorization-details`
//! document in the shape the AWS CLI prints (policy documents as JSON objects, timestamps like
//! `2025-03-01T09:30:00+00:00`, account 123456789012). Same arguments, same document: the only
//! randomness is a seeded xorshift64* generator, and the only dependency is `serde_json`.
//!
//! The account looks like a large healthcare estate: workload roles (ECS, Lambda, EC2, Glue, Step
//! Functions, ...), human roles (SAML, IAM Identity Center, same-account), a few cross-account and
//! OIDC roles and service-linked roles; users in groups; customer managed policies with 1–6
//! statements that mix PHI data actions (S3 objects, DynamoDB items, KMS decrypt, Secrets Manager,
//! SSM parameters, RDS, HealthLake, Athena results) with ordinary ones, scoped and wildcard
//! resources, conditions, Deny statements, some `NotAction`/`NotResource`. About 5% of the customer
//! policies carry one deliberately bad statement (PHI action on `*`, service wildcard on `*`,
//! `iam:PassRole` on `*`, Allow `NotAction`/`NotResource`, or full admin), and a handful of
//! principals hold `AdministratorAccess`.
//!
//! `Policies[]` has exactly `policies` entries: three AWS managed policies (AdministratorAccess,
//! AWSLambdaBasicExecutionRole, AmazonECSTaskExecutionRolePolicy) when `policies >= 8`, the rest
//! customer managed. `generate(5000, 1000, 3000, 42)` is about 10 MB as compact JSON.
//!
//! Used by `benches/scan.rs` (`mod synthetic;`) and `examples/gen_synthetic.rs` (`#[path]`).

#![allow(dead_code)]

use serde_json::{Map, Value, json};

const ACCT: &str = "123456789012";
const REGION: &str = "us-east-1";
const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";

/// 2026-11-20, the reference "now" for last-used dates.
const NOW_DAYS: i64 = 20_777;
/// 2019-01-01, the earliest creation date.
const START_DAYS: i64 = 17_897;

// --------------------------------------------------------------------------------------------
// Deterministic pseudo-random numbers: splitmix64 to seed, xorshift64* to draw.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `pct`/100.
    fn pct(&mut self, pct: u32) -> bool {
        self.below(100) < pct as usize
    }

    /// True with probability `permille`/1000.
    fn permille(&mut self, permille: u32) -> bool {
        self.below(1000) < permille as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// `k` distinct elements of `xs` (k clamped to the length), in `xs` order.
    fn sample<T: Clone>(&mut self, xs: &[T], k: usize) -> Vec<T> {
        let k = k.min(xs.len());
        let mut idx: Vec<usize> = Vec::with_capacity(k);
        while idx.len() < k {
            let i = self.below(xs.len());
            if !idx.contains(&i) {
                idx.push(i);
            }
        }
        idx.sort_unstable();
        idx.into_iter().map(|i| xs[i].clone()).collect()
    }

    /// Between `lo` and `hi` distinct strings of `xs`.
    fn some(&mut self, xs: &[&str], lo: usize, hi: usize) -> Vec<String> {
        let k = self.range(lo, hi);
        self.sample(xs, k).into_iter().map(str::to_string).collect()
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }

    /// IAM unique id: 4-letter prefix + 17 base32 characters (21 in all).
    fn iam_id(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.chars(B32, 17))
    }

    fn uuid(&mut self) -> String {
        format!(
            "{}-{}-4{}-{}{}-{}",
            self.chars(HEX, 8),
            self.chars(HEX, 4),
            self.chars(HEX, 3),
            self.pick(&["8", "9", "a", "b"]),
            self.chars(HEX, 3),
            self.chars(HEX, 12)
        )
    }
}

// --------------------------------------------------------------------------------------------
// Dates (days since 1970-01-01; civil conversion after H. Hinnant).

fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn timestamp(rng: &mut Rng, days: i64) -> String {
    let (y, m, d) = civil(days);
    let secs = rng.below(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

// --------------------------------------------------------------------------------------------
// Vocabulary.

const APPS: &[&str] = &[
    "ehr",
    "portal",
    "billing",
    "claims",
    "lab",
    "imaging",
    "rx",
    "scheduling",
    "telehealth",
    "analytics",
    "fhir",
    "intake",
    "notify",
    "audit",
    "identity",
    "referrals",
    "pharmacy",
    "radiology",
    "careplan",
    "messaging",
];
const COMPONENTS: &[&str] = &[
    "api",
    "worker",
    "etl",
    "sync",
    "export",
    "ingest",
    "reporter",
    "scheduler",
    "gateway",
    "consumer",
    "indexer",
    "processor",
    "loader",
    "notifier",
];
const ENVS: &[&str] = &["prod", "prod", "prod", "staging", "dev"];
const SERVICES: &[&str] = &[
    "ecs-tasks.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "lambda.amazonaws.com",
    "lambda.amazonaws.com",
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
    "ec2.amazonaws.com",
    "glue.amazonaws.com",
    "states.amazonaws.com",
    "events.amazonaws.com",
    "scheduler.amazonaws.com",
    "batch.amazonaws.com",
    "sagemaker.amazonaws.com",
    "codebuild.amazonaws.com",
    "firehose.amazonaws.com",
];
const SLR: &[(&str, &str)] = &[
    (
        "elasticloadbalancing.amazonaws.com",
        "AWSServiceRoleForElasticLoadBalancing",
    ),
    ("ecs.amazonaws.com", "AWSServiceRoleForECS"),
    ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling"),
    ("rds.amazonaws.com", "AWSServiceRoleForRDS"),
    ("support.amazonaws.com", "AWSServiceRoleForSupport"),
    (
        "trustedadvisor.amazonaws.com",
        "AWSServiceRoleForTrustedAdvisor",
    ),
    ("sso.amazonaws.com", "AWSServiceRoleForSSO"),
    (
        "organizations.amazonaws.com",
        "AWSServiceRoleForOrganizations",
    ),
];
const PERMISSION_SETS: &[&str] = &[
    "ClinicianReadOnly",
    "BillingAnalyst",
    "PlatformEngineer",
    "SecurityAudit",
    "DataScientist",
    "SupportTier2",
    "AdministratorAccess",
];
const SURNAMES: &[&str] = &[
    "nguyen", "patel", "smith", "garcia", "chen", "okafor", "mueller", "romero", "kowalski",
    "haddad", "johnson", "kim", "silva", "ivanova", "brown", "tanaka", "osei", "martin", "lopez",
    "singh",
];
const TEAMS: &[&str] = &[
    "ehr",
    "billing",
    "platform",
    "security",
    "analytics",
    "support",
    "clinical-informatics",
    "revenue-cycle",
    "data-eng",
    "portal",
    "it-ops",
    "compliance",
];
const GROUP_KINDS: &[&str] = &[
    "developers",
    "operators",
    "readers",
    "analysts",
    "oncall",
    "leads",
];
const PHI_BUCKETS: &[&str] = &[
    "phi-records-prod",
    "phi-imaging-prod",
    "phi-lab-results-prod",
    "phi-intake-prod",
    "phi-claims-archive",
];
const OTHER_BUCKETS: &[&str] = &[
    "clinic-billing-exports",
    "clinic-analytics-curated",
    "clinic-athena-results",
    "clinic-public-assets",
    "clinic-logs-archive",
    "clinic-build-artifacts",
    "clinic-dev-scratch",
];
const PHI_TABLES: &[&str] = &[
    "patients-prod",
    "patients-encounters-prod",
    "appointments-prod",
    "prescriptions-prod",
    "lab-orders-prod",
    "care-plans-prod",
];
const PHI_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "rds-data:ExecuteStatement",
    "rds-db:connect",
    "healthlake:ReadResource",
    "athena:GetQueryResults",
];
const SERVICE_WILDCARDS: &[&str] = &[
    "s3:*",
    "dynamodb:*",
    "kms:*",
    "secretsmanager:*",
    "rds-data:*",
    "healthlake:*",
    "iam:*",
];

// --------------------------------------------------------------------------------------------
// Policy documents.

/// A single string when there is one element (as people often write it), else an array.
fn one_or_many(xs: Vec<String>) -> Value {
    if xs.len() == 1 {
        Value::String(xs.into_iter().next().unwrap())
    } else {
        Value::Array(xs.into_iter().map(Value::String).collect())
    }
}

fn stmt(
    sid: Option<String>,
    effect: &str,
    action_key: &str,
    actions: Vec<String>,
    resource_key: &str,
    resources: Vec<String>,
    condition: Option<Value>,
) -> Value {
    let mut m = Map::new();
    if let Some(s) = sid {
        m.insert("Sid".into(), Value::String(s));
    }
    m.insert("Effect".into(), Value::String(effect.into()));
    m.insert(action_key.into(), one_or_many(actions));
    m.insert(resource_key.into(), one_or_many(resources));
    if let Some(c) = condition {
        m.insert("Condition".into(), c);
    }
    Value::Object(m)
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| (*s).to_string()).collect()
}

fn policy_doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Named resources that statements draw on, fixed per account.
struct Estate {
    keys: Vec<String>,
    datastores: Vec<String>,
    dbs: Vec<String>,
    clusters: Vec<String>,
}

impl Estate {
    fn new(rng: &mut Rng) -> Self {
        Estate {
            keys: (0..12)
                .map(|_| format!("arn:aws:kms:{REGION}:{ACCT}:key/{}", rng.uuid()))
                .collect(),
            datastores: (0..3)
                .map(|_| {
                    format!(
                        "arn:aws:healthlake:{REGION}:{ACCT}:datastore/fhir/{}",
                        rng.chars(HEX, 32)
                    )
                })
                .collect(),
            dbs: (0..6)
                .map(|_| format!("db-{}", rng.chars(B32, 26)))
                .collect(),
            clusters: ["billing", "ehr", "claims", "lab"]
                .iter()
                .map(|n| format!("arn:aws:rds:{REGION}:{ACCT}:cluster:{n}-aurora-prod"))
                .collect(),
        }
    }
}

fn sid(rng: &mut Rng, base: &str, i: usize) -> Option<String> {
    if rng.pct(60) {
        Some(format!("{base}{i}"))
    } else {
        None
    }
}

/// One ordinary, reasonably scoped statement about `app`.
fn good_statement(rng: &mut Rng, es: &Estate, app: &str, env: &str, i: usize) -> Value {
    let acct = ACCT;
    let r = REGION;
    match rng.below(16) {
        0 | 1 => {
            // S3 objects under a prefix of a PHI or ordinary bucket.
            let bucket = if rng.pct(50) {
                *rng.pick(PHI_BUCKETS)
            } else {
                *rng.pick(OTHER_BUCKETS)
            };
            let acts = rng.some(
                &[
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:GetObjectTagging",
                    "s3:PutObjectTagging",
                    "s3:AbortMultipartUpload",
                ],
                1,
                4,
            );
            let mut res = vec![format!("arn:aws:s3:::{bucket}/{app}/*")];
            if rng.pct(25) {
                res.push(format!("arn:aws:s3:::{bucket}/shared/{app}-{env}/*"));
            }
            let cond = if rng.pct(15) {
                Some(
                    json!({"StringEquals": {"aws:SourceVpce": format!("vpce-0{}", rng.chars(HEX, 16))}}),
                )
            } else {
                None
            };
            stmt(
                sid(rng, "Objects", i),
                "Allow",
                "Action",
                acts,
                "Resource",
                res,
                cond,
            )
        }
        2 => {
            let bucket = if rng.pct(50) {
                *rng.pick(PHI_BUCKETS)
            } else {
                *rng.pick(OTHER_BUCKETS)
            };
            let cond = json!({"StringLike": {"s3:prefix": [format!("{app}/*"), format!("shared/{app}-{env}/*")]}});
            stmt(
                sid(rng, "List", i),
                "Allow",
                "Action",
                strings(&["s3:ListBucket", "s3:GetBucketLocation"]),
                "Resource",
                vec![format!("arn:aws:s3:::{bucket}")],
                if rng.pct(70) { Some(cond) } else { None },
            )
        }
        3 | 4 => {
            let table = if rng.pct(60) {
                (*rng.pick(PHI_TABLES)).to_string()
            } else {
                format!("{app}-{env}-state")
            };
            let acts = rng.some(
                &[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                    "dynamodb:BatchGetItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:DescribeTable",
                    "dynamodb:ConditionCheckItem",
                ],
                2,
                6,
            );
            let t = format!("arn:aws:dynamodb:{r}:{acct}:table/{table}");
            let cond = if rng.pct(10) {
                Some(
                    json!({"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/clinic-id}"]}}),
                )
            } else {
                None
            };
            stmt(
                sid(rng, "Table", i),
                "Allow",
                "Action",
                acts,
                "Resource",
                vec![t.clone(), format!("{t}/index/*")],
                cond,
            )
        }
        5 => {
            let key = rng.pick(&es.keys).clone();
            let acts = rng.some(
                &[
                    "kms:Decrypt",
                    "kms:GenerateDataKey",
                    "kms:Encrypt",
                    "kms:DescribeKey",
                ],
                1,
                3,
            );
            let cond = if rng.pct(50) {
                Some(
                    json!({"StringEquals": {"kms:ViaService": [format!("s3.{r}.amazonaws.com"), format!("dynamodb.{r}.amazonaws.com")]}}),
                )
            } else {
                None
            };
            stmt(
                sid(rng, "Key", i),
                "Allow",
                "Action",
                acts,
                "Resource",
                vec![key],
                cond,
            )
        }
        6 => stmt(
            sid(rng, "Secrets", i),
            "Allow",
            "Action",
            strings(&[
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
            ]),
            "Resource",
            vec![format!(
                "arn:aws:secretsmanager:{r}:{acct}:secret:{app}/{env}/*"
            )],
            None,
        ),
        7 => stmt(
            sid(rng, "Params", i),
            "Allow",
            "Action",
            strings(&[
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:GetParametersByPath",
            ]),
            "Resource",
            vec![format!("arn:aws:ssm:{r}:{acct}:parameter/{app}/{env}/*")],
            None,
        ),
        8 | 9 => stmt(
            sid(rng, "Logs", i),
            "Allow",
            "Action",
            strings(&[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ]),
            "Resource",
            vec![
                format!("arn:aws:logs:{r}:{acct}:log-group:/{app}/{env}/*"),
                format!("arn:aws:logs:{r}:{acct}:log-group:/{app}/{env}/*:log-stream:*"),
            ],
            None,
        ),
        10 => {
            let q = format!(
                "arn:aws:sqs:{r}:{acct}:{app}-{env}-{}",
                rng.pick(&["events", "jobs", "dlq", "inbox"])
            );
            let acts = rng.some(
                &[
                    "sqs:SendMessage",
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:ChangeMessageVisibility",
                ],
                1,
                4,
            );
            stmt(
                sid(rng, "Queue", i),
                "Allow",
                "Action",
                acts,
                "Resource",
                vec![q],
                None,
            )
        }
        11 => stmt(
            sid(rng, "Telemetry", i),
            "Allow",
            "Action",
            rng.some(
                &[
                    "cloudwatch:PutMetricData",
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "ec2:DescribeInstances",
                    "ec2:DescribeNetworkInterfaces",
                    "ecr:GetAuthorizationToken",
                    "sns:ListTopics",
                    "events:PutEvents",
                ],
                1,
                4,
            ),
            "Resource",
            vec!["*".into()],
            if rng.pct(20) {
                Some(json!({"StringEquals": {"aws:RequestedRegion": [REGION, "us-west-2"]}}))
            } else {
                None
            },
        ),
        12 => {
            let ds = rng.pick(&es.datastores).clone();
            let acts = rng.some(
                &[
                    "healthlake:ReadResource",
                    "healthlake:SearchWithGet",
                    "healthlake:SearchWithPost",
                    "healthlake:CreateResource",
                    "healthlake:UpdateResource",
                    "healthlake:DescribeFHIRDatastore",
                ],
                1,
                4,
            );
            stmt(
                sid(rng, "Fhir", i),
                "Allow",
                "Action",
                acts,
                "Resource",
                vec![ds],
                None,
            )
        }
        13 => stmt(
            sid(rng, "Athena", i),
            "Allow",
            "Action",
            strings(&[
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "glue:GetTable",
                "glue:GetPartitions",
            ]),
            "Resource",
            vec![
                format!("arn:aws:athena:{r}:{acct}:workgroup/{app}-{env}"),
                format!("arn:aws:glue:{r}:{acct}:catalog"),
                format!(
                    "arn:aws:glue:{r}:{acct}:database/{}_{env}",
                    app.replace('-', "_")
                ),
                format!(
                    "arn:aws:glue:{r}:{acct}:table/{}_{env}/*",
                    app.replace('-', "_")
                ),
            ],
            None,
        ),
        14 => {
            if rng.pct(50) {
                let db = rng.pick(&es.dbs).clone();
                stmt(
                    sid(rng, "Db", i),
                    "Allow",
                    "Action",
                    strings(&["rds-db:connect"]),
                    "Resource",
                    vec![format!(
                        "arn:aws:rds-db:{r}:{acct}:dbuser:{db}/{}_{}",
                        app.replace('-', "_"),
                        rng.pick(COMPONENTS)
                    )],
                    None,
                )
            } else {
                let c = rng.pick(&es.clusters).clone();
                stmt(
                    sid(rng, "DataApi", i),
                    "Allow",
                    "Action",
                    strings(&[
                        "rds-data:ExecuteStatement",
                        "rds-data:BatchExecuteStatement",
                    ]),
                    "Resource",
                    vec![c],
                    None,
                )
            }
        }
        _ => {
            // A Deny guard: TLS only on a bucket, or deny outside approved regions.
            if rng.pct(50) {
                let bucket = if rng.pct(50) {
                    *rng.pick(PHI_BUCKETS)
                } else {
                    *rng.pick(OTHER_BUCKETS)
                };
                stmt(
                    sid(rng, "DenyInsecureTransport", i),
                    "Deny",
                    "Action",
                    strings(&["s3:*"]),
                    "Resource",
                    vec![
                        format!("arn:aws:s3:::{bucket}"),
                        format!("arn:aws:s3:::{bucket}/*"),
                    ],
                    Some(json!({"Bool": {"aws:SecureTransport": "false"}})),
                )
            } else {
                stmt(
                    sid(rng, "DenyOtherRegions", i),
                    "Deny",
                    "NotAction",
                    strings(&[
                        "iam:*",
                        "sts:*",
                        "organizations:*",
                        "support:*",
                        "cloudfront:*",
                        "route53:*",
                    ]),
                    "Resource",
                    vec!["*".into()],
                    Some(
                        json!({"StringNotEquals": {"aws:RequestedRegion": [REGION, "us-west-2"]}}),
                    ),
                )
            }
        }
    }
}

/// One deliberately bad statement (the kinds the PM rules look for).
fn bad_statement(rng: &mut Rng, app: &str, i: usize) -> Value {
    let r = REGION;
    match rng.below(8) {
        // PHI data actions on "*" (PM001).
        0 | 1 => {
            let acts = rng.some(PHI_ACTIONS, 1, 4);
            stmt(
                sid(rng, "Data", i),
                "Allow",
                "Action",
                acts,
                "Resource",
                vec!["*".into()],
                None,
            )
        }
        // PHI data actions on a pattern spanning every resource of the service (PM001).
        2 => {
            if rng.pct(50) {
                stmt(
                    sid(rng, "AllObjects", i),
                    "Allow",
                    "Action",
                    strings(&["s3:GetObject", "s3:PutObject"]),
                    "Resource",
                    vec!["arn:aws:s3:::*/*".into()],
                    None,
                )
            } else {
                stmt(
                    sid(rng, "AllTables", i),
                    "Allow",
                    "Action",
                    strings(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"]),
                    "Resource",
                    vec!["arn:aws:dynamodb:*:*:table/*".into()],
                    None,
                )
            }
        }
        // Allow NotAction (PM004; on "*" also PM001).
        3 => stmt(
            sid(rng, "AllButIam", i),
            "Allow",
            "NotAction",
            strings(&["iam:*", "organizations:*", "account:*"]),
            "Resource",
            vec![if rng.pct(50) {
                "*".to_string()
            } else {
                format!("arn:aws:s3:::clinic-{app}-exports/*")
            }],
            None,
        ),
        // Allow NotResource (PM005).
        4 => stmt(
            sid(rng, "AllLogsButAudit", i),
            "Allow",
            "Action",
            strings(&["logs:GetLogEvents", "logs:FilterLogEvents"]),
            "NotResource",
            vec![format!("arn:aws:logs:{r}:{ACCT}:log-group:/audit/*")],
            None,
        ),
        // iam:PassRole on * or role/* (PM006).
        5 => stmt(
            sid(rng, "PassRoles", i),
            "Allow",
            "Action",
            strings(&["iam:PassRole"]),
            "Resource",
            vec![if rng.pct(60) {
                "*".to_string()
            } else {
                format!("arn:aws:iam::{ACCT}:role/*")
            }],
            None,
        ),
        // Service wildcard on * (PM008).
        6 => stmt(
            sid(rng, "Service", i),
            "Allow",
            "Action",
            vec![rng.pick(SERVICE_WILDCARDS).to_string()],
            "Resource",
            vec!["*".into()],
            None,
        ),
        // Full admin.
        _ => stmt(
            None,
            "Allow",
            "Action",
            vec!["*".into()],
            "Resource",
            vec!["*".into()],
            None,
        ),
    }
}

fn statements(
    rng: &mut Rng,
    es: &Estate,
    app: &str,
    env: &str,
    lo: usize,
    hi: usize,
    bad: bool,
) -> Vec<Value> {
    let n = rng.range(lo, hi);
    let mut v: Vec<Value> = (0..n)
        .map(|i| good_statement(rng, es, app, env, i))
        .collect();
    if bad {
        let at = rng.below(n + 1);
        v.insert(at, bad_statement(rng, app, at));
    }
    v
}

fn boundary_doc() -> Value {
    policy_doc(vec![
        json!({"Sid": "AllowWithinBoundary", "Effect": "Allow",
               "Action": ["lambda:*", "logs:*", "cloudwatch:*", "xray:*", "ecs:*", "ecr:*", "sqs:*", "sns:*",
                          "events:*", "states:*", "ec2:Describe*", "s3:ListBucket", "s3:GetBucketLocation",
                          "dynamodb:DescribeTable", "athena:StartQueryExecution", "athena:GetQueryExecution"],
               "Resource": "*"}),
        json!({"Sid": "DenyPhiData", "Effect": "Deny",
               "Action": ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "dynamodb:GetItem", "dynamodb:BatchGetItem",
                          "dynamodb:Query", "dynamodb:Scan", "dynamodb:PutItem", "dynamodb:UpdateItem",
                          "dynamodb:DeleteItem", "dynamodb:PartiQL*", "healthlake:ReadResource", "healthlake:SearchWith*"],
               "Resource": ["arn:aws:s3:::phi-*", "arn:aws:s3:::phi-*/*", "arn:aws:dynamodb:*:*:table/patients*",
                            "arn:aws:healthlake:*:*:datastore/fhir/*"]}),
        json!({"Sid": "DenyBoundaryChanges", "Effect": "Deny",
               "Action": ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
                          "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"],
               "Resource": "*"}),
    ])
}

// --------------------------------------------------------------------------------------------
// AWS managed policies that the generator attaches (their real default documents).

struct AwsManaged {
    name: &'static str,
    path: &'static str,
    id: &'static str,
    version: &'static str,
    created: &'static str,
    updated: &'static str,
    doc: fn() -> Value,
}

fn aws_managed() -> [AwsManaged; 3] {
    [
        AwsManaged {
            name: "AdministratorAccess",
            path: "/",
            id: "ANPAIWMBCKSKIEE64ZLYK",
            version: "v1",
            created: "2015-02-06T18:39:46+00:00",
            updated: "2015-02-06T18:39:46+00:00",
            doc: || {
                policy_doc(vec![
                    json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
                ])
            },
        },
        AwsManaged {
            name: "AWSLambdaBasicExecutionRole",
            path: "/service-role/",
            id: "ANPAJNCQGXC42545SKXIK",
            version: "v1",
            created: "2015-04-09T15:03:43+00:00",
            updated: "2015-04-09T15:03:43+00:00",
            doc: || {
                policy_doc(vec![json!({"Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"})])
            },
        },
        AwsManaged {
            name: "AmazonECSTaskExecutionRolePolicy",
            path: "/service-role/",
            id: "ANPAJG4T4G4PV56DE72PY",
            version: "v1",
            created: "2017-11-16T18:48:22+00:00",
            updated: "2017-11-16T18:48:22+00:00",
            doc: || {
                policy_doc(vec![json!({"Effect": "Allow",
                "Action": ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                           "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"})])
            },
        },
    ]
}

fn aws_arn(m: &AwsManaged) -> String {
    format!("arn:aws:iam::aws:policy{}{}", m.path, m.name)
}

// --------------------------------------------------------------------------------------------
// Principals.

/// A managed-policy pool with attachment bookkeeping.
struct Pool {
    names: Vec<String>,
    arns: Vec<String>,
    attachments: Vec<u64>,
    boundary_uses: Vec<u64>,
    /// Indices of ordinary customer policies (not boundaries, not AWS managed).
    attachable: Vec<usize>,
    boundaries: Vec<usize>,
    admin: Option<usize>,
    lambda_basic: Option<usize>,
    ecs_exec: Option<usize>,
}

impl Pool {
    fn attach(&mut self, i: usize) -> Value {
        self.attachments[i] += 1;
        json!({"PolicyName": self.names[i], "PolicyArn": self.arns[i]})
    }

    /// 1..=k distinct customer policies, skewed so some policies are shared widely.
    fn pick_attached(&mut self, rng: &mut Rng, k: usize) -> Vec<Value> {
        if self.attachable.is_empty() {
            return Vec::new();
        }
        let mut chosen: Vec<usize> = Vec::new();
        for _ in 0..k {
            let n = self.attachable.len();
            let j = if rng.pct(30) {
                rng.below(n.div_ceil(20))
            } else {
                rng.below(n)
            };
            let idx = self.attachable[j];
            if !chosen.contains(&idx) {
                chosen.push(idx);
            }
        }
        chosen.into_iter().map(|i| self.attach(i)).collect()
    }
}

fn tags(rng: &mut Rng, team: &str, purpose: &str) -> Option<Value> {
    let owner = json!({"Key": "owner", "Value": format!("{team}@clinic.example")});
    let purp = json!({"Key": "purpose", "Value": purpose});
    let v = match rng.below(20) {
        0..=13 => vec![owner, purp],
        14 => vec![owner],
        15 => vec![purp],
        16 => vec![
            owner,
            purp,
            json!({"Key": "cost-center", "Value": format!("cc-{}", rng.range(1000, 9999))}),
        ],
        _ => return None,
    };
    Some(Value::Array(v))
}

fn inline_policies(
    rng: &mut Rng,
    es: &Estate,
    app: &str,
    env: &str,
    count: usize,
    bad_pct: u32,
) -> Value {
    Value::Array(
        (0..count)
            .map(|k| {
                let bad = rng.pct(bad_pct);
                json!({"PolicyName": format!("{app}-{env}-inline-{k}"),
                       "PolicyDocument": policy_doc(statements(rng, es, app, env, 1, 3, bad))})
            })
            .collect(),
    )
}

fn last_used(rng: &mut Rng, created_days: i64) -> Value {
    let roll = rng.below(100);
    if roll < 15 {
        return json!({});
    }
    let ago = if roll < 80 {
        rng.range(0, 30) as i64
    } else {
        rng.range(91, 700) as i64
    };
    let day = (NOW_DAYS - ago).max(created_days);
    json!({"LastUsedDate": timestamp(rng, day), "Region": if rng.pct(90) { REGION } else { "us-west-2" }})
}

fn trust_doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn mfa() -> Value {
    json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Service,
    SameAccount,
    Saml,
    Sso,
    Oidc,
    CrossAccount,
    ServiceLinked,
}

fn role(rng: &mut Rng, es: &Estate, pool: &mut Pool, i: usize, created_days: i64) -> Value {
    let roll = rng.below(1000);
    let kind = match roll {
        0..=699 => Kind::Service,
        700..=799 => Kind::SameAccount,
        800..=889 => Kind::Saml,
        890..=914 => Kind::Sso,
        915..=949 => Kind::Oidc,
        950..=979 => Kind::CrossAccount,
        _ => Kind::ServiceLinked,
    };
    let app = *rng.pick(APPS);
    let comp = *rng.pick(COMPONENTS);
    let env = *rng.pick(ENVS);
    let team = *rng.pick(TEAMS);
    let mut services: Vec<&str> = Vec::new();
    let (path, name, trust_stmts): (String, String, Vec<Value>) = match kind {
        Kind::Service => {
            let svc = *rng.pick(SERVICES);
            services.push(svc);
            if rng.pct(3) {
                let other = *rng.pick(SERVICES);
                if other != svc {
                    services.push(other);
                }
            }
            let principal = if services.len() == 1 {
                json!(services[0])
            } else {
                json!(services)
            };
            let mut st = json!({"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"});
            if rng.pct(15) {
                st["Condition"] = json!({"StringEquals": {"aws:SourceAccount": ACCT}});
            }
            let path = match rng.below(10) {
                0 => "/service/".to_string(),
                1 => format!("/app/{app}/"),
                _ => "/".to_string(),
            };
            (path, format!("{app}-{comp}-{env}-{i:05}"), vec![st])
        }
        Kind::SameAccount => {
            let principal = if rng.pct(60) {
                format!("arn:aws:iam::{ACCT}:root")
            } else {
                format!("arn:aws:iam::{ACCT}:role/{team}-jump-role")
            };
            let mut st = json!({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"});
            if rng.pct(50) {
                st["Condition"] = mfa();
            }
            (
                "/".into(),
                format!(
                    "{team}-{}-{i:05}",
                    rng.pick(&["operator", "admin", "support", "deployer"])
                ),
                vec![st],
            )
        }
        Kind::Saml => {
            let mut cond =
                json!({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}});
            if rng.pct(20) {
                cond["Bool"] = json!({"aws:MultiFactorAuthPresent": "true"});
            }
            let st = json!({"Effect": "Allow",
                "Principal": {"Federated": format!("arn:aws:iam::{ACCT}:saml-provider/ClinicOkta")},
                "Action": "sts:AssumeRoleWithSAML", "Condition": cond});
            (
                "/".into(),
                format!(
                    "{}{}-{i:05}",
                    team.replace('-', ""),
                    rng.pick(&["Admins", "Engineers", "Readers", "Analysts"])
                ),
                vec![st],
            )
        }
        Kind::Sso => {
            let ps = *rng.pick(PERMISSION_SETS);
            let st = json!({"Effect": "Allow",
                "Principal": {"Federated": format!("arn:aws:iam::{ACCT}:saml-provider/AWSSSO_1a2b3c4d5e6f7a8b_DO_NOT_DELETE")},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}});
            (
                "/aws-reserved/sso.amazonaws.com/".into(),
                format!("AWSReservedSSO_{ps}_{}", rng.chars(HEX, 16)),
                vec![st],
            )
        }
        Kind::Oidc => {
            let st = json!({"Effect": "Allow",
                "Principal": {"Federated": format!("arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com")},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                              "StringLike": {"token.actions.githubusercontent.com:sub": format!("repo:clinic/{app}-{comp}:ref:refs/heads/main")}}});
            ("/".into(), format!("gha-{app}-{comp}-{i:05}"), vec![st])
        }
        Kind::CrossAccount => {
            let other = format!("{:012}", 100_000_000_000u64 + rng.next() % 899_999_999_999);
            let mut st = json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{other}:root")}, "Action": "sts:AssumeRole"});
            if rng.pct(60) {
                st["Condition"] = json!({"StringEquals": {"sts:ExternalId": rng.chars(HEX, 24)}});
            }
            ("/".into(), format!("vendor-{app}-{comp}-{i:05}"), vec![st])
        }
        Kind::ServiceLinked => {
            let (svc, base) = *rng.pick(SLR);
            let st = json!({"Effect": "Allow", "Principal": {"Service": svc}, "Action": "sts:AssumeRole"});
            (
                format!("/aws-service-role/{svc}/"),
                format!("{base}_{i:05}"),
                vec![st],
            )
        }
    };
    let human = matches!(kind, Kind::SameAccount | Kind::Saml | Kind::Sso);
    let arn = format!("arn:aws:iam::{ACCT}:role{path}{name}");

    // Managed policies.
    let mut attached: Vec<Value> = Vec::new();
    if kind != Kind::ServiceLinked {
        let k = rng.range(1, 4);
        attached = pool.pick_attached(rng, k);
    }
    let lambda_basic = services.contains(&"lambda.amazonaws.com") && rng.pct(60);
    if let Some(i) = pool.lambda_basic.filter(|_| lambda_basic) {
        attached.push(pool.attach(i));
    }
    let ecs_exec = services.contains(&"ecs-tasks.amazonaws.com") && rng.pct(30);
    if let Some(i) = pool.ecs_exec.filter(|_| ecs_exec) {
        attached.push(pool.attach(i));
    }
    // A handful of principals hold AdministratorAccess (workloads rarely, humans more often).
    let admin_permille = if human { 40 } else { 4 };
    let admin = kind != Kind::ServiceLinked && rng.permille(admin_permille);
    if let Some(i) = pool.admin.filter(|_| admin) {
        attached.push(pool.attach(i));
    }

    let mut m = Map::new();
    m.insert("Path".into(), json!(path));
    m.insert("RoleName".into(), json!(name));
    m.insert("RoleId".into(), json!(rng.iam_id("AROA")));
    m.insert("Arn".into(), json!(arn));
    m.insert("CreateDate".into(), json!(timestamp(rng, created_days)));
    m.insert("AssumeRolePolicyDocument".into(), trust_doc(trust_stmts));
    let mut profiles = Vec::new();
    if services.contains(&"ec2.amazonaws.com") {
        let n = if rng.pct(3) { 2 } else { 1 };
        for p in 0..n {
            let ip = if p == 0 {
                name.clone()
            } else {
                format!("{name}-spot")
            };
            profiles.push(json!({"Path": "/", "InstanceProfileName": ip, "InstanceProfileId": rng.iam_id("AIPA"),
                                 "Arn": format!("arn:aws:iam::{ACCT}:instance-profile/{ip}"),
                                 "CreateDate": timestamp(rng, created_days), "Roles": []}));
        }
    }
    m.insert("InstanceProfileList".into(), Value::Array(profiles));
    if kind != Kind::ServiceLinked && rng.pct(25) {
        let n = rng.range(1, 2);
        m.insert(
            "RolePolicyList".into(),
            inline_policies(rng, es, app, env, n, 4),
        );
    }
    m.insert("AttachedManagedPolicies".into(), Value::Array(attached));
    if human && rng.pct(35) && !pool.boundaries.is_empty() {
        let b = *rng.pick(&pool.boundaries);
        pool.boundary_uses[b] += 1;
        m.insert(
            "PermissionsBoundary".into(),
            json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": pool.arns[b]}),
        );
    }
    if kind != Kind::ServiceLinked && kind != Kind::Sso {
        let mut t = tags(rng, team, &format!("{app}-{comp}"));
        if human && rng.pct(2) {
            let mut v = t
                .take()
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default();
            v.push(json!({"Key": "break-glass", "Value": "true"}));
            t = Some(Value::Array(v));
        }
        if let Some(t) = t {
            m.insert("Tags".into(), t);
        }
    }
    m.insert("RoleLastUsed".into(), last_used(rng, created_days));
    Value::Object(m)
}

// --------------------------------------------------------------------------------------------

/// Generate a synthetic `get-account-authorization-details` document (AWS CLI shape).
pub fn generate(roles: usize, users: usize, policies: usize, seed: u64) -> Value {
    let mut rng = Rng::new(seed);
    let es = Estate::new(&mut rng);

    // ---- policy pool: names first, documents at the end (attachment counts are needed).
    let managed = aws_managed();
    let n_aws = if policies >= 8 { managed.len() } else { 0 };
    let n_customer = policies - n_aws;
    let n_boundaries = if n_customer >= 20 {
        (n_customer / 300).clamp(1, 5)
    } else {
        0
    };
    let mut pool = Pool {
        names: Vec::with_capacity(policies),
        arns: Vec::with_capacity(policies),
        attachments: vec![0; policies],
        boundary_uses: vec![0; policies],
        attachable: Vec::new(),
        boundaries: Vec::new(),
        admin: None,
        lambda_basic: None,
        ecs_exec: None,
    };
    struct Custom {
        path: String,
        app: &'static str,
        env: &'static str,
        bad: bool,
        boundary: bool,
        created: i64,
        updated: i64,
        versions: usize,
    }
    let mut customs: Vec<Custom> = Vec::with_capacity(n_customer);
    for i in 0..n_customer {
        let boundary = i < n_boundaries;
        let app = *rng.pick(APPS);
        let env = *rng.pick(ENVS);
        let name = if boundary {
            format!("{}-boundary-{i:04}", rng.pick(TEAMS))
        } else {
            format!(
                "{app}-{}-{}-{i:04}",
                rng.pick(COMPONENTS),
                rng.pick(&["access", "data", "runtime", "ops", "read", "write"])
            )
        };
        let path = if rng.pct(85) {
            "/".to_string()
        } else {
            format!("/{app}/")
        };
        pool.arns
            .push(format!("arn:aws:iam::{ACCT}:policy{path}{name}"));
        pool.names.push(name);
        let idx = pool.names.len() - 1;
        if boundary {
            pool.boundaries.push(idx);
        } else {
            pool.attachable.push(idx);
        }
        let created = START_DAYS + rng.below((NOW_DAYS - START_DAYS - 30) as usize) as i64;
        let versions = match rng.below(20) {
            0..=13 => 1,
            14..=18 => 2,
            _ => rng.range(3, 4),
        };
        let updated = if versions == 1 {
            created
        } else {
            created + rng.below((NOW_DAYS - created) as usize) as i64
        };
        customs.push(Custom {
            path,
            app,
            env,
            bad: !boundary && rng.pct(5),
            boundary,
            created,
            updated,
            versions,
        });
    }
    for (k, m) in managed.iter().take(n_aws).enumerate() {
        pool.names.push(m.name.to_string());
        pool.arns.push(aws_arn(m));
        let idx = pool.names.len() - 1;
        match k {
            0 => pool.admin = Some(idx),
            1 => pool.lambda_basic = Some(idx),
            _ => pool.ecs_exec = Some(idx),
        }
    }

    // ---- groups and users.
    let n_groups = if users == 0 { 0 } else { (users / 25).max(3) };
    let mut groups = Vec::with_capacity(n_groups);
    let mut group_names = Vec::with_capacity(n_groups);
    for g in 0..n_groups {
        let team = *rng.pick(TEAMS);
        let name = if g == 0 {
            "Admins".to_string()
        } else {
            format!("{team}-{}-{g:03}", rng.pick(GROUP_KINDS))
        };
        let created = START_DAYS + rng.below((NOW_DAYS - START_DAYS) as usize) as i64;
        let mut m = Map::new();
        m.insert("Path".into(), json!("/"));
        m.insert("GroupName".into(), json!(name));
        m.insert("GroupId".into(), json!(rng.iam_id("AGPA")));
        m.insert(
            "Arn".into(),
            json!(format!("arn:aws:iam::{ACCT}:group/{name}")),
        );
        m.insert("CreateDate".into(), json!(timestamp(&mut rng, created)));
        if g != 0 && rng.pct(30) {
            m.insert(
                "GroupPolicyList".into(),
                inline_policies(&mut rng, &es, team, "prod", 1, 5),
            );
        }
        let attached = if g == 0 {
            pool.admin.map(|i| vec![pool.attach(i)]).unwrap_or_default()
        } else {
            let k = rng.range(1, 3);
            pool.pick_attached(&mut rng, k)
        };
        m.insert("AttachedManagedPolicies".into(), Value::Array(attached));
        groups.push(Value::Object(m));
        group_names.push(name);
    }

    let mut user_list = Vec::with_capacity(users);
    for u in 0..users {
        let service_user = rng.pct(20);
        let team = *rng.pick(TEAMS);
        let name = if service_user {
            format!("svc-{}-{}-{u:05}", rng.pick(APPS), rng.pick(COMPONENTS))
        } else {
            let initial = (b'a' + rng.below(26) as u8) as char;
            format!("{initial}.{}.{u:05}", rng.pick(SURNAMES))
        };
        let created = START_DAYS + rng.below((NOW_DAYS - START_DAYS) as usize) as i64;
        let mut m = Map::new();
        m.insert("Path".into(), json!("/"));
        m.insert("UserName".into(), json!(name));
        m.insert("UserId".into(), json!(rng.iam_id("AIDA")));
        m.insert(
            "Arn".into(),
            json!(format!("arn:aws:iam::{ACCT}:user/{name}")),
        );
        m.insert("CreateDate".into(), json!(timestamp(&mut rng, created)));
        if rng.pct(8) {
            let app = *rng.pick(APPS);
            m.insert(
                "UserPolicyList".into(),
                inline_policies(&mut rng, &es, app, "prod", 1, 5),
            );
        }
        let gl: Vec<Value> = if !service_user && !group_names.is_empty() && rng.pct(85) {
            let k = rng.range(1, 3);
            // Admins (index 0) only rarely.
            let mut v: Vec<String> = rng.sample(&group_names[1..], k);
            if rng.pct(3) {
                v.insert(0, group_names[0].clone());
            }
            v.into_iter().map(Value::String).collect()
        } else {
            Vec::new()
        };
        m.insert("GroupList".into(), Value::Array(gl));
        let attached = if service_user || rng.pct(8) {
            let k = rng.range(1, 2);
            pool.pick_attached(&mut rng, k)
        } else {
            Vec::new()
        };
        m.insert("AttachedManagedPolicies".into(), Value::Array(attached));
        if !service_user && rng.pct(10) && !pool.boundaries.is_empty() {
            let b = *rng.pick(&pool.boundaries);
            pool.boundary_uses[b] += 1;
            m.insert("PermissionsBoundary".into(),
                     json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": pool.arns[b]}));
        }
        let purpose = if service_user {
            "service-integration"
        } else {
            "workforce"
        };
        if let Some(t) = tags(&mut rng, team, purpose).filter(|_| rng.pct(75)) {
            m.insert("Tags".into(), t);
        }
        user_list.push(Value::Object(m));
    }

    // ---- roles.
    let mut role_list = Vec::with_capacity(roles);
    for i in 0..roles {
        let created = START_DAYS + rng.below((NOW_DAYS - START_DAYS - 1) as usize) as i64;
        role_list.push(role(&mut rng, &es, &mut pool, i, created));
    }

    // ---- policy documents (now that attachment counts are known).
    let mut policy_list = Vec::with_capacity(policies);
    for (i, c) in customs.iter().enumerate() {
        let mut versions = Vec::with_capacity(c.versions);
        for v in (1..=c.versions).rev() {
            let is_default = v == c.versions;
            let doc = if c.boundary {
                boundary_doc()
            } else {
                // Older versions differ; only the default carries this policy's planted problem.
                policy_doc(statements(
                    &mut rng,
                    &es,
                    c.app,
                    c.env,
                    1,
                    6,
                    is_default && c.bad,
                ))
            };
            let day = if is_default {
                c.updated
            } else {
                c.created + (c.updated - c.created) * (v as i64 - 1) / c.versions as i64
            };
            versions.push(json!({"Document": doc, "VersionId": format!("v{v}"), "IsDefaultVersion": is_default,
                                 "CreateDate": timestamp(&mut rng, day)}));
        }
        let mut m = Map::new();
        m.insert("PolicyName".into(), json!(pool.names[i]));
        m.insert("PolicyId".into(), json!(rng.iam_id("ANPA")));
        m.insert("Arn".into(), json!(pool.arns[i]));
        m.insert("Path".into(), json!(c.path));
        m.insert("DefaultVersionId".into(), json!(format!("v{}", c.versions)));
        m.insert("AttachmentCount".into(), json!(pool.attachments[i]));
        m.insert(
            "PermissionsBoundaryUsageCount".into(),
            json!(pool.boundary_uses[i]),
        );
        m.insert("IsAttachable".into(), json!(true));
        m.insert("CreateDate".into(), json!(timestamp(&mut rng, c.created)));
        m.insert("UpdateDate".into(), json!(timestamp(&mut rng, c.updated)));
        m.insert("PolicyVersionList".into(), Value::Array(versions));
        policy_list.push(Value::Object(m));
    }
    for (k, am) in managed.iter().take(n_aws).enumerate() {
        let i = n_customer + k;
        policy_list.push(json!({
            "PolicyName": am.name, "PolicyId": am.id, "Arn": aws_arn(am), "Path": am.path,
            "DefaultVersionId": am.version, "AttachmentCount": pool.attachments[i],
            "PermissionsBoundaryUsageCount": pool.boundary_uses[i], "IsAttachable": true,
            "CreateDate": am.created, "UpdateDate": am.updated,
            "PolicyVersionList": [{"Document": (am.doc)(), "VersionId": am.version, "IsDefaultVersion": true,
                                   "CreateDate": am.updated}]
        }));
    }

    json!({
        "UserDetailList": user_list,
        "GroupDetailList": groups,
        "RoleDetailList": role_list,
        "Policies": policy_list,
        "IsTruncated": false
    })
}
