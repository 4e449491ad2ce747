#!/usr/bin/env bash
# `make run`: the psa_demo database (psa_helpdesk with demo data) created when
# missing, then Odoo served on http://127.0.0.1:$HTTP_PORT (admin / admin).
#
# The screen shows progress and problems only: the module being installed
# (n/N), then the address, and every ERROR/CRITICAL record of the server. The
# full log (info level) goes to $RUN_LOG, default .run-logs/odoo.log (one
# file, appended), whose path is printed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

DB="${DEMO_DB:-psa_demo}"
LOG="${RUN_LOG:-$ROOT/.run-logs/odoo.log}"
mkdir -p "$(dirname "$LOG")"
ODOO=("$VENV/bin/odoo" --addons-path="$(addons_path)" -d "$DB" --db-filter="^$DB\$"
    --logfile="$LOG" --log-level=info)

# ERROR and CRITICAL records of the log, from line $1 on, to the screen,
# while process $2 lives
show_errors() {
    tail -n "+$1" -F --pid="$2" "$LOG" 2>/dev/null |
        grep --line-buffered -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' || true
}
log_lines() { if [ -f "$LOG" ]; then wc -l <"$LOG"; else echo 0; fi; }

installed() {
    psql -d "$DB" -tAc "select 1 from ir_module_module where name='psa_helpdesk' and state='installed'" 2>/dev/null | grep -q 1
}

echo "[run] full log: $LOG"
if ! installed; then
    echo "[run] creating database $DB with psa_helpdesk and demo data (a few minutes)"
    dropdb --if-exists "$DB" 2>/dev/null || true
    start=$(($(log_lines) + 1))
    "${ODOO[@]}" -i psa_helpdesk --load-language=es_AR --stop-after-init --max-cron-threads=0 &
    pid=$!
    trap 'kill "$pid" 2>/dev/null || true' INT TERM
    show_errors "$start" "$pid" &
    last=""
    while kill -0 "$pid" 2>/dev/null; do
        progress="$(tail -n "+$start" "$LOG" 2>/dev/null | grep -oE 'Loading module [a-z0-9_]+ \([0-9]+/[0-9]+\)' | tail -n 1 || true)"
        if [ -n "$progress" ] && [ "$progress" != "$last" ]; then
            echo "[run] ${progress#Loading }"
            last="$progress"
        fi
        sleep 2
    done
    status=0
    wait "$pid" || status=$?
    trap - INT TERM
    if [ "$status" != 0 ] || ! installed; then
        echo "[run] FAILED: the database was not created (exit status $status); see $LOG" >&2
        exit 1
    fi
    echo "[run] database $DB ready"
fi
echo
echo "[run] psa_helpdesk demo: http://127.0.0.1:$HTTP_PORT   login: admin   password: admin"
echo "[run] demo users per role (password = login): see README, \"Demo users\""
echo "[run] errors of the server show here; everything else is in $LOG"
echo "[run] Ctrl+C stops the server."
echo
start=$(($(log_lines) + 1))
show_errors "$start" $$ &
"${ODOO[@]}" --http-interface=127.0.0.1 --http-port="$HTTP_PORT" "$@"
