#!/usr/bin/env bash
# What the ssh tests need on this machine: an sshd binary, a static busybox, a
# login shell that is not POSIX, and /run/sshd. It never starts an sshd: the
# tests start their own private ones (tests/helpers/sshd.py).
#
#   scripts/test-sshd.sh          # install what is missing (root + apt), check
#   scripts/test-sshd.sh check    # check only, install nothing
#
# When root (or password-less sudo) and something is missing, it runs
#   apt-get install --no-install-recommends openssh-server busybox-static tcsh
# (tcsh: the non-POSIX login shell; csh, then fish, if tcsh cannot be had),
# with a policy-rc.d that forbids starting services, then makes sure the
# system's sshd stays off: /etc/ssh/sshd_not_to_be_run (honoured by Debian's
# init script and systemd unit), its rc.d links disabled, and nothing new
# listening on port 22. Already installed, it takes a few milliseconds.
#
# Exit status 0 when the ssh tests can run; otherwise 1 and a reason on
# stderr (the tests then skip, or fail under CI=true). Nothing on stdout.
#
# Environment:
#   TRACERUN_NO_INSTALL=1    never run apt-get; only check
set -euo pipefail

SHELLS=(tcsh csh fish)  # non-POSIX login shells, in order of preference

log() { printf 'test-sshd: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

SUDO=""
can_be_root() {
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; return 0; fi
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"; return 0
    fi
    return 1
}

sshd_path() {
    local b
    for b in /usr/sbin/sshd /usr/local/sbin/sshd; do
        if [ -x "$b" ]; then echo "$b"; return 0; fi
    done
    return 1
}

static_busybox() {
    local b
    for b in /bin/busybox /usr/bin/busybox; do
        # static: it runs in a chroot that has no libc
        if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then return 0; fi
    done
    return 1
}

nonposix_shell() {
    local s
    for s in "${SHELLS[@]}"; do
        if command -v "$s" >/dev/null 2>&1; then echo "$s"; return 0; fi
    done
    return 1
}

# Local ports 22 that are listening, one "address:port" per line.
port22_listeners() {
    ss -Hltn 'sport = :22' 2>/dev/null | awk '{ print $4 }' | sort || true
}

# `apt-get install` with services forbidden to start (a temporary policy-rc.d,
# unless the machine has one); `apt-get update` first only when a package has
# no candidate, and once more if the install fails (stale lists).
apt_install() {
    local pkgs=("$@") rc=0
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2206 # $SUDO is empty or "sudo -n"
    local apt=($SUDO apt-get -q -o DPkg::Lock::Timeout=300)
    local policy=/usr/sbin/policy-rc.d own_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
        $SUDO chmod 755 "$policy"
        own_policy=1
    fi
    local p need_update=""
    for p in "${pkgs[@]}"; do
        case "$(apt-cache policy "$p" 2>/dev/null)" in
            *"Candidate: ("* | "") need_update=1 ;;
            *Candidate:*) ;;
            *) need_update=1 ;;
        esac
    done
    if [ -n "$need_update" ]; then
        log "apt-get update"
        "${apt[@]}" update >&2 || true
    fi
    log "apt-get install ${pkgs[*]}"
    if ! "${apt[@]}" install -y --no-install-recommends "${pkgs[@]}" >&2; then
        log "install failed; apt-get update and retry"
        { "${apt[@]}" update >&2 && "${apt[@]}" install -y --no-install-recommends "${pkgs[@]}" >&2; } \
            || rc=$?
    fi
    if [ -n "$own_policy" ]; then $SUDO rm -f "$policy"; fi
    return "$rc"
}

# The package must not leave a system sshd running or set to start.
keep_system_sshd_off() {
    local before=$1 after pid
    if [ -d /etc/ssh ]; then $SUDO touch /etc/ssh/sshd_not_to_be_run; fi
    if command -v update-rc.d >/dev/null 2>&1 && [ -e /etc/init.d/ssh ]; then
        $SUDO update-rc.d ssh disable >/dev/null 2>&1 || true
    fi
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        $SUDO systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
    fi
    after=$(port22_listeners)
    if [ "$after" != "$before" ]; then
        # Started by this install despite policy-rc.d: the package's pid file.
        if pid=$(cat /run/sshd.pid 2>/dev/null) && [ -n "$pid" ]; then
            log "the install started the system sshd (pid $pid); stopping it"
            $SUDO kill -TERM "$pid" 2>/dev/null || true
            sleep 0.5
        fi
        after=$(port22_listeners)
        [ "$after" = "$before" ] || die "something new listens on port 22: $after"
    fi
}

ensure_installed() {
    local pkgs=()
    sshd_path >/dev/null || pkgs+=(openssh-server)
    static_busybox || pkgs+=(busybox-static)
    local shell_missing=""
    nonposix_shell >/dev/null || shell_missing=1
    if [ "${#pkgs[@]}" -eq 0 ] && [ -z "$shell_missing" ]; then return 0; fi
    [ "${TRACERUN_NO_INSTALL:-}" != 1 ] || return 0
    command -v apt-get >/dev/null 2>&1 || { log "no apt-get: cannot install ${pkgs[*]}"; return 0; }
    can_be_root || { log "installing ${pkgs[*]} needs root or password-less sudo"; return 0; }
    local before
    before=$(port22_listeners)
    if [ "${#pkgs[@]}" -gt 0 ]; then apt_install "${pkgs[@]}" || log "apt-get failed"; fi
    if [ -n "$shell_missing" ]; then
        local s
        for s in "${SHELLS[@]}"; do
            if apt_install "$s"; then break; fi
            log "could not install $s"
        done
    fi
    keep_system_sshd_off "$before"
}

main() {
    case "${1:-install}" in
        install) ensure_installed ;;
        check) ;;
        -h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; return 0 ;;
        *) echo "usage: $0 [install|check]" >&2; return 2 ;;
    esac
    local sshd
    sshd=$(sshd_path) || die "no sshd (apt-get install openssh-server)"
    static_busybox || die "no static busybox (apt-get install busybox-static)"
    # sshd's privilege separation directory; private instances need it too.
    if [ ! -d /run/sshd ]; then
        can_be_root || die "/run/sshd is missing and creating it needs root"
        $SUDO mkdir -p -m 0755 /run/sshd
    fi
    local shell
    if shell=$(nonposix_shell); then
        log "ready: $sshd, static busybox, non-POSIX login shell $(command -v "$shell")"
    else
        log "ready: $sshd, static busybox; no non-POSIX login shell (${SHELLS[*]}): that test skips"
    fi
}

main "$@"
