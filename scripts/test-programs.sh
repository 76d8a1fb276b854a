#!/usr/bin/env bash
# Install the real programs the end-to-end tests run (tests/helpers/programs.py)
# when they are missing: Debian's nginx, logrotate and PostgreSQL (server and
# psql). Needs root (or password-less sudo) and apt-get; otherwise, or with
# TRACERUN_NO_INSTALL=1, it says what is missing and their tests skip (they
# fail under CI=true). No service is started by the install.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
have_pg() {
    have postgres && have initdb && return 0
    compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

missing=()
have nginx || missing+=(nginx-light)
have logrotate || missing+=(logrotate)
have psql || missing+=(postgresql-client)
have_pg || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo -n"
if [ "${TRACERUN_NO_INSTALL:-}" = 1 ] || ! command -v apt-get >/dev/null 2>&1 \
    || { [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; }; then
    echo "missing ${missing[*]}: their end-to-end tests skip (fail under CI=true)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d own_policy=""
if [ ! -e "$policy" ]; then  # no service may start during the install
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    own_policy=1
fi
trap 'if [ -n "$own_policy" ]; then $SUDO rm -f "$policy"; fi' EXIT
apt=($SUDO apt-get -q -o DPkg::Lock::Timeout=300)
"${apt[@]}" install -y --no-install-recommends "${missing[@]}" >&2 \
    || { "${apt[@]}" update >&2 && "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >&2; }
