#!/usr/bin/env bash
# Idempotent set-up of everything `make run` and `make test` need:
# system packages, the Odoo 18.0 source, a virtualenv in .venv/ with Odoo and
# our requirements, and a running local PostgreSQL with a role for this user.
# A second run on a set-up machine only checks stamps and returns in seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# --------------------------------------------------------------------------
# 1. System packages (Debian/Ubuntu). Installed when root, else named.
# --------------------------------------------------------------------------
SYSTEM_PACKAGES=(
    postgresql postgresql-client libpq-dev      # database + psycopg2 build
    libldap2-dev libsasl2-dev                   # python-ldap build
    libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev
    build-essential
    chromium                                    # browser tours (HttpCase)
)
system_packages() {
    command -v dpkg-query >/dev/null 2>&1 || {
        say "not a Debian-like system: make sure PostgreSQL, libpq, libldap, libsasl2 and chromium are installed"
        return 0
    }
    local missing=()
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing system packages: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        die "missing system packages: ${missing[*]}
       install them with: sudo apt-get install ${missing[*]}"
    fi
}

# --------------------------------------------------------------------------
# 2. Odoo 18.0 source: $ODOO_SRC, else the cache, else download into the cache.
# --------------------------------------------------------------------------
odoo_source() {
    if [ -n "${ODOO_SRC:-}" ]; then
        is_odoo_tree "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 source tree (no odoo/release.py with version 18.0)"
        return 0
    fi
    is_odoo_tree "$ODOO_CACHE" && return 0
    say "no Odoo source in $ODOO_CACHE: downloading the official Odoo 18.0 source"
    mkdir -p "$ODOO_CACHE.part"
    if curl -fsSL --connect-timeout 20 --retry 2 "$ODOO_DOWNLOAD_URL" \
        | tar -xz -C "$ODOO_CACHE.part" --strip-components=1; then
        rm -rf "$ODOO_CACHE" && mv "$ODOO_CACHE.part" "$ODOO_CACHE"
    else
        rm -rf "$ODOO_CACHE.part"
        die "could not download the Odoo 18.0 source from $ODOO_DOWNLOAD_URL.
       Provide one of:
         - ODOO_SRC=/path/to/odoo-18.0   (a git checkout or an extracted nightly/source package), or
         - an Odoo 18.0 source tree extracted into $ODOO_CACHE
       (see DEVELOPERS.md)."
    fi
    is_odoo_tree "$ODOO_CACHE" || die "the downloaded archive is not an Odoo 18.0 tree"
}

# --------------------------------------------------------------------------
# 3. Virtualenv with Odoo (editable, compat mode) and our requirements.
# --------------------------------------------------------------------------
python_env() {
    local src stamp want
    src="$(odoo_src)"
    stamp="$VENV/.psa-setup-stamp"
    want="$(cat "$src/requirements.txt" "$ROOT/requirements.txt" | sha256sum | cut -c1-16) $src"
    if [ -x "$VENV/bin/odoo" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    local py="${PYTHON:-python3}"
    command -v "$py" >/dev/null 2>&1 || die "$py not found (Odoo 18.0 needs Python 3.10-3.12)"
    "$py" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))' \
        || die "Odoo 18.0 needs Python 3.10-3.12; set PYTHON=/path/to/python3.x"
    [ -x "$VENV/bin/python" ] || { say "creating virtualenv $VENV"; "$py" -m venv "$VENV"; }
    local pip=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
    say "installing Python packages into $VENV (first time takes a few minutes)"
    "${pip[@]}" install --upgrade "pip>=25.3" wheel
    # Several of Odoo's pinned requirements only build with an older setuptools.
    local bc="$VENV/build-constraints.txt"
    echo "setuptools<81" >"$bc"
    "${pip[@]}" install --build-constraint "$bc" -r "$src/requirements.txt"
    "${pip[@]}" install --build-constraint "$bc" --no-deps -e "$src" --config-settings editable_mode=compat
    "${pip[@]}" install --build-constraint "$bc" -r "$ROOT/requirements.txt"
    echo "$want" >"$stamp"
}

# --------------------------------------------------------------------------
# 4. PostgreSQL: start a local stopped cluster, create a superuser role.
# --------------------------------------------------------------------------
postgres() {
    if [ -n "${PGHOST:-}" ] && [ "${PGHOST}" != "localhost" ] && [ "${PGHOST}" != "127.0.0.1" ] && [ "${PGHOST#/}" = "$PGHOST" ]; then
        return 0   # a remote server: nothing to start here
    fi
    if ! pg_isready -q 2>/dev/null; then
        if command -v pg_lsclusters >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
            local ver name
            read -r ver name _ < <(pg_lsclusters -h | head -n1)
            [ -n "${ver:-}" ] || die "no PostgreSQL cluster found (pg_lsclusters is empty)"
            say "starting PostgreSQL cluster $ver/$name"
            pg_ctlcluster "$ver" "$name" start
            for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
        fi
        pg_isready -q || die "PostgreSQL is not running on this machine; start it (e.g. sudo pg_ctlcluster 15 main start)"
    fi
    local user
    user="$(id -un)"
    if ! psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ]; then
            say "creating PostgreSQL superuser role '$user'"
            su postgres -c "psql -tAc \"select 1 from pg_roles where rolname='$user'\" | grep -q 1 || createuser -s '$user'"
        else
            die "PostgreSQL role '$user' is missing: sudo -u postgres createuser -s $user"
        fi
    fi
}

system_packages
odoo_source
python_env
postgres
