#!/usr/bin/env bash
# build-base.sh [TAG] — build claw4j's agent base image without any container
# registry (docker pull is not available everywhere we run): debootstrap a
# minimal Debian bookworm root filesystem and `docker import` it.
#
#   TAG            image tag, default claw4j-base:bookworm-2
#   DEBIAN_MIRROR  Debian mirror, default http://deb.debian.org/debian
#
# Idempotent: if TAG already exists, it says so and exits at once. Bump the
# tag's suffix when you change what goes into the image.
#
# The image contains the tools an agent uses (bash, coreutils, git, python3,
# curl, jq, ripgrep, ...), a user "agent" (uid/gid 1000, home /home/agent)
# and /workspace/{group,global} owned by that user. Docs, man pages, locales
# and apt indexes are stripped to keep it small. Sandboxes run it with
# --runtime=runsc --network=none -u 1000.
set -euo pipefail

readonly TAG=${1:-claw4j-base:bookworm-2}
readonly SUITE=bookworm
readonly MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly PACKAGES=bash,coreutils,git,python3,curl,jq,ripgrep,ca-certificates,procps,iproute2,findutils,grep,sed,busybox
readonly AGENT_UID=1000

step() { printf '[build-base %4ds] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[build-base %4ds] ERROR: %s\n' "$SECONDS" "$*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || die "docker CLI not found; run scripts/setup-docker.sh first"
timeout 10 docker info >/dev/null 2>&1 || die "Docker engine does not answer; run scripts/setup-docker.sh first"

# ------------------------------------------------------------- fast path
if docker image inspect "$TAG" >/dev/null 2>&1; then
    echo "base image $TAG: present"
    exit 0
fi

# ------------------------------------------------------------- prerequisites
# debootstrap must run as root (mknod, chown, chroot).
if [[ $EUID -ne 0 ]]; then
    die "building $TAG needs root (debootstrap + chroot). Run: sudo $0 $TAG"
fi
if ! command -v debootstrap >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        step "installing debootstrap"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q || step "warning: apt-get update reported errors; trying the install anyway"
        # The keyring lets debootstrap verify the Release file (needed on Ubuntu).
        apt-get install -y -q debootstrap debian-archive-keyring
    else
        die "debootstrap is missing and there is no apt-get to install it; install debootstrap (and the Debian archive keyring) by hand"
    fi
fi

# ------------------------------------------------------------- workspace
# /var/tmp rather than /tmp: the rootfs is ~200 MB and /tmp may be a small
# tmpfs. WORK holds the rootfs plus the debootstrap log (kept out of the image).
WORK=$(mktemp -d /var/tmp/claw4j-base.XXXXXX)
ROOTFS=$WORK/rootfs
LOG=$WORK/debootstrap.log
IMAGE_ID=""

cleanup() {
    local rc=$?
    # debootstrap mounts /proc and /sys inside the target and may leave them
    # mounted if it fails. Unmount everything below WORK (deepest first)
    # before deleting, and never let rm cross into another filesystem.
    if [[ -n ${WORK:-} && -d $WORK ]]; then
        local m
        awk -v root="$WORK" 'index($2, root "/") == 1 { print $2 }' /proc/self/mounts \
            | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
        rm -rf --one-file-system "$WORK"
    fi
    if ((rc != 0)); then
        # An import that succeeded but was not tagged (we failed after it)
        # would only linger as a dangling image.
        if [[ -n $IMAGE_ID ]]; then docker image rm -f "$IMAGE_ID" >/dev/null 2>&1 || true; fi
        printf '[build-base %4ds] FAILED (exit %d); temporary files removed\n' "$SECONDS" "$rc" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # run the EXIT trap on Ctrl-C / kill as well

# ------------------------------------------------------------- debootstrap
step "debootstrap $SUITE (minbase + $PACKAGES) from $MIRROR into $ROOTFS"
# debootstrap is chatty (one line per package); keep its log and show it only
# when it fails.
if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR" >"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    if [[ -f $ROOTFS/debootstrap/debootstrap.log ]]; then
        echo "--- $ROOTFS/debootstrap/debootstrap.log (tail) ---" >&2
        tail -n 30 "$ROOTFS/debootstrap/debootstrap.log" >&2
    fi
    die "debootstrap failed"
fi
step "debootstrap done ($(du -sh --one-file-system "$ROOTFS" | cut -f1))"

# ------------------------------------------------------------- configure
step "creating user agent ($AGENT_UID:$AGENT_UID) and /workspace"
# The sandbox runs as uid 1000 and mounts the group/global workspaces here;
# they must exist and be writable by that uid even before anything is mounted.
chroot "$ROOTFS" /bin/bash -euo pipefail -c "
    groupadd --gid $AGENT_UID agent
    useradd --uid $AGENT_UID --gid $AGENT_UID --home-dir /home/agent --create-home --shell /bin/bash agent
    mkdir -p /workspace/group /workspace/global
    chown -R $AGENT_UID:$AGENT_UID /workspace
"

# Debian 12's runsc rejects the AT_NO_AUTOMOUNT flag that coreutils 9.1 passes to statx, so
# 'ls -l' and 'stat' fail with 'Invalid argument' inside gVisor. busybox's ls and stat use plain
# stat(2); /usr/local/bin comes first on PATH, so agents get working ones.
step "shimming ls and stat with busybox (gVisor statx workaround)"
ln -sf /bin/busybox "$ROOTFS/usr/local/bin/ls"
ln -sf /bin/busybox "$ROOTFS/usr/local/bin/stat"

step "stripping apt caches, docs, man pages, locales, logs"
# Docker bind-mounts its own /etc/resolv.conf, /etc/hosts and /etc/hostname;
# empty the copies debootstrap took from this host so they do not leak into
# the image.
: >"$ROOTFS/etc/resolv.conf"
echo localhost >"$ROOTFS/etc/hostname"
rm -rf "$ROOTFS"/var/lib/apt/lists/* \
       "$ROOTFS"/var/cache/apt/*.bin \
       "$ROOTFS"/var/cache/apt/archives/*.deb \
       "$ROOTFS"/var/cache/apt/archives/partial/* \
       "$ROOTFS"/var/cache/debconf/*-old \
       "$ROOTFS"/var/lib/dpkg/*-old \
       "$ROOTFS"/usr/share/doc/* \
       "$ROOTFS"/usr/share/man/* \
       "$ROOTFS"/usr/share/info/* \
       "$ROOTFS"/usr/share/lintian \
       "$ROOTFS"/debootstrap
# Keep only C/POSIX: drop every translation catalogue but keep locale.alias.
find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
# Logs written while installing (dpkg.log, apt/, alternatives.log, ...).
find "$ROOTFS/var/log" -type f -delete
# Python bytecode caches are rebuilt on demand (and would be stale metadata).
find "$ROOTFS/usr/lib" -name __pycache__ -type d -prune -exec rm -rf {} +
# Should apt ever be used in a derived image, do not bring the docs back.
cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/01-claw4j-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
step "rootfs ready ($(du -sh --one-file-system "$ROOTFS" | cut -f1))"

# ------------------------------------------------------------- import
step "docker import -> $TAG"
# Import untagged first and tag only once the import succeeded, so a broken
# or interrupted build can never show up as "present" on the next run.
# --numeric-owner: keep the rootfs's uids/gids, not the host's name mapping.
IMAGE_ID=$(tar --numeric-owner -C "$ROOTFS" -c . \
    | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --message "claw4j base image: debootstrap $SUITE minbase from $MIRROR" \
        -)
docker tag "$IMAGE_ID" "$TAG"
IMAGE_ID=""   # tagged: no longer ours to remove on failure

size=$(docker image inspect --format '{{.Size}}' "$TAG")
step "built $TAG ($((size / 1024 / 1024)) MB) in ${SECONDS}s"
echo "base image $TAG: built"
