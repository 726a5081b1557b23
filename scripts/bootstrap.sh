# Sourced by ./run: installs what anyvip needs on a Debian 12 machine, idempotently.
# Node 24 LTS comes from the npm registry's `node` package (a real Node binary), so the
# machine's own Node (Debian's, or an end-of-life one) is never used.

ANYVIP_TOOLS="${ANYVIP_TOOLS:-/opt/anyvip-node}"
NODE_VERSION_RANGE="24"
PNPM_VERSION="10.34.9"

log() { printf '\033[1m[anyvip]\033[0m %s\n' "$*" >&2; }

step() {
  local name="$1"; shift
  log "== $name: $*"
  "$@"
}

need_root() {
  if [ "$(id -u)" != 0 ]; then
    log "this step installs system packages and needs root: run it as root (sudo ./run ...)"
    exit 1
  fi
}

apt_updated=""
bootstrap_debian() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root
  log "installing Debian packages: ${missing[*]}"
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

bootstrap_node() {
  local node="$ANYVIP_TOOLS/node_modules/node/bin/node"
  if [ ! -x "$node" ] || ! "$node" --version | grep -q "^v$NODE_VERSION_RANGE\." \
    || [ ! -x "$ANYVIP_TOOLS/node_modules/.bin/pnpm" ] \
    || [ "$("$node" "$ANYVIP_TOOLS/node_modules/pnpm/bin/pnpm.cjs" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
    command -v npm >/dev/null || bootstrap_debian nodejs npm
    need_root
    log "installing Node $NODE_VERSION_RANGE and pnpm $PNPM_VERSION into $ANYVIP_TOOLS"
    mkdir -p "$ANYVIP_TOOLS"
    npm install --prefix "$ANYVIP_TOOLS" --no-audit --no-fund --loglevel=error \
      "node@$NODE_VERSION_RANGE" "pnpm@$PNPM_VERSION" >/dev/null
  fi
  export PATH="$ANYVIP_TOOLS/node_modules/node/bin:$ANYVIP_TOOLS/node_modules/.bin:$PATH"
  log "node $(node --version), pnpm $(pnpm --version)"
}

bootstrap_deps() {
  if [ ! -f node_modules/.modules.yaml ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
    log "installing npm dependencies (pnpm install --frozen-lockfile)"
    pnpm install --frozen-lockfile --reporter=append-only >/dev/null
  fi
}

build() {
  log "building (tsc)"
  pnpm run build >&2
}
