#!/usr/bin/env python3
"""Seed a moto server with a small clinic account for phi-audit's live tests.

    python scripts/seed_moto.py ENDPOINT SECRETS_OUT [--roles N] [--users N]

Creates (through boto3, exactly as a user of the real API would): a weak password policy, the
alias clinic-prod, a SAML provider, users with and without console passwords, MFA and access
keys, an Admins group with AdministratorAccess, workload and human roles (one with admin, one with
a PHI wildcard policy, one with iam:PassRole on *), instance profiles. --roles/--users add bulk
filler roles and users (each filler user gets one access key) for the API-call-count test.
Writes every secret access key it created to SECRETS_OUT (JSON list) so the test can prove that
none of them reaches phi-audit's outputs.
"""
import argparse
import json

import boto3

TRUST_ECS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
TRUST_EC2 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("endpoint")
    ap.add_argument("secrets_out")
    ap.add_argument("--roles", type=int, default=0)
    ap.add_argument("--users", type=int, default=0)
    a = ap.parse_args()
    iam = boto3.client(
        "iam",
        endpoint_url=a.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    secrets = []

    def key(user):
        k = iam.create_access_key(UserName=user)["AccessKey"]
        secrets.append(k["SecretAccessKey"])
        return k["AccessKeyId"]

    iam.update_account_password_policy(MinimumPasswordLength=8, RequireNumbers=True)
    iam.create_account_alias(AccountAlias="clinic-prod")
    saml = iam.create_saml_provider(
        Name="ClinicOkta",
        # The API wants >= 1000 characters; moto does not parse it.
        SAMLMetadataDocument="<EntityDescriptor xmlns='urn:oasis:names:tc:SAML:2.0:metadata' entityID='http://www.okta.com/clinic'>"
        + "<!-- " + "x" * 1000 + " --></EntityDescriptor>",
    )["SAMLProviderArn"]

    # People and bots.
    iam.create_group(GroupName="Admins")
    iam.attach_group_policy(GroupName="Admins", PolicyArn=ADMIN)
    iam.create_user(UserName="alice", Tags=[{"Key": "owner", "Value": "it"}])
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-Battery-9")
    iam.add_user_to_group(GroupName="Admins", UserName="alice")
    iam.create_user(UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Correct-Horse-Battery-8")
    mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="bob", SerialNumber=mfa, AuthenticationCode1="123456", AuthenticationCode2="654321")

    etl = iam.create_policy(
        PolicyName="etl-read-all",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "ReadEverything", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}),
    )["Policy"]["Arn"]
    iam.create_user(UserName="etl-bot")
    iam.attach_user_policy(UserName="etl-bot", PolicyArn=etl)
    key("etl-bot")

    # Workloads.
    iam.create_role(RoleName="ehr-api", AssumeRolePolicyDocument=json.dumps(TRUST_ECS), Tags=[{"Key": "owner", "Value": "ehr"}, {"Key": "purpose", "Value": "EHR API"}])
    ehr = iam.create_policy(
        PolicyName="ehr-api-data",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "Records", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::phi-records-prod/*"},
            {"Sid": "Tables", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": "*"},
        ]}),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="ehr-api", PolicyArn=ehr)

    iam.create_role(RoleName="legacy-deploy", AssumeRolePolicyDocument=json.dumps(TRUST_EC2), MaxSessionDuration=43200)
    iam.attach_role_policy(RoleName="legacy-deploy", PolicyArn=ADMIN)
    iam.create_instance_profile(InstanceProfileName="legacy-deploy")
    iam.add_role_to_instance_profile(InstanceProfileName="legacy-deploy", RoleName="legacy-deploy")

    ci = iam.create_policy(
        PolicyName="ci-deploy",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "PassRoles", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}),
    )["Policy"]["Arn"]
    iam.create_role(RoleName="ci-deployer", AssumeRolePolicyDocument=json.dumps(TRUST_ECS))
    iam.attach_role_policy(RoleName="ci-deployer", PolicyArn=ci)

    # People through federation.
    iam.create_role(
        RoleName="ClinicAdmins",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": saml}, "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}),
    )
    iam.attach_role_policy(RoleName="ClinicAdmins", PolicyArn=ADMIN)

    # Filler for scale tests: scoped workload roles and bot users with one key each.
    scoped = iam.create_policy(
        PolicyName="scoped-reader",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-config/*"}]}),
    )["Policy"]["Arn"]
    for i in range(a.roles):
        name = f"svc-{i:04d}"
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_ECS))
        iam.attach_role_policy(RoleName=name, PolicyArn=scoped)
    for i in range(a.users):
        name = f"bot-{i:04d}"
        iam.create_user(UserName=name)
        key(name)

    with open(a.secrets_out, "w") as f:
        json.dump(secrets, f)


if __name__ == "__main__":
    main()
