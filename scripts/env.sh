# Shared settings for the scripts in this folder (sourced, not run).
# shellcheck shell=bash
: "${ROOT:?}"
VENV="$ROOT/.venv"
PSA_CACHE_DIR="${PSA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/psa_helpdesk}"
ODOO_CACHE="$PSA_CACHE_DIR/odoo-18.0"
ODOO_DOWNLOAD_URL="${ODOO_DOWNLOAD_URL:-https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz}"
HTTP_PORT="${HTTP_PORT:-8069}"

is_odoo_tree() {
    [ -f "$1/odoo/release.py" ] && grep -q "version_info = (18, 0" "$1/odoo/release.py"
}

# The Odoo source in use: $ODOO_SRC, else the cache.
odoo_src() {
    if [ -n "${ODOO_SRC:-}" ]; then echo "$ODOO_SRC"; else echo "$ODOO_CACHE"; fi
}

# Addons path for both layouts: a git checkout (addons/ + odoo/addons) and a
# nightly/source package (odoo/addons only), plus the OCA wheels and this repo.
addons_path() {
    local src site paths=()
    src="$(odoo_src)"
    site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    [ -d "$src/addons" ] && paths+=("$src/addons")
    paths+=("$src/odoo/addons")
    [ -d "$site/odoo/addons" ] && paths+=("$site/odoo/addons")
    paths+=("$ROOT")
    local IFS=,
    echo "${paths[*]}"
}
