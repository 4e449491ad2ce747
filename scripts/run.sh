#!/usr/bin/env bash
# `make run`: the psa_demo database (psa_helpdesk with demo data) created when
# missing, then Odoo served on http://127.0.0.1:$HTTP_PORT (admin / admin).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

DB="${DEMO_DB:-psa_demo}"
ODOO=("$VENV/bin/odoo" --addons-path="$(addons_path)" -d "$DB" --db-filter="^$DB\$")

installed() {
    psql -d "$DB" -tAc "select 1 from ir_module_module where name='psa_helpdesk' and state='installed'" 2>/dev/null | grep -q 1
}
if ! installed; then
    echo "[run] creating database $DB with psa_helpdesk and demo data (about a minute)"
    dropdb --if-exists "$DB" 2>/dev/null || true
    "${ODOO[@]}" -i psa_helpdesk --load-language=es_AR --stop-after-init --max-cron-threads=0 --log-level=warn
fi
echo
echo "[run] psa_helpdesk demo: http://127.0.0.1:$HTTP_PORT   login: admin   password: admin"
echo "[run] Ctrl+C stops the server."
echo
exec "${ODOO[@]}" --http-interface=127.0.0.1 --http-port="$HTTP_PORT" "$@"
