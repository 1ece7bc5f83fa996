#!/usr/bin/env python3
"""Turn an `aws iam get-account-authorization-details` file as the AWS CLI prints it into
the raw API shape, split over N pages.

    python3 scripts/make_raw_pages.py IN.json OUT_DIR/ N

What changes compared with the CLI shape:
  * every policy document (AssumeRolePolicyDocument, PolicyDocument in the
    User/Group/RolePolicyList entries, Document in PolicyVersionList) becomes a string:
    the compact JSON, percent-encoded with nothing left safe (so "+" is "%2B", " " is "%20");
  * timestamps "2025-03-01T09:30:00+00:00" become "2025-03-01T09:30:00Z";
  * the entities (users, then groups, then roles, then policies, in input order) are spread
    over N pages, page-1.json … page-N.json. Every page has all four lists (possibly empty);
    all pages but the last have IsTruncated true and a Marker, the last has IsTruncated false.

Standard library only. The output is deterministic for a given input and N.
"""
import hashlib
import json
import os
import re
import sys
import urllib.parse

LISTS = ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"]
DOC_KEYS = {"AssumeRolePolicyDocument", "PolicyDocument", "Document"}
TS_KEYS = {"CreateDate", "UpdateDate", "LastUsedDate"}
TS_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(?:\+00:00|Z)$")


def encode_doc(doc):
    return urllib.parse.quote(json.dumps(doc, separators=(",", ":")), safe="")


def convert(value, key=None):
    """Recursively encode policy documents and rewrite timestamps."""
    if key in DOC_KEYS and isinstance(value, dict):
        return encode_doc(value)
    if key in TS_KEYS and isinstance(value, str):
        m = TS_RE.match(value)
        if not m:
            raise ValueError(f"unexpected timestamp format in {key}: {value!r}")
        return m.group(1) + "Z"
    if isinstance(value, dict):
        return {k: convert(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [convert(v) for v in value]
    return value


def split(entities, n):
    """Split a list into n contiguous, nearly equal chunks (earlier chunks get the extra)."""
    q, r = divmod(len(entities), n)
    out, i = [], 0
    for p in range(n):
        size = q + (1 if p < r else 0)
        out.append(entities[i:i + size])
        i += size
    return out


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: make_raw_pages.py IN.json OUT_DIR N\n")
        return 2
    src, out_dir, n = argv[1], argv[2], int(argv[3])
    if n < 1:
        sys.stderr.write("N must be >= 1\n")
        return 2
    with open(src) as f:
        data = json.load(f)
    if data.get("IsTruncated"):
        sys.stderr.write(f"{src}: input is itself a truncated page; give the complete document\n")
        return 2

    # One flat sequence of (list name, converted entity), in input order.
    flat = [(name, convert(e)) for name in LISTS for e in data.get(name, [])]
    if len(flat) < n:
        sys.stderr.write(f"{src}: {len(flat)} entities cannot fill {n} pages\n")
        return 2

    os.makedirs(out_dir, exist_ok=True)
    chunks = split(flat, n)
    for p, chunk in enumerate(chunks, start=1):
        page = {name: [e for (kind, e) in chunk if kind == name] for name in LISTS}
        if p < n:
            page["IsTruncated"] = True
            # Opaque and deterministic, looks like the base64-ish markers IAM returns.
            digest = hashlib.sha256(f"{os.path.basename(src)}:{p}".encode()).hexdigest()
            page["Marker"] = "AQEBA" + digest[:52].upper() + "=="
        else:
            page["IsTruncated"] = False
        path = os.path.join(out_dir, f"page-{p}.json")
        with open(path, "w") as f:
            json.dump(page, f, indent=4)
            f.write("\n")
        counts = ", ".join(f"{name}={len(page[name])}" for name in LISTS)
        print(f"{path}: {counts}, IsTruncated={page['IsTruncated']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
