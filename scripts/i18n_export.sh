#!/usr/bin/env bash
# Export psa_helpdesk's translation template and merge it into es.po.
# Uses (and updates) the psa_demo database: run `make run` once before.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
DB="${DEMO_DB:-psa_demo}"
I18N="$ROOT/psa_helpdesk/i18n"
"$VENV/bin/odoo" --addons-path="$(addons_path)" -d "$DB" -u psa_helpdesk \
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
