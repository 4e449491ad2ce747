#!/usr/bin/env bash
# Export psa_helpdesk's translation template and merge it into es.po.
# Exported from a throw-away database with psa_helpdesk and its demo data, so
# that records loaded once (noupdate, e.g. mail templates) are the ones of
# the files, not of an older demo database.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
bash "$ROOT/scripts/setup.sh"
DB="psa_i18n_$$"
I18N="$ROOT/psa_helpdesk/i18n"
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
"$VENV/bin/odoo" --addons-path="$(addons_path)" -d "$DB" -i psa_helpdesk \
    --stop-after-init --max-cron-threads=0 --log-level=warn
"$VENV/bin/odoo" --addons-path="$(addons_path)" -d "$DB" --modules=psa_helpdesk \
    --i18n-export="$I18N/psa_helpdesk.pot" --stop-after-init --log-level=warn
if [ -f "$I18N/es.po" ]; then
    msgmerge --quiet --no-fuzzy-matching --update --backup=none "$I18N/es.po" "$I18N/psa_helpdesk.pot"
else
    msginit --no-translator --locale=es --input="$I18N/psa_helpdesk.pot" --output-file="$I18N/es.po"
fi
echo "[i18n] $(grep -c '^msgid' "$I18N/psa_helpdesk.pot") strings; untranslated in es.po:"
msgattrib --untranslated "$I18N/es.po" | grep -c '^msgid' || true
