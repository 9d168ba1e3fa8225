#!/usr/bin/env bash
# setup-docker.sh — make sure a Docker engine answers and has the gVisor
# runtime "runsc" registered, so claw4j can run agent sandboxes with
# `docker run --runtime=runsc`.
#
# Idempotent and cheap when everything is already in place: the fast path is
# a single `docker info` call (well under 2 s).
#
# What it does, in order:
#   1. If `docker info` answers (DOCKER_HOST is honoured) and lists runsc:
#      print "docker: ready (runtimes: ...)" and exit 0.
#      If DOCKER_HOST points at some other engine, we cannot fix that one, so
#      we only report what it has and exit (1 if runsc is missing).
#   2. Not root, or not Debian/Ubuntu: print the manual steps and exit 1.
#   3. Otherwise: apt-get install the missing packages (docker.io, runsc),
#      register runsc in /etc/docker/daemon.json (merging, with a backup),
#      clean up a stale pid file, then start dockerd (or SIGHUP a running one
#      so it reloads its runtimes) and wait until runsc is listed.
#
# It does not `docker run` anything: there may be no image yet. The test suite
# (and sandbox/image/build-base.sh) exercise runsc for real.
#
# Exit status: 0 = ready, 1 = not ready (the message says why / what to do).
set -euo pipefail

readonly DAEMON_JSON=/etc/docker/daemon.json
readonly DOCKERD_LOG=/var/log/claw4j-dockerd.log
readonly DOCKER_PIDFILE=/var/run/docker.pid
readonly DOCKER_SOCK=/var/run/docker.sock
readonly START_TIMEOUT=60
# gVisor flags for this project: the systrap platform is not available on
# every kernel we run on (and unknown to older runsc builds), ptrace works
# everywhere; gVisor's netstack fails on some hosts and agent sandboxes are
# run with --network=none anyway.
readonly RUNSC_ARGS_JSON='["--platform=ptrace", "--network=none"]'

log() { printf 'setup-docker: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The JSON snippet that registers runsc, for a given binary path.
runsc_snippet() {
    printf '{"runtimes": {"runsc": {"path": "%s", "runtimeArgs": %s}}}' "$1" "$RUNSC_ARGS_JSON"
}

# Prints the engine's runtime names (space separated, sorted) and succeeds if
# the engine answers. `timeout` keeps a wedged daemon/socket from hanging us.
# Ranging over the map in a Go template avoids needing a JSON parser here.
docker_runtimes() {
    command -v docker >/dev/null 2>&1 || return 1
    # shellcheck disable=SC2016  # a Go template, not a shell expansion
    timeout 10 docker info --format '{{range $name, $rt := .Runtimes}}{{$name}} {{end}}' 2>/dev/null \
        | sed 's/ *$//'
}

has_runsc() { [[ " $1 " == *" runsc "* ]]; }

report_ready() {
    printf 'docker: ready (runtimes: %s)\n' "${1// /, }"
    exit 0
}

# ---------------------------------------------------------------- 1. fast path
if runtimes=$(docker_runtimes) && [[ -n $runtimes ]]; then
    if has_runsc "$runtimes"; then
        report_ready "$runtimes"
    fi
    if [[ -n ${DOCKER_HOST:-} ]]; then
        # Someone else's engine: report, do not touch this machine.
        printf 'docker: DOCKER_HOST=%s answers but has no runsc runtime (runtimes: %s)\n' \
            "$DOCKER_HOST" "${runtimes// /, }"
        exit 1
    fi
    engine_answers=yes
else
    runtimes=""
    engine_answers=no
    if [[ -n ${DOCKER_HOST:-} && $DOCKER_HOST != "unix://$DOCKER_SOCK" && $DOCKER_HOST != "unix:///run/docker.sock" ]]; then
        # Starting a local dockerd would not make a remote DOCKER_HOST answer.
        die "DOCKER_HOST=$DOCKER_HOST does not answer; unset it to use a local dockerd, or fix that engine"
    fi
fi

# ------------------------------------------------- 2. can we fix it ourselves?
is_debian_like() {
    [[ -r /etc/os-release ]] || return 1
    local id id_like
    # shellcheck disable=SC1091  # sourced in a subshell only to read ID/ID_LIKE
    id=$(. /etc/os-release && printf '%s' "${ID:-}")
    # shellcheck disable=SC1091
    id_like=$(. /etc/os-release && printf '%s' "${ID_LIKE:-}")
    [[ " $id $id_like " == *" debian "* || " $id $id_like " == *" ubuntu "* ]]
}

print_manual_steps() {
    local runsc_path
    runsc_path=$(command -v runsc 2>/dev/null || echo /usr/bin/runsc)
    cat <<EOF
docker: not ready ($1). To set it up by hand:
  1. Install the packages docker.io and runsc (gVisor), e.g. on Debian/Ubuntu:
       sudo apt-get update && sudo apt-get install -y docker.io runsc
  2. Register runsc in $DAEMON_JSON (merge with any keys already there):
       $(runsc_snippet "$runsc_path")
  3. Start the daemon (or make a running one reload its config):
       sudo systemctl restart docker            # on systemd machines
       sudo sh -c 'setsid nohup dockerd >$DOCKERD_LOG 2>&1 </dev/null &'   # otherwise
       sudo kill -HUP "\$(cat $DOCKER_PIDFILE)"   # reload a running dockerd
  4. As a non-root user, you also need access to the socket:
       sudo usermod -aG docker "\$USER"   (then log in again)
  Check with: docker info --format '{{json .Runtimes}}'   (must list runsc)
EOF
}

if [[ $engine_answers == yes ]]; then
    reason="engine answers but runsc is not registered (runtimes: ${runtimes// /, })"
else
    reason="no Docker engine answers"
fi
if [[ $EUID -ne 0 ]]; then
    print_manual_steps "$reason; not root, so not fixing it automatically"
    exit 1
fi
if ! is_debian_like; then
    print_manual_steps "$reason; not Debian/Ubuntu, so not fixing it automatically"
    exit 1
fi
log "$reason; fixing"

# ---------------------------------------------------------- 3a. packages
pkg_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}
missing=()
for pkg in docker.io runsc; do
    pkg_installed "$pkg" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Only refresh the index when we actually need to install something. A
    # failing third-party source must not stop us: try the install anyway.
    apt-get update -q || log "warning: apt-get update reported errors; trying the install anyway"
    apt-get install -y -q "${missing[@]}"
fi
command -v dockerd >/dev/null 2>&1 || die "dockerd not found after installing docker.io"
command -v docker >/dev/null 2>&1 || die "docker CLI not found after installing docker.io"
runsc_bin=$(command -v runsc 2>/dev/null) || die "runsc not found after installing runsc"
runsc_bin=$(readlink -f "$runsc_bin")   # daemon.json wants the real path

# ---------------------------------------------------------- 3b. daemon.json
# Merges {"runtimes": {"runsc": ...}} into $DAEMON_JSON, keeping other keys.
# Prints "changed" or "unchanged". Writes atomically, with a timestamped
# backup of the previous file.
merge_daemon_json() {
    local runsc_path=$1 tool py=""
    # Prefer the distribution's python (a pyenv/venv shim may be broken).
    if [[ -x /usr/bin/python3 ]]; then
        py=/usr/bin/python3
    else
        py=$(command -v python3 2>/dev/null || true)
    fi
    if [[ -n $py ]]; then
        tool=python3
    elif command -v jq >/dev/null 2>&1; then
        tool=jq
    else
        die "neither python3 nor jq is available to edit $DAEMON_JSON safely.
Add this to it by hand (merging with existing keys), then re-run this script:
  $(runsc_snippet "$runsc_path")"
    fi

    mkdir -p "$(dirname "$DAEMON_JSON")"
    local tmp
    tmp=$(mktemp "$DAEMON_JSON.XXXXXX")
    # Runs in a $(...) subshell, so this trap only cleans up our temp files.
    # shellcheck disable=SC2064  # expand $tmp now
    trap "rm -f '$tmp' '$tmp.state'" EXIT

    if [[ $tool == python3 ]]; then
        "$py" - "$DAEMON_JSON" "$tmp" "$runsc_path" "$RUNSC_ARGS_JSON" <<'PY' || die "could not merge $DAEMON_JSON (is it valid JSON?)"
import json, os, sys
path, out, runsc_path, args = sys.argv[1:5]
cfg = {}
if os.path.exists(path) and open(path).read().strip():
    with open(path) as f:
        cfg = json.load(f)
if not isinstance(cfg, dict):
    sys.exit("top level of %s is not a JSON object" % path)
before = json.dumps(cfg, sort_keys=True)
runtimes = cfg.setdefault("runtimes", {})
runtimes["runsc"] = {"path": runsc_path, "runtimeArgs": json.loads(args)}
with open(out, "w") as f:
    json.dump(cfg, f, indent=2)
    f.write("\n")
print("unchanged" if json.dumps(cfg, sort_keys=True) == before else "changed")
PY
    else
        local current='{}' before after
        if [[ -s $DAEMON_JSON ]]; then current=$(cat "$DAEMON_JSON"); fi
        before=$(jq -S -c . <<<"$current") || die "$DAEMON_JSON is not valid JSON"
        jq --arg p "$runsc_path" --argjson a "$RUNSC_ARGS_JSON" \
            '.runtimes.runsc = {path: $p, runtimeArgs: $a}' <<<"$current" >"$tmp" \
            || die "could not merge $DAEMON_JSON"
        after=$(jq -S -c . "$tmp")
        if [[ $before == "$after" ]]; then echo unchanged; else echo changed; fi
    fi >"$tmp.state"

    local state
    state=$(cat "$tmp.state"); rm -f "$tmp.state"
    if [[ $state == changed ]]; then
        if [[ -e $DAEMON_JSON ]]; then
            local backup
            backup="$DAEMON_JSON.bak.$(date +%Y%m%d-%H%M%S)"
            cp -p "$DAEMON_JSON" "$backup"
            log "backed up old $DAEMON_JSON to $backup"
        fi
        chmod 0644 "$tmp"
        mv -f "$tmp" "$DAEMON_JSON"
        log "registered runsc ($runsc_path) in $DAEMON_JSON"
    else
        rm -f "$tmp"
    fi
    echo "$state"
}
json_state=$(merge_daemon_json "$runsc_bin")

# ---------------------------------------------------------- 3c. dockerd
# Is $1 a live process named dockerd? (/proc instead of pgrep: procps may be
# missing on minimal systems.) A killed dockerd can linger as a zombie until
# its parent (often PID 1) reaps it; that one does not count.
is_live_pid() {
    local stat
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }            # fields after "(comm) ": state is first
    [[ ${stat:0:1} != [ZX] ]]
}
is_dockerd_pid() {
    is_live_pid "$1" && [[ $(cat "/proc/$1/comm" 2>/dev/null) == dockerd ]]
}
find_dockerd_pid() {
    local p
    if [[ -r $DOCKER_PIDFILE ]] && p=$(cat "$DOCKER_PIDFILE" 2>/dev/null) && is_dockerd_pid "$p"; then
        echo "$p"; return 0
    fi
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        if is_dockerd_pid "$p"; then echo "$p"; return 0; fi
    done
    return 1
}

# Waits until the engine answers AND lists runsc; prints the runtimes.
# $1 = seconds, $2 = pid to watch (give up early if it dies; may be empty).
wait_for_runsc() {
    local deadline=$((SECONDS + $1)) pid=${2:-} rt
    while ((SECONDS < deadline)); do
        if rt=$(docker_runtimes) && [[ -n $rt ]] && has_runsc "$rt"; then
            echo "$rt"; return 0
        fi
        # Give up early if the dockerd we started died (e.g. bad daemon.json).
        # ($pid may still be setsid/nohup about to exec dockerd: check liveness
        # by pid, not by name.)
        if [[ -n $pid ]] && ! is_live_pid "$pid" && ! find_dockerd_pid >/dev/null; then
            log "dockerd (pid $pid) exited"
            return 1
        fi
        sleep 1
    done
    return 1
}

show_log_tail() {
    if [[ -r $DOCKERD_LOG ]]; then
        log "last 20 lines of $DOCKERD_LOG:"
        tail -n 20 "$DOCKERD_LOG" >&2
    fi
}

if dpid=$(find_dockerd_pid); then
    # A dockerd is running but did not list runsc (or did not answer yet).
    # SIGHUP makes dockerd re-read daemon.json, including "runtimes".
    # We send it even if daemon.json was already right: the file may have
    # been edited after the daemon started.
    log "dockerd is running (pid $dpid); daemon.json $json_state; sending SIGHUP to reload runtimes"
    kill -HUP "$dpid"
    if runtimes=$(wait_for_runsc 20 "$dpid"); then
        report_ready "$runtimes"
    fi
    rt=$(docker_runtimes || true)
    die "dockerd (pid $dpid) still does not list runsc after SIGHUP (runtimes: ${rt:-engine not answering}).
It may use another config file (--config-file) or have the runtime set on its
command line. Restart it so it reads $DAEMON_JSON, e.g. 'kill $dpid' and re-run this script."
fi

# No dockerd running. A pid file left by a dead dockerd (or pointing at a
# recycled pid now used by something else) makes dockerd refuse to start.
if [[ -e $DOCKER_PIDFILE ]]; then
    log "removing stale $DOCKER_PIDFILE (pid $(cat "$DOCKER_PIDFILE" 2>/dev/null || echo '?') is not a running dockerd)"
    rm -f "$DOCKER_PIDFILE"
fi
# dockerd unlinks its socket before listening, but remove a leftover one
# anyway so a stale socket can never be mistaken for a live engine.
if [[ -S $DOCKER_SOCK ]]; then
    log "removing stale socket $DOCKER_SOCK"
    rm -f "$DOCKER_SOCK"
fi

if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    # Under systemd, let it own the daemon (restarts, logs, boot).
    log "starting docker via systemctl"
    systemctl start docker || { systemctl status docker --no-pager -l >&2 || true; die "systemctl start docker failed"; }
    dpid=""
else
    # No init system to manage it: start dockerd fully detached (own session,
    # no controlling terminal, stdin closed) so it outlives this script.
    log "starting dockerd (log: $DOCKERD_LOG)"
    setsid nohup dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
    dpid=$!
fi

if runtimes=$(wait_for_runsc "$START_TIMEOUT" "$dpid"); then
    report_ready "$runtimes"
fi
rt=$(docker_runtimes || true)
if [[ -n $rt ]]; then
    die "dockerd answers but does not list runsc (runtimes: ${rt// /, }); check $DAEMON_JSON"
fi
show_log_tail
die "dockerd did not come up (it exited, or did not answer within ${START_TIMEOUT}s); see $DOCKERD_LOG"
