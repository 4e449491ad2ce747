#!/usr/bin/env bash
# `make test-compat`: psa_helpdesk next to the OCA helpdesk addons companies
# run with it. A throw-away database with psa_helpdesk, psa_helpdesk_livechat,
# every glue addon of this repository (psa_helpdesk_*: discovered, so a new
# one is picked up) and the sibling addons of requirements-compat.txt
# (installed into .venv first), all installed with --test-enable: their tests
# and ours, at_install and post_install. The run itself is scripts/test.sh
# (same log, same verdict: any failed test, any ERROR/CRITICAL record, any
# WARNING that scripts/test_summary.py does not accept fails it), without
# the lifecycle checks, which `make test` runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

REQUIREMENTS="$ROOT/requirements-compat.txt"
echo "[test-compat] installing the sibling addons of ${REQUIREMENTS#"$ROOT"/}"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS"

# the sibling addons: odoo-addon-<name>==18.0.* in the requirements
siblings="$(sed -n 's/^odoo-addon-\([a-z0-9_]*\).*/\1/p' "$REQUIREMENTS" | paste -sd, -)"
# psa_helpdesk first, then every installable addon of this repository
ours="psa_helpdesk"
for manifest in "$ROOT"/psa_helpdesk_*/__manifest__.py; do
    [ -f "$manifest" ] || continue
    if "$VENV/bin/python" -c 'import ast, sys
sys.exit(not ast.literal_eval(open(sys.argv[1]).read()).get("installable", True))' "$manifest"; then
        ours="$ours,$(basename "$(dirname "$manifest")")"
    fi
done

# TEST_TAGS (scripts/test.sh) still picks tests, e.g.
# TEST_TAGS=/helpdesk_mgmt_timesheet make test-compat
export TEST_MODULES="$ours,$siblings"
export TEST_DB="${TEST_DB:-psa_compat_$$}"
export TEST_LIFECYCLE=0
echo "[test-compat] ours: $ours"
echo "[test-compat] siblings: $siblings"
exec bash "$ROOT/scripts/test.sh"
