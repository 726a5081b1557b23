#!/usr/bin/env bash
# Packs @anyvip/bgp, @anyvip/healthcheck and @anyvip/controller (and @anyvip/clock, which bgp and
# healthcheck depend on, and @anyvip/tcp-auth, bgp's optional dependency, so nothing is fetched from the registry under our scope) with `pnpm pack` (workspace:*
# becomes the real version), installs the three tarballs into an empty project (third-party
# dependencies from pnpm's store, the registry only for what the store lacks), type-checks an
# import of each package's public types, and runs scripts/pack-smoke/smoke.mjs: two speakers
# announce a route over 127.0.0.1. Needs `pnpm -r build` first. Prints the smoke JSON line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/anyvip-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT
for p in clock tcp-auth bgp healthcheck controller; do
  test -f "$root/packages/$p/dist/index.js" || { echo "pack-smoke: packages/$p is not built (pnpm -r build)" >&2; exit 1; }
  (cd "$root/packages/$p" && pnpm pack --pack-destination "$work" >/dev/null)
done
ck=$(ls "$work"/anyvip-clock-*.tgz) ta=$(ls "$work"/anyvip-tcp-auth-*.tgz) bgp=$(ls "$work"/anyvip-bgp-*.tgz) hc=$(ls "$work"/anyvip-healthcheck-*.tgz) ctl=$(ls "$work"/anyvip-controller-*.tgz)
# Every tarball carries the licence text its package.json claims (Apache-2.0), as a regular file.
for t in "$work"/*.tgz; do
  tar tvzf "$t" package/LICENSE | grep -q '^-' || { echo "pack-smoke: $(basename "$t") has no package/LICENSE" >&2; exit 1; }
done
mkdir "$work/app"
cat >"$work/app/package.json" <<JSON
{
  "name": "anyvip-pack-smoke",
  "private": true,
  "type": "module",
  "dependencies": { "@anyvip/bgp": "file:$bgp", "@anyvip/healthcheck": "file:$hc", "@anyvip/controller": "file:$ctl" },
  "pnpm": { "overrides": { "@anyvip/clock": "file:$ck", "@anyvip/tcp-auth": "file:$ta", "@anyvip/bgp": "file:$bgp", "@anyvip/healthcheck": "file:$hc" } }
}
JSON
cp "$root/scripts/pack-smoke/smoke.mjs" "$root/scripts/pack-smoke/types.ts" "$work/app/"
cd "$work/app"
pnpm install --prefer-offline --ignore-workspace --config.confirmModulesPurge=false --reporter=silent >&2
# Only what the packages export is importable: a deep import must fail.
if node -e "import('@anyvip/bgp/dist/speaker.js').then(() => process.exit(1), () => process.exit(0))"; then :; else
  echo 'pack-smoke: a deep import past the exports map resolved' >&2; exit 1
fi
"$root/node_modules/.bin/tsc" --noEmit --strict --module nodenext --moduleResolution nodenext --target es2024 \
  --skipLibCheck --types node --typeRoots "$root/node_modules/@types" types.ts
node smoke.mjs
