#!/usr/bin/env python3
"""Seed a moto server with an organization for phi-audit's live tests.

    python scripts/seed_moto_org.py ENDPOINT [--trail multi|single|none]

The default account (123456789012) becomes the management account of an organization with
feature set ALL. A member account "clinic-prod" is created under OU Workloads/Prod; an SCP that
protects CloudTrail (deny StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors) is attached
to the Workloads OU; FullAWSAccess stays attached everywhere, as AWS does. In the member account
(reached with AssumeRole, as a scan would) a trail is created: multi-region with log file
validation and logging (`multi`), single-region without validation (`single`), or none.
Prints {"member": "<account id>", "management": "123456789012"} as JSON.
"""
import argparse
import json

import boto3

PROTECT_CLOUDTRAIL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ProtectCloudTrail",
            "Effect": "Deny",
            "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"],
            "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/break-glass"}},
        }
    ],
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("endpoint")
    ap.add_argument("--trail", choices=["multi", "single", "none"], default="multi")
    a = ap.parse_args()
    kw = dict(endpoint_url=a.endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    org = boto3.client("organizations", **kw)
    mgmt = org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    workloads = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    prod = org.create_organizational_unit(ParentId=workloads, Name="Prod")["OrganizationalUnit"]["Id"]
    member = org.create_account(Email="clinic-prod@example.org", AccountName="clinic-prod")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=prod)
    scp = org.create_policy(
        Name="protect-cloudtrail",
        Description="Nobody but break-glass may stop or change CloudTrail",
        Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps(PROTECT_CLOUDTRAIL),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp, TargetId=workloads)

    if a.trail != "none":
        creds = boto3.client("sts", **kw).assume_role(RoleArn=f"arn:aws:iam::{member}:role/seed", RoleSessionName="seed")["Credentials"]
        mk = dict(
            endpoint_url=a.endpoint,
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        boto3.client("s3", **mk).create_bucket(Bucket=f"clinic-trail-{member}")
        ct = boto3.client("cloudtrail", **mk)
        multi = a.trail == "multi"
        ct.create_trail(Name="org-audit", S3BucketName=f"clinic-trail-{member}", IsMultiRegionTrail=multi, EnableLogFileValidation=multi)
        # moto returns no selectors for a fresh trail where AWS returns its default one:
        # set AWS's default explicitly (all management events, read and write).
        ct.put_event_selectors(TrailName="org-audit", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}])
        ct.start_logging(Name="org-audit")
    print(json.dumps({"member": member, "management": mgmt}))


if __name__ == "__main__":
    main()
