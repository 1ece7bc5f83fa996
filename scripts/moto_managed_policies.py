#!/usr/bin/env python3
"""Write every AWS managed policy that moto ships as a get-account-authorization-details file.

Used by the corpus test (tests/it/moto_corpus.rs): real policy documents that no one on this
project wrote, to prove the parser and every rule handle them.

    python scripts/moto_managed_policies.py OUT.json [--raw]

--raw writes documents URL-encoded, as the IAM API returns them; otherwise as JSON objects, as
the AWS CLI prints them. Every policy gets AttachmentCount 1 so that rules evaluate it, and one
role is added so the file names an account.
"""
import json
import sys
import urllib.parse

from moto.iam.aws_managed_policies import aws_managed_policies_data


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    raw = "--raw" in sys.argv
    if len(args) != 1:
        sys.exit(__doc__)
    data = json.loads(aws_managed_policies_data)
    policies = []
    for name, p in sorted(data.items()):
        doc = p["Document"]
        if raw:
            doc = urllib.parse.quote(json.dumps(doc, separators=(",", ":")), safe="")
        path = p.get("Path", "/")
        policies.append(
            {
                "PolicyName": name,
                "PolicyId": "ANPA" + format(abs(hash(name)) % 10**17, "017d"),
                "Arn": f"arn:aws:iam::aws:policy{path}{name}",
                "Path": path,
                "DefaultVersionId": p.get("DefaultVersionId", "v1"),
                "AttachmentCount": 1,
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": p.get("CreateDate"),
                "UpdateDate": p.get("UpdateDate"),
                "PolicyVersionList": [
                    {
                        "Document": doc,
                        "VersionId": p.get("DefaultVersionId", "v1"),
                        "IsDefaultVersion": True,
                        "CreateDate": p.get("UpdateDate"),
                    }
                ],
            }
        )
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    out = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [
            {
                "Path": "/",
                "RoleName": "corpus-holder",
                "RoleId": "AROACORPUSHOLDER00001",
                "Arn": "arn:aws:iam::123456789012:role/corpus-holder",
                "CreateDate": "2026-01-01T00:00:00+00:00",
                "AssumeRolePolicyDocument": urllib.parse.quote(json.dumps(trust), safe="") if raw else trust,
                "InstanceProfileList": [],
                "RolePolicyList": [],
                "AttachedManagedPolicies": [],
                "Tags": [],
                "RoleLastUsed": {},
            }
        ],
        "Policies": policies,
        "IsTruncated": False,
    }
    with open(args[0], "w") as f:
        json.dump(out, f)
    print(len(policies))


if __name__ == "__main__":
    main()
