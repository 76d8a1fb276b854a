#!/usr/bin/env bash
# A private Docker engine for tracerun's docker tests.
#
#   scripts/test-engine.sh up     # reuse a reachable engine, or install + start one
#   scripts/test-engine.sh env    # print the export line if the private engine is up
#   scripts/test-engine.sh down   # stop the engine `up` started, remove its state
#
# `up` prints shell code on stdout and nothing else (all logging goes to stderr):
#
#   export DOCKER_HOST=unix:///tmp/tracerun-engine/docker.sock
#   export TRACERUN_ENGINE_STARTED=1
#
# so `eval "$(scripts/test-engine.sh up)"` works. TRACERUN_ENGINE_STARTED is 1
# when this `up` started the engine, 0 when it reused one (an outside engine or a
# private one that was already running). `down` is a no-op when it sees
# TRACERUN_ENGINE_STARTED=0 (the engine belongs to whoever started it), so
# `up; ...; down` never stops an engine that was there before; `down --force`
# (or `down` without that variable) stops the private engine regardless.
# `down` never touches an engine it did not start (only the dockerd whose pid
# file and socket live under the state directory).
#
# Without a reachable engine, `up` needs root (or password-less sudo) and apt:
# it installs Debian's docker.io and busybox-static if missing, then runs
#   dockerd --storage-driver vfs --iptables=false --bridge=none ...
# with all of its state under $TRACERUN_ENGINE_DIR (default /tmp/tracerun-engine),
# and imports the test image tracerun-test/busybox:latest (/bin/busybox plus its
# applet links) with `docker import`.
#
# Environment:
#   TRACERUN_ENGINE_DIR      state directory (socket, data-root, exec-root, log)
#   TRACERUN_ENGINE_TIMEOUT  seconds to wait for dockerd to answer (default 60)
#   TRACERUN_NO_INSTALL=1    never run apt-get; fail if dockerd/busybox are missing
set -euo pipefail

ENGINE_DIR=${TRACERUN_ENGINE_DIR:-/tmp/tracerun-engine}
ENGINE_DIR=${ENGINE_DIR%/}
SOCK=$ENGINE_DIR/docker.sock
PRIVATE_HOST=unix://$SOCK
DATA_ROOT=$ENGINE_DIR/data
EXEC_ROOT=$ENGINE_DIR/exec
PIDFILE=$ENGINE_DIR/dockerd.pid
LOGFILE=$ENGINE_DIR/dockerd.log
CONFIG=$ENGINE_DIR/daemon.json
LOCKFILE=$ENGINE_DIR.lock
TIMEOUT=${TRACERUN_ENGINE_TIMEOUT:-60}
IMAGE=tracerun-test/busybox:latest
DEFAULT_HOST=unix:///var/run/docker.sock

BUILD_TMP=""
trap '[ -z "$BUILD_TMP" ] || rm -rf "$BUILD_TMP"' EXIT

log() { printf 'test-engine: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Root, or a password-less sudo; empty when neither.
SUDO=""
can_be_root() {
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; return 0; fi
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"; return 0
    fi
    return 1
}

# Serialise concurrent up/down calls (two `make test` at once). fd 9 must not
# leak into dockerd, or the lock would live as long as the engine.
take_lock() {
    mkdir -p "$(dirname "$LOCKFILE")" 2>/dev/null || true
    if ! { exec 9>>"$LOCKFILE"; } 2>/dev/null; then
        log "warning: cannot open $LOCKFILE; going on without a lock"
        return 0
    fi
    if command -v flock >/dev/null 2>&1; then
        flock -w 300 9 || die "could not lock $LOCKFILE within 300 s"
    fi
}

docker_cli() {
    # Prefer the docker client on PATH (any recent client negotiates the API
    # version down to the engine's); fall back to the one docker.io installs.
    local cli
    cli=$(command -v docker 2>/dev/null || true)
    [ -n "$cli" ] || cli=/usr/bin/docker
    [ -x "$cli" ] || die "no docker client found"
    "$cli" "$@"
}

# Does the engine at $1 answer? (`docker info` with a bounded wait.)
engine_answers() {
    DOCKER_HOST=$1 timeout 15 "$(command -v docker 2>/dev/null || echo /usr/bin/docker)" \
        info --format '{{.ServerVersion}}' >/dev/null 2>&1
}

# pid of the private dockerd if it is alive and really ours, else nothing.
private_pid() {
    local pid
    [ -r "$PIDFILE" ] || return 1
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    local cmd
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *dockerd*"$SOCK"* ]] || return 1
    echo "$pid"
}

# Every live engine process (dockerd, containerd, shims, tini) whose command
# line mentions the state directory: only this engine's can.
state_dir_pids() {
    local p cmd
    for p in /proc/[0-9]*; do
        case "$(cat "$p/comm" 2>/dev/null)" in
            dockerd | containerd* | runc | tini* | docker-init | docker-proxy) ;;
            *) continue ;;
        esac
        cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
        if [[ $cmd == *"$ENGINE_DIR/"* ]]; then echo "${p#/proc/}"; fi
    done
}

# ---------------------------------------------------------------- install ----
have_engine_binaries() {
    local b
    for b in dockerd containerd containerd-shim-runc-v2 runc; do
        command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || [ -x "/usr/bin/$b" ] \
            || return 1
    done
}

busybox_path() {
    local b
    for b in /bin/busybox /usr/bin/busybox; do
        # must be static: the image has no libc
        if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then echo "$b"; return 0; fi
    done
    return 1
}

apt_install() {
    local pkgs=("$@") rc=0
    command -v apt-get >/dev/null 2>&1 || die "need ${pkgs[*]} but apt-get is not available"
    [ "${TRACERUN_NO_INSTALL:-}" != 1 ] || die "need ${pkgs[*]} (TRACERUN_NO_INSTALL=1)"
    can_be_root || die "need ${pkgs[*]}: installing them needs root or password-less sudo"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2206 # $SUDO is empty or "sudo -n"
    local apt=($SUDO apt-get -q -o DPkg::Lock::Timeout=300)
    # No service may start during the install (no systemd/init here, and a
    # system dockerd is not what we want): a temporary policy-rc.d, unless the
    # machine already has one.
    local policy=/usr/sbin/policy-rc.d own_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
        $SUDO chmod 755 "$policy"
        own_policy=1
    fi
    # apt-get update only when the package lists lack a candidate (never
    # updated) or when the install fails (stale lists: 404 on an old version).
    local p need_update=""
    for p in "${pkgs[@]}"; do
        # (no `apt-cache | grep -q`: with pipefail, grep's early exit fails the pipe)
        case "$(apt-cache policy "$p" 2>/dev/null)" in
            *"Candidate: ("* | "") need_update=1 ;;
            *Candidate:*) ;;
            *) need_update=1 ;;
        esac
    done
    if [ -n "$need_update" ]; then
        log "apt-get update"
        "${apt[@]}" update >&2 || rc=$?
    fi
    log "apt-get install ${pkgs[*]}"
    if ! "${apt[@]}" install -y --no-install-recommends "${pkgs[@]}" >&2; then
        log "install failed; apt-get update and retry"
        { "${apt[@]}" update >&2 && "${apt[@]}" install -y --no-install-recommends "${pkgs[@]}" >&2; } \
            || rc=$?
    fi
    if [ -n "$own_policy" ]; then $SUDO rm -f "$policy"; fi
    [ "$rc" -eq 0 ] || die "apt-get failed (exit $rc)"
}

ensure_installed() {
    local pkgs=()
    have_engine_binaries || pkgs+=(docker.io)
    busybox_path >/dev/null || pkgs+=(busybox-static)
    if [ "${#pkgs[@]}" -gt 0 ]; then apt_install "${pkgs[@]}"; fi
    have_engine_binaries || die "dockerd/containerd/runc still missing after installing docker.io"
    busybox_path >/dev/null || die "no static busybox after installing busybox-static"
}

# ----------------------------------------------------------------- engine ----
stop_private() {
    local pid pids p
    if [ -S "$SOCK" ] && engine_answers "$PRIVATE_HOST"; then
        # Kill containers first: dockerd waits for each to stop on shutdown,
        # and `sleep` as PID 1 ignores SIGTERM.
        local ids
        ids=$(DOCKER_HOST=$PRIVATE_HOST docker_cli ps -aq 2>/dev/null || true)
        if [ -n "$ids" ]; then
            # shellcheck disable=SC2086
            DOCKER_HOST=$PRIVATE_HOST docker_cli rm -f $ids >/dev/null 2>&1 || true
        fi
    fi
    if pid=$(private_pid); then
        log "stopping dockerd (pid $pid)"
        $SUDO kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            [ -d "/proc/$pid" ] || break
            sleep 0.2
        done
        if [ -d "/proc/$pid" ]; then
            log "dockerd did not stop in 20 s; SIGKILL"
            $SUDO kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    # Leftover containerd / shims of this engine (e.g. after a crash).
    pids=$(state_dir_pids)
    if [ -n "$pids" ]; then
        for p in $pids; do $SUDO kill -KILL "$p" 2>/dev/null || true; done
        sleep 0.5
    fi
}

clean_state() {
    [ -e "$ENGINE_DIR" ] || return 0
    # Unmount whatever the engine left mounted under the state dir (shm,
    # netns, ...), deepest first, then remove it all (vfs layers are full
    # copies of each image and container: this can be big).
    local m
    awk -v d="$ENGINE_DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts \
        | sort -r | while read -r m; do
            $SUDO umount -l "$(printf '%b' "$m")" 2>/dev/null || true
        done
    # dockerd bind-mounts data-root onto itself: never rm through a mount.
    if awk -v d="$ENGINE_DIR/" 'index($2, d) == 1 { found = 1 } END { exit !found }' \
        /proc/self/mounts; then
        die "still mounted under $ENGINE_DIR; not removing it"
    fi
    $SUDO rm -rf --one-file-system "$ENGINE_DIR"
}

start_private() {
    local dockerd
    dockerd=$(command -v dockerd 2>/dev/null || echo /usr/sbin/dockerd)
    mkdir -p "$ENGINE_DIR" 2>/dev/null || $SUDO mkdir -p "$ENGINE_DIR"
    $SUDO mkdir -p "$DATA_ROOT" "$EXEC_ROOT"
    # Our own (empty) config: /etc/docker/daemon.json may set hosts, storage
    # drivers, ... that clash with the flags below.
    echo '{}' | $SUDO tee "$CONFIG" >/dev/null
    local group=()
    if [ -n "$SUDO" ]; then group=(--group "$(id -gn)"); fi
    # dockerd starts and supervises its own containerd when --containerd is not
    # given (socket under exec-root/containerd, state under data-root/containerd).
    # PATH must reach containerd, containerd-shim-runc-v2 and runc.
    local args=(
        "$dockerd"
        --config-file "$CONFIG"
        --host "$PRIVATE_HOST"
        --data-root "$DATA_ROOT"
        --exec-root "$EXEC_ROOT"
        --pidfile "$PIDFILE"
        --storage-driver vfs
        --iptables=false
        --ip6tables=false
        --ip-masq=false
        --bridge=none
        --userland-proxy=false
        --exec-opt native.cgroupdriver=cgroupfs
        --log-level warn
        "${group[@]}"
    )
    # Under tini as a child subreaper when there is one (docker.io brings it):
    # the containerd shims daemonize, and where PID 1 does not reap (a bare
    # container, some sandboxes' init) their zombies would pile up.
    local reaper=()
    local t
    for t in tini-static tini docker-init; do
        if command -v "$t" >/dev/null 2>&1; then reaper=("$(command -v "$t")" -s --); break; fi
    done
    log "starting dockerd: ${args[*]}"
    log "  log: $LOGFILE"
    # Detached (own session), no inherited stdout: `$(up)` must not wait for it.
    $SUDO env PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        setsid "${reaper[@]}" "${args[@]}" </dev/null >>"$LOGFILE" 2>&1 9>&- &
    local launcher=$! waited=0
    while :; do
        if [ -S "$SOCK" ] && engine_answers "$PRIVATE_HOST"; then break; fi
        if [ "$waited" -ge "$((TIMEOUT * 5))" ]; then
            log "dockerd did not answer within ${TIMEOUT} s; log tail:"
            tail -n 40 "$LOGFILE" >&2 || true
            stop_private
            die "no engine; state left in $ENGINE_DIR for a look ('down' removes it)"
        fi
        # dockerd died? (the launcher is setsid, which execs tini or dockerd)
        if ! kill -0 "$launcher" 2>/dev/null && ! private_pid >/dev/null; then
            sleep 0.3
            if ! private_pid >/dev/null && ! engine_answers "$PRIVATE_HOST"; then
                log "dockerd exited; log tail:"
                tail -n 40 "$LOGFILE" >&2 || true
                stop_private
                die "no engine; state left in $ENGINE_DIR for a look ('down' removes it)"
            fi
        fi
        sleep 0.2
        waited=$((waited + 1))
    done
    if [ -n "$SUDO" ]; then $SUDO chmod 755 "$ENGINE_DIR"; fi
    log "dockerd is up ($(DOCKER_HOST=$PRIVATE_HOST docker_cli info --format \
        '{{.ServerVersion}}, {{.Driver}}, cgroup {{.CgroupDriver}} v{{.CgroupVersion}}' \
        2>/dev/null || echo '?'))"
}

# ------------------------------------------------------------------ image ----
ensure_image() {
    local host=$1
    if DOCKER_HOST=$host docker_cli image inspect "$IMAGE" >/dev/null 2>&1; then
        return 0
    fi
    local bb
    if ! bb=$(busybox_path); then
        if can_be_root && command -v apt-get >/dev/null 2>&1 \
            && [ "${TRACERUN_NO_INSTALL:-}" != 1 ]; then
            apt_install busybox-static
            bb=$(busybox_path) || die "no static busybox"
        elif DOCKER_HOST=$host docker_cli pull -q busybox:latest >&2 2>/dev/null; then
            # An outside engine with registry access: the upstream image will do.
            DOCKER_HOST=$host docker_cli tag busybox:latest "$IMAGE"
            log "tagged busybox:latest as $IMAGE"
            return 0
        else
            die "test image $IMAGE is missing and there is no static busybox to build it"
        fi
    fi
    log "building $IMAGE from $bb"
    local tmp
    tmp=$(mktemp -d)
    BUILD_TMP=$tmp
    mkdir -p "$tmp/root/bin" "$tmp/root/tmp" "$tmp/root/etc"
    chmod 1777 "$tmp/root/tmp"
    cp "$bb" "$tmp/root/bin/busybox"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
        >"$tmp/root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/root/etc/group"
    # Applet links where busybox itself would install them (bin/sh, usr/bin/env,
    # ...), pointing at /bin/busybox; plus every applet in /bin, so any PATH works.
    local applet n=0
    while read -r applet; do
        [ -n "$applet" ] || continue
        applet=${applet#/}
        [ "$applet" = bin/busybox ] && continue
        mkdir -p "$tmp/root/$(dirname "$applet")"
        [ -e "$tmp/root/$applet" ] || ln -s /bin/busybox "$tmp/root/$applet"
        n=$((n + 1))
    done < <("$bb" --list-full 2>/dev/null || "$bb" --list | sed 's|^|bin/|')
    while read -r applet; do
        if [ -z "$applet" ] || [ "$applet" = busybox ]; then continue; fi
        [ -e "$tmp/root/bin/$applet" ] || [ -L "$tmp/root/bin/$applet" ] \
            || ln -s /bin/busybox "$tmp/root/bin/$applet"
    done < <("$bb" --list)
    for applet in sh echo cat sleep printf date; do
        [ -L "$tmp/root/bin/$applet" ] || die "busybox lacks the $applet applet"
    done
    tar --numeric-owner --owner=0 --group=0 -C "$tmp/root" -cf "$tmp/rootfs.tar" .
    DOCKER_HOST=$host docker_cli import \
        --change 'CMD ["/bin/sh"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'LABEL org.opencontainers.image.title=tracerun-test-busybox' \
        --message "tracerun test image: static busybox + $n applet links" \
        "$tmp/rootfs.tar" "$IMAGE" >&2
    rm -rf "$tmp"
}

# --------------------------------------------------------------- commands ----
cmd_up() {
    take_lock
    # 1. An engine that is already reachable: DOCKER_HOST, else the default socket.
    local host
    for host in ${DOCKER_HOST:+"$DOCKER_HOST"} "$DEFAULT_HOST" "$PRIVATE_HOST"; do
        if engine_answers "$host"; then
            if [ "$host" = "$PRIVATE_HOST" ]; then
                log "private engine already running at $host; reusing it"
            else
                log "engine reachable at $host; using it"
            fi
            ensure_image "$host"
            printf 'export DOCKER_HOST=%q\nexport TRACERUN_ENGINE_STARTED=0\n' "$host"
            return 0
        fi
    done
    # 2. Start a private one.
    [ "${#SOCK}" -le 100 ] || die "socket path too long for a unix socket: $SOCK (set TRACERUN_ENGINE_DIR)"
    can_be_root || die "no Docker engine reachable, and dockerd needs root (or sudo -n)"
    ensure_installed
    # Leftovers of a dead engine (crash, reboot with a persistent /tmp): start clean.
    if [ -e "$ENGINE_DIR" ]; then
        log "removing stale state in $ENGINE_DIR"
        stop_private
        clean_state
    fi
    start_private
    ensure_image "$PRIVATE_HOST"
    printf 'export DOCKER_HOST=%q\nexport TRACERUN_ENGINE_STARTED=1\n' "$PRIVATE_HOST"
}

cmd_down() {
    local force=""
    [ "${1:-}" = --force ] && force=1
    if [ -z "$force" ] && [ "${TRACERUN_ENGINE_STARTED:-}" = 0 ]; then
        log "the engine was already running before 'up' (TRACERUN_ENGINE_STARTED=0); leaving it" \
            "(use 'down --force' to stop the private one)"
        return 0
    fi
    take_lock
    if [ ! -e "$ENGINE_DIR" ]; then
        log "no private engine ($ENGINE_DIR does not exist)"
        return 0
    fi
    can_be_root || { [ -O "$ENGINE_DIR" ] || die "stopping the private engine needs root"; }
    stop_private
    clean_state
    log "private engine stopped, $ENGINE_DIR removed"
}

cmd_env() {
    if [ -S "$SOCK" ] && engine_answers "$PRIVATE_HOST"; then
        printf 'export DOCKER_HOST=%q\n' "$PRIVATE_HOST"
    else
        log "private engine is not running (scripts/test-engine.sh up)"
        return 1
    fi
}

case "${1:-}" in
    up) cmd_up ;;
    down) shift; cmd_down "$@" ;;
    env) cmd_env ;;
    -h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
    *) echo "usage: $0 up|down [--force]|env" >&2; exit 2 ;;
esac
