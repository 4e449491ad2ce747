#!/usr/bin/env bash
# `make pytest ARGS="psa_helpdesk/tests -k name"`: run tests with pytest-odoo
# on a database prepared once and kept (PYTEST_DB, default psa_pytest):
# created with PYTEST_MODULES (default psa_helpdesk,psa_helpdesk_livechat)
# the first time, updated (-u) when one of those addons of this repository
# changed since (its files but its tests/, which pytest reads anew each
# run), then
#   pytest --odoo-database=<db> --odoo-addons-path=<ours> <ARGS>
# A single test takes seconds. Browser tours (HttpCase) need --odoo-http.
# The log of the preparation is .test-logs/pytest/<db>.log. `make test`
# stays CI's command: it runs every test on a new database.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

DB="${PYTEST_DB:-psa_pytest}"
MODULES="${PYTEST_MODULES:-psa_helpdesk,psa_helpdesk_livechat}"
DIR="$ROOT/.test-logs/pytest"
STAMP="$DIR/$DB.stamp"
LOG="$DIR/$DB.log"
mkdir -p "$DIR"
ADDONS_PATH="$(addons_path)"

# What the database was prepared from: the module list, the addons path and
# every file of our addons among them, their tests excepted.
fingerprint() {
    local module
    {
        echo "$MODULES $ADDONS_PATH"
        for module in ${MODULES//,/ }; do
            [ -d "$ROOT/$module" ] || continue
            (cd "$ROOT" && find "$module" -type f -not -path "*/tests/*" \
                -not -path "*/static/tests/*" -not -name "*.pyc" -print0 \
                | sort -z | xargs -0 sha256sum)
        done
    } | sha256sum | cut -c1-16
}

prepare() {
    local want missing installed
    want="$(fingerprint)"
    if ! psql -d "$DB" -tAc "select 1" >/dev/null 2>&1; then
        echo "[pytest] creating database $DB with $MODULES (log: ${LOG#"$ROOT"/})"
        "$VENV/bin/odoo" --addons-path="$ADDONS_PATH" -d "$DB" -i "$MODULES" \
            --stop-after-init --no-database-list --no-http \
            --max-cron-threads=0 --workers=0 --log-level=warn --logfile="$LOG" \
            || { echo "[pytest] could not create $DB: see $LOG"; dropdb --if-exists "$DB"; exit 1; }
        echo "$want" >"$STAMP"
        return
    fi
    [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ] && return
    installed="$(psql -d "$DB" -tAc "select name from ir_module_module
        where state = 'installed' and name = any(string_to_array('$MODULES', ','))" | paste -sd, -)"
    missing="$(tr ',' '\n' <<<"$MODULES" | grep -vxF -f <(tr ',' '\n' <<<"$installed") | paste -sd, - || true)"
    echo "[pytest] updating database $DB: ${installed:+-u $installed }${missing:+-i $missing} (log: ${LOG#"$ROOT"/})"
    "$VENV/bin/odoo" --addons-path="$ADDONS_PATH" -d "$DB" \
        ${installed:+-u "$installed"} ${missing:+-i "$missing"} \
        --stop-after-init --no-database-list --no-http \
        --max-cron-threads=0 --workers=0 --log-level=warn --logfile="$LOG" \
        || { echo "[pytest] could not update $DB: see $LOG"; exit 1; }
    echo "$want" >"$STAMP"
}

# one preparation at a time per database
exec 9>"$STAMP.lock"
flock 9
prepare
flock -u 9

cd "$ROOT"
exec "$VENV/bin/python" -m pytest --odoo-database="$DB" --odoo-addons-path="$ADDONS_PATH" "$@"
