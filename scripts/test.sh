#!/usr/bin/env bash
# `make test`: a throw-away database, psa_helpdesk (and its glue addon
# psa_helpdesk_livechat) installed with --test-enable,
# its tests plus those of helpdesk_mgmt and helpdesk_mgmt_project (at_install
# and post_install, browser tours included), then the lifecycle checks. Fails
# on any failed test or check and on any ERROR/CRITICAL or WARNING record in
# either log, but the warnings listed in scripts/test_summary.py
# (ACCEPTED_WARNINGS, each with its reason); ends with "N passed, M failed".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

MODULES="${TEST_MODULES:-psa_helpdesk,psa_helpdesk_livechat,helpdesk_mgmt,helpdesk_mgmt_project}"
TAGS="${TEST_TAGS:-$(echo "$MODULES" | sed 's/\(^\|,\)/\1\//g')}"
DB="${TEST_DB:-psa_test_$$}"
LOG_DIR="$ROOT/.test-logs"
LOG="$LOG_DIR/$DB.log"
mkdir -p "$LOG_DIR"

# A free port, so a `make run` server on 8069 does not disturb the tours.
PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

echo "[test] database $DB, modules $MODULES, tags $TAGS, log $LOG"
set +e
"$VENV/bin/odoo" \
    --addons-path="$(addons_path)" \
    -d "$DB" -i "$MODULES" \
    --test-enable --test-tags="$TAGS" \
    --stop-after-init --no-database-list \
    --http-interface=127.0.0.1 --http-port="$PORT" \
    --max-cron-threads=0 --workers=0 \
    --log-level=info --logfile= \
    2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}

# Lifecycle on the same database, now full of data and clocks: upgrade keeps
# everything, uninstall leaves a working helpdesk (TEST_LIFECYCLE=0 skips it).
LIFECYCLE_LOG="$LOG_DIR/$DB.lifecycle.log"
: >"$LIFECYCLE_LOG"
if [ "${TEST_LIFECYCLE:-1}" = 1 ] && [[ ",$MODULES," == *",psa_helpdesk,"* ]]; then
    "$VENV/bin/python" "$ROOT/scripts/lifecycle_check.py" --odoo "$VENV/bin/odoo" \
        --addons-path="$(addons_path)" --db "$DB" 2>&1 | tee "$LIFECYCLE_LOG"
fi
set -e

# not exec: the EXIT trap drops the database after the summary
"$VENV/bin/python" "$ROOT/scripts/test_summary.py" "$LOG" "$status" "$LIFECYCLE_LOG"
