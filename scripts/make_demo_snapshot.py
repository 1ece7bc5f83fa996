#!/usr/bin/env python3
"""Build the offline demo snapshot from the demo's authorization-details export.

    python3 scripts/make_demo_snapshot.py [fixtures/demo/clinic-authz.json] [fixtures/demo/clinic-snapshot.json]

The snapshot is what `phi-audit collect` would have written for the clinic account on
2026-11-20T00:00:00Z: the authorization details copied unchanged from clinic-authz.json
(so the two files can never drift; a test compares them), plus the account data an export
lacks: the credential report, GetAccountSummary, the password policy, the virtual MFA
devices, the access keys (ids only; secrets are never collected), the instance profiles
(derived from the roles' InstanceProfileList), the caller identity and the account alias.

What is planted (see fixtures/demo/README.md, "Credentials"):
  * it.admin            active key from 2021 (CR001 high via group Admins, CR002)
  * dr.patel            console password, no MFA; an unassigned virtual device from an
                        abandoned enrolment (CR004)
  * j.romero            console password unused since 2026-06-30 (CR003)
  * platform.ops        second active key from 2025, unused since 2025-07-14
                        (CR001 high via group Platform's kms:*, CR002, CR003)
  * billing-export-bot  key from 2020 in daily use (CR001 high, CR002); its second key is
                        inactive and must be ignored
  * password policy     8 characters, reuse prevention 5, no expiry (CR007)
  * root user           MFA on, no access keys (no CR005, no CR006)

Organization, Access Analyzer and CloudTrail (see fixtures/demo/README.md, "Organization and
monitoring"), as if scanned with `--regions us-east-1,us-west-2 --org-role-arn …`:
  * organization        member account of o-7h2k9d4m1x under Root → Workloads → Prod;
                        FullAWSAccess everywhere plus `clinic-baseline-guardrails` on
                        Workloads (protects CloudTrail with break-glass-admin exempted,
                        denies leaving the organization): OG001 x3 (deny-public-s3,
                        deny-public-ami, deny-iam-users), no OG002
  * Access Analyzer     us-east-1: account analyzer with one ACTIVE external-access finding
                        on phi-records-prod (MN002 high); us-west-2: no analyzer (MN001)
  * CloudTrail          one single-region trail without log file validation (MN004)

Standard library only; the output is deterministic for a given input.
"""
import base64
import hashlib
import json
import sys

AUTHZ = sys.argv[1] if len(sys.argv) > 1 else "fixtures/demo/clinic-authz.json"
OUT = sys.argv[2] if len(sys.argv) > 2 else "fixtures/demo/clinic-snapshot.json"

ACCOUNT = "123456789012"
ALIAS = "clinic-prod"
COLLECTED_AT = "2026-11-20T00:00:00Z"
REPORT_GENERATED = "2026-11-19T23:52:10Z"
AUTHZ_LISTS = ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"]

# Source ids in Source::ALL order (src/snapshot.rs).
SOURCES = [
    "sts.caller_identity",
    "iam.authorization_details",
    "iam.credential_report",
    "iam.account_summary",
    "iam.password_policy",
    "iam.account_aliases",
    "iam.mfa_devices",
    "iam.instance_profiles",
    "iam.access_keys",
    "iam.role_details",
    "ec2.regions",
    "organizations.organization",
    "organizations.scps",
    "accessanalyzer.analyzers",
    "cloudtrail.trails",
]

COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
]

# Per user: console password (last used, last changed) or None, MFA, and the keys in
# report slot order: (status, created, last used or None, service, region).
CREDENTIALS = {
    "it.admin": {
        "password": ("2026-11-18T16:20:03", "2026-09-01T08:30:00"),
        "mfa": True,
        "keys": [("Active", "2021-09-15T09:12:44", "2026-11-17T22:41:09", "iam", "us-east-1")],
    },
    "dr.patel": {
        "password": ("2026-11-19T15:42:08", "2024-02-12T09:10:00"),
        "mfa": False,
        "keys": [],
    },
    "j.romero": {
        "password": ("2026-06-30T16:02:11", "2024-07-22T13:35:00"),
        "mfa": True,
        "keys": [],
    },
    "platform.ops": {
        "password": ("2026-11-19T09:30:27", "2026-05-02T10:00:00"),
        "mfa": True,
        "keys": [
            ("Active", "2026-09-10T08:00:00", "2026-11-19T23:10:42", "ecs", "us-east-1"),
            ("Active", "2025-02-03T10:15:00", "2025-07-14T11:02:51", "kms", "us-east-1"),
        ],
    },
    "billing-export-bot": {
        "password": None,
        "mfa": False,
        "keys": [
            ("Active", "2020-03-09T08:20:00", "2026-11-19T02:10:33", "s3", "us-east-1"),
            ("Inactive", "2022-01-10T10:00:00", "2022-03-01T06:45:00", "s3", "us-east-1"),
        ],
    },
}
ROOT = {
    "created": "2019-06-03T14:00:00",
    "password_last_used": "2026-08-03T17:21:40",
    "mfa": True,
    "mfa_enabled": "2019-06-03T14:20:00",
}
# Virtual MFA devices: assigned (user -> enable date) and one unassigned device left from
# an enrolment dr.patel started and never finished.
MFA_ENABLED = {
    "it.admin": "2021-09-14T18:20:00",
    "j.romero": "2024-07-22T13:40:00",
    "platform.ops": "2023-05-21T11:50:00",
}
UNASSIGNED_MFA = ["dr.patel"]
PASSWORD_POLICY = {
    "MinimumPasswordLength": 8,
    "RequireSymbols": False,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "ExpirePasswords": False,
    "PasswordReusePrevention": 5,
}


# MaxSessionDuration per role, as ListRoles reports it (authorization details do not carry
# it). 3600 s (IAM's default) unless listed: the SAML admin role was raised to 12 hours so
# console sessions "stop timing out" (TR005); the EHR task role to 4 hours (TR005: it reaches PHI).
MAX_SESSION_DEFAULT = 3600
MAX_SESSION = {
    "ClinicAdmins": 43200,
    "ehr-api-task": 14400,
}

# Sources this demo leaves out: the rules that need them are reported as not evaluated.
ABSENT = {}
ABSENT_DEFAULT = "not recorded in this demo snapshot"


# AWS Organizations: the clinic is a member account under Root → Workloads → Prod (the
# organization id is the one org-security-audit's trust policy pins). SCPs per level:
# `clinic-baseline-guardrails` protects CloudTrail and denies leaving the organization;
# nothing blocks public S3, public AMIs or IAM users (OG001).
ORG_ID = "o-7h2k9d4m1x"
MANAGEMENT_ACCOUNT = "246813579024"
SECURITY_ACCOUNT = "135792468013"
ORG_PATH = [
    ("r-7h2k", "ROOT", "Root", ["p-FullAWSAccess"]),
    ("ou-7h2k-wk8d5x2q", "ORGANIZATIONAL_UNIT", "Workloads", ["p-FullAWSAccess", "p-4q9m2x7c"]),
    ("ou-7h2k-p3r8d0a1", "ORGANIZATIONAL_UNIT", "Prod", ["p-FullAWSAccess"]),
    (ACCOUNT, "ACCOUNT", None, ["p-FullAWSAccess"]),
]
SCPS = [
    {
        "id": "p-FullAWSAccess",
        "arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
        "name": "FullAWSAccess",
        "aws_managed": True,
        "content": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        },
    },
    {
        "id": "p-4q9m2x7c",
        "arn": f"arn:aws:organizations::{MANAGEMENT_ACCOUNT}:policy/{ORG_ID}/service_control_policy/p-4q9m2x7c",
        "name": "clinic-baseline-guardrails",
        "aws_managed": False,
        "content": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ProtectCloudTrail",
                    "Effect": "Deny",
                    "Action": [
                        "cloudtrail:StopLogging",
                        "cloudtrail:DeleteTrail",
                        "cloudtrail:UpdateTrail",
                        "cloudtrail:PutEventSelectors",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/break-glass-admin"}
                    },
                },
                {
                    "Sid": "StayInTheOrganization",
                    "Effect": "Deny",
                    "Action": "organizations:LeaveOrganization",
                    "Resource": "*",
                },
            ],
        },
    },
]

# Regional checks ran in these regions (`--regions us-east-1,us-west-2`).
REGIONS = ["us-east-1", "us-west-2"]
# IAM Access Analyzer: an account analyzer in us-east-1 with one ACTIVE external-access
# finding (phi-records-prod's bucket policy shares it with ClaimBridge's account
# 999988887777; ListFindingsV2 does not name the principal); none in us-west-2 (MN001).
ANALYZER_ARN = f"arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzer/clinic-account-analyzer"
ACCESS_ANALYZER = [
    {
        "region": "us-east-1",
        "status": "ok",
        "analyzers": [{
            "arn": ANALYZER_ARN,
            "name": "clinic-account-analyzer",
            "type": "ACCOUNT",
            "status": "ACTIVE",
        }],
        "findings": [{
            "id": "0d6a7b3e-4c1f-4b8e-9a52-7f3c1e2d9b40",
            "analyzer_arn": ANALYZER_ARN,
            "resource": "arn:aws:s3:::phi-records-prod",
            "resource_type": "AWS::S3::Bucket",
            "resource_owner_account": ACCOUNT,
            "finding_type": "ExternalAccess",
            "status": "ACTIVE",
            "created_at": "2026-10-02T14:03:11Z",
        }],
    },
    {"region": "us-west-2", "status": "ok", "analyzers": [], "findings": []},
]
# CloudTrail: one trail, set up before the clinic used a second region: single-region and
# without log file validation (MN004).
CLOUDTRAIL = [{
    "name": "clinic-audit",
    "arn": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/clinic-audit",
    "home_region": "us-east-1",
    "is_multi_region": False,
    "is_organization_trail": False,
    "log_file_validation": False,
    "s3_bucket": f"clinic-cloudtrail-logs-{ACCOUNT}",
    "is_logging": True,
    "event_selectors": {"EventSelectors": [{
        "ReadWriteType": "All",
        "IncludeManagementEvents": True,
        "DataResources": [],
        "ExcludeManagementEventSources": [],
    }]},
}]


def report_time(t):
    """The credential report's format: 2026-11-19T15:42:08+00:00."""
    return t + "+00:00"


def api_time(t):
    return t + "Z"


def key_id(user, slot):
    """A fictitious but well-formed, stable access key id: AKIA + 16 base32 characters."""
    digest = hashlib.sha256(f"{ACCOUNT}/{user}/{slot}".encode()).digest()
    return "AKIA" + base64.b32encode(digest).decode()[:16]


def credential_row(user, creds):
    row = {c: "N/A" for c in COLUMNS}
    row.update({
        "user": user["UserName"],
        "arn": user["Arn"],
        "user_creation_time": user["CreateDate"],
        "password_enabled": "false",
        "mfa_active": "true" if creds["mfa"] else "false",
        "access_key_1_active": "false",
        "access_key_2_active": "false",
        "cert_1_active": "false",
        "cert_2_active": "false",
    })
    if creds["password"]:
        used, changed = creds["password"]
        row["password_enabled"] = "true"
        row["password_last_used"] = report_time(used) if used else "no_information"
        row["password_last_changed"] = report_time(changed)
    for slot, (status, created, used, service, region) in enumerate(creds["keys"], 1):
        p = f"access_key_{slot}_"
        row[p + "active"] = "true" if status == "Active" else "false"
        row[p + "last_rotated"] = report_time(created)
        if used:
            row[p + "last_used_date"] = report_time(used)
            row[p + "last_used_service"] = service
            row[p + "last_used_region"] = region
    return row


def root_row():
    row = {c: "N/A" for c in COLUMNS}
    row.update({
        "user": "<root_account>",
        "arn": f"arn:aws:iam::{ACCOUNT}:root",
        "user_creation_time": report_time(ROOT["created"]),
        "password_enabled": "not_supported",
        "password_last_used": report_time(ROOT["password_last_used"]),
        "password_last_changed": "not_supported",
        "password_next_rotation": "not_supported",
        "mfa_active": "true" if ROOT["mfa"] else "false",
        "access_key_1_active": "false",
        "access_key_2_active": "false",
        "cert_1_active": "false",
        "cert_2_active": "false",
    })
    return row


def main():
    with open(AUTHZ) as f:
        authz = json.load(f)
    iam = {k: authz.get(k, []) for k in AUTHZ_LISTS}
    # ListRoles' MaxSessionDuration, merged into the role details as live collection does.
    iam["RoleDetailList"] = [
        {**r, "MaxSessionDuration": MAX_SESSION.get(r["RoleName"], MAX_SESSION_DEFAULT)}
        for r in iam["RoleDetailList"]
    ]
    users = iam["UserDetailList"]
    names = [u["UserName"] for u in users]
    if sorted(names) != sorted(CREDENTIALS):
        sys.exit(f"{AUTHZ}: users {names} differ from the demo's credential data {sorted(CREDENTIALS)}")

    rows = [root_row()] + [credential_row(u, CREDENTIALS[u["UserName"]]) for u in users]

    access_keys = []
    for u in users:
        for slot, (status, created, used, service, region) in enumerate(
                CREDENTIALS[u["UserName"]]["keys"], 1):
            k = {
                "UserName": u["UserName"],
                "AccessKeyId": key_id(u["UserName"], slot),
                "Status": status,
                "CreateDate": api_time(created),
            }
            if used:
                k.update({"LastUsedDate": api_time(used), "LastUsedService": service,
                          "LastUsedRegion": region})
            access_keys.append(k)

    mfa_devices = [{
        "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device",
        "UserArn": f"arn:aws:iam::{ACCOUNT}:root",
        "EnableDate": api_time(ROOT["mfa_enabled"]),
    }]
    by_name = {u["UserName"]: u for u in users}
    for name, enabled in MFA_ENABLED.items():
        mfa_devices.append({
            "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/{name}",
            "UserArn": by_name[name]["Arn"],
            "EnableDate": api_time(enabled),
        })
    for name in UNASSIGNED_MFA:
        mfa_devices.append({"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/{name}"})

    profiles = {}
    for r in iam["RoleDetailList"]:
        for p in r.get("InstanceProfileList", []):
            entry = profiles.setdefault(p["Arn"], {
                "InstanceProfileName": p["InstanceProfileName"],
                "Arn": p["Arn"],
                "Roles": [],
            })
            entry["Roles"].append(r["RoleName"])
    instance_profiles = [profiles[a] for a in sorted(profiles)]

    customer_policies = [p for p in iam["Policies"] if f":{ACCOUNT}:" in p["Arn"]]
    mfa_in_use = sum(1 for d in mfa_devices if "UserArn" in d)
    summary = {
        "AccessKeysPerUserQuota": 2,
        "AccountAccessKeysPresent": 0,
        "AccountMFAEnabled": 1 if ROOT["mfa"] else 0,
        "AccountSigningCertificatesPresent": 0,
        "AttachedPoliciesPerGroupQuota": 10,
        "AttachedPoliciesPerRoleQuota": 10,
        "AttachedPoliciesPerUserQuota": 10,
        "GlobalEndpointTokenVersion": 1,
        "GroupPolicySizeQuota": 5120,
        "Groups": len(iam["GroupDetailList"]),
        "GroupsPerUserQuota": 10,
        "GroupsQuota": 300,
        "InstanceProfiles": len(instance_profiles),
        "InstanceProfilesQuota": 1000,
        "MFADevices": len(mfa_devices),
        "MFADevicesInUse": mfa_in_use,
        "Policies": len(customer_policies),
        "PoliciesQuota": 1500,
        "PolicySizeQuota": 6144,
        "PolicyVersionsInUse": sum(len(p.get("PolicyVersionList", [])) for p in customer_policies),
        "PolicyVersionsInUseQuota": 10000,
        "Providers": 3,
        "RolePolicySizeQuota": 10240,
        "Roles": len(iam["RoleDetailList"]),
        "RolesQuota": 1000,
        "ServerCertificates": 0,
        "ServerCertificatesQuota": 20,
        "SigningCertificatesPerUserQuota": 2,
        "UserPolicySizeQuota": 2048,
        "Users": len(users),
        "UsersQuota": 5000,
        "VersionsPerPolicyQuota": 5,
    }

    organization = {
        "id": ORG_ID,
        "arn": f"arn:aws:organizations::{MANAGEMENT_ACCOUNT}:organization/{ORG_ID}",
        "management_account_id": MANAGEMENT_ACCOUNT,
        "feature_set": "ALL",
        "is_management_account": False,
        "path": [
            dict({"id": i, "kind": kind, "policy_ids": pols}, **({"name": name} if name else {}))
            for i, kind, name, pols in ORG_PATH
        ],
        "policies": SCPS,
        "accounts": sorted([MANAGEMENT_ACCOUNT, SECURITY_ACCOUNT, ACCOUNT]),
    }

    audit_role = next(r for r in iam["RoleDetailList"] if r["RoleName"] == "org-security-audit")
    detail = {
        "sts.caller_identity": f"arn:aws:sts::{ACCOUNT}:assumed-role/org-security-audit/phi-audit",
        "iam.authorization_details": (
            f"{len(iam['RoleDetailList'])} roles, {len(users)} users, "
            f"{len(iam['GroupDetailList'])} groups, {len(iam['Policies'])} managed policies"),
        "iam.credential_report": f"{len(rows)} rows (root included), generated {REPORT_GENERATED}",
        "iam.account_summary": f"{len(summary)} SummaryMap entries",
        "iam.password_policy": "account password policy present",
        "iam.account_aliases": ALIAS,
        "iam.mfa_devices": f"{len(mfa_devices)} virtual MFA devices ({mfa_in_use} assigned)",
        "iam.instance_profiles": f"{len(instance_profiles)} instance profiles",
        "iam.access_keys": (
            f"{len(access_keys)} access keys of {len({k['UserName'] for k in access_keys})} "
            f"of {len(users)} users (ids and last use only)"),
        "iam.role_details": f"MaxSessionDuration of {len(iam['RoleDetailList'])} role(s)",
        "ec2.regions": f"{len(REGIONS)} region(s) from --regions",
        "organizations.organization": f"organization {ORG_ID} (management account {MANAGEMENT_ACCOUNT})",
        "organizations.scps": f"{len(SCPS)} SCP(s) along {len(ORG_PATH)} level(s) root → account",
        "accessanalyzer.analyzers": (
            f"{len(ACCESS_ANALYZER)} region(s), "
            f"{sum(len(r['findings']) for r in ACCESS_ANALYZER)} active finding(s)"),
        "cloudtrail.trails": f"{len(CLOUDTRAIL)} trail(s)",
    }
    coverage = []
    for s in SOURCES:
        if s in detail:
            coverage.append({"source": s, "status": "ok", "detail": detail[s]})
        else:
            coverage.append({"source": s, "status": "absent", "detail": ABSENT.get(s, ABSENT_DEFAULT)})

    snapshot = {
        "schema_version": 1,
        "tool": {"name": "phi-audit", "version": "0.1.0"},
        "account": {"id": ACCOUNT, "alias": ALIAS, "partition": "aws"},
        "caller": {
            "account": ACCOUNT,
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/org-security-audit/phi-audit",
            "user_id": f"{audit_role['RoleId']}:phi-audit",
        },
        "collected_at": COLLECTED_AT,
        "source": "snapshot",
        "coverage": coverage,
        "iam": iam,
        "credential_report": {"generated_time": REPORT_GENERATED, "rows": rows},
        "account_summary": summary,
        "password_policy": PASSWORD_POLICY,
        "mfa_devices": mfa_devices,
        "instance_profiles": instance_profiles,
        "access_keys": access_keys,
        "regions": REGIONS,
        "organization": organization,
        "access_analyzer": ACCESS_ANALYZER,
        "cloudtrail": CLOUDTRAIL,
    }
    with open(OUT, "w") as f:
        json.dump(snapshot, f, indent=2)
        f.write("\n")
    print(f"wrote {OUT}: {len(rows)} credential report rows, {len(access_keys)} access keys")


if __name__ == "__main__":
    main()
