#!/usr/bin/env bash
# The whole test suite, as the README states it and CI runs it (.ci/run).
# Installs what the tests need when missing (moto, into .venv-moto), then runs
# formatting and lint checks and every test. Never reaches AWS: dummy
# credentials, instance metadata disabled.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
# jsonschema validates the SARIF output against the SARIF 2.1.0 schema (tests/it/reports.rs).
JSONSCHEMA_VERSION="4.26.0"
if ! .venv-moto/bin/python -c "
import sys, importlib.metadata as m
sys.exit(m.version('moto') != '$MOTO_VERSION' or m.version('jsonschema') != '$JSONSCHEMA_VERSION')" 2>/dev/null; then
    echo "==> installing moto $MOTO_VERSION and jsonschema $JSONSCHEMA_VERSION into .venv-moto"
    python3 -m venv .venv-moto
    .venv-moto/bin/pip install --quiet --disable-pip-version-check \
        "moto[server]==$MOTO_VERSION" "jsonschema==$JSONSCHEMA_VERSION"
fi
export PHI_AUDIT_MOTO_PYTHON="$PWD/.venv-moto/bin/python"

# Headless Chromium renders the HTML report in one test (tests/it/reports.rs); installed from
# Debian when missing and possible (about a minute, once), otherwise that test is skipped.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing chromium (HTML report render test)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
        || echo "warning: could not install chromium; the HTML render test will be skipped"
fi
if command -v chromium >/dev/null 2>&1; then
    export PHI_AUDIT_CHROMIUM="$(command -v chromium)"
fi

export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
unset AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE || true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --locked --all-targets -- -D warnings
echo "==> cargo test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked --lib --bins --tests 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line with the totals of every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;?$/) p += $i; if ($(i+1) ~ /^failed;?$/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
