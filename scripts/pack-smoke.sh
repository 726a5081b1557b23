#!/usr/bin/env bash
# Packs @anyvip/bgp, @anyvip/bgp-cli, @anyvip/healthcheck and @anyvip/controller (and @anyvip/clock,
# which bgp and healthcheck depend on, and @anyvip/tcp-auth, bgp's optional dependency, so nothing is
# fetched from the registry under our scope) with `pnpm pack` (workspace:* becomes the real version),
# installs the four tarballs into an empty project (third-party dependencies from pnpm's store, the
# registry only for what the store lacks), type-checks an import of each package's public types, and
# runs scripts/pack-smoke/smoke.mjs: two speakers announce a route over 127.0.0.1. Needs
# `pnpm -r build` first. Prints the smoke JSON line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/anyvip-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT
for p in clock tcp-auth bgp bgp-cli healthcheck controller; do
  test -f "$root/packages/$p/dist/index.js" || test -f "$root/packages/$p/dist/main.js" || { echo "pack-smoke: packages/$p is not built (pnpm -r build)" >&2; exit 1; }
  (cd "$root/packages/$p" && pnpm pack --pack-destination "$work" >/dev/null)
done
ck=$(ls "$work"/anyvip-clock-*.tgz) ta=$(ls "$work"/anyvip-tcp-auth-*.tgz) bgp=$(ls "$work"/anyvip-bgp-0*.tgz) cli=$(ls "$work"/anyvip-bgp-cli-*.tgz) hc=$(ls "$work"/anyvip-healthcheck-*.tgz) ctl=$(ls "$work"/anyvip-controller-*.tgz)
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
  "dependencies": { "@anyvip/bgp": "file:$bgp", "@anyvip/bgp-cli": "file:$cli", "@anyvip/healthcheck": "file:$hc", "@anyvip/controller": "file:$ctl" },
  "pnpm": { "overrides": { "@anyvip/clock": "file:$ck", "@anyvip/tcp-auth": "file:$ta", "@anyvip/bgp": "file:$bgp", "@anyvip/healthcheck": "file:$hc" } }
}
JSON
cp "$root/scripts/pack-smoke/smoke.mjs" "$root/scripts/pack-smoke/types.ts" "$root/scripts/pack-smoke/consumer.ts" \
  "$root/scripts/pack-smoke/tsconfig.consumer.json" "$work/app/"
cd "$work/app"
# pnpm 10 runs dependencies' install scripts only when allowed (npm runs them by default): the
# tcp-auth install script compiles the addon from the shipped C source when a compiler is present.
pnpm install --prefer-offline --ignore-workspace --config.confirmModulesPurge=false \
  --config.dangerously-allow-all-builds=true --reporter=silent >&2
# Only what the packages export is importable: a deep import must fail.
if node -e "import('@anyvip/bgp/dist/speaker.js').then(() => process.exit(1), () => process.exit(0))"; then :; else
  echo 'pack-smoke: a deep import past the exports map resolved' >&2; exit 1
fi
"$root/node_modules/.bin/tsc" --noEmit --strict --module nodenext --moduleResolution nodenext --target es2024 \
  --skipLibCheck --types node --typeRoots "$root/node_modules/@types" types.ts
# A strict consumer (exactOptionalPropertyTypes, noUncheckedIndexedAccess, skipLibCheck false) compiles
# and runs a program written against @anyvip/bgp's awaitable API and received-route view.
"$root/node_modules/.bin/tsc" -p tsconfig.consumer.json --typeRoots "$root/node_modules/@types"
consumer=$(node consumer-dist/consumer.js)
# CommonJS consumers: require() of the ESM packages works on Node >= 22.12 (no top-level await inside).
cjs=$(node -e 'const b = require("@anyvip/bgp"); const w = require("@anyvip/bgp/wire"); const c = require("@anyvip/bgp/capture");
  console.log(typeof b.BgpSpeaker === "function" && typeof w.parsePrefix === "function" && typeof c.readCaptureFile === "function")')
# The addon as @anyvip/bgp finds it (its optional dependency, not the app's).
tcp_auth=$(node --input-type=module -e 'import { createRequire } from "node:module";
  const fromBgp = createRequire(createRequire(process.cwd() + "/").resolve("@anyvip/bgp"));
  const { loadTcpAuth } = await import(fromBgp.resolve("@anyvip/tcp-auth")); console.log(loadTcpAuth().kind)')
# Without a compiler the install script says so in one line and exits 0 (the addon stays optional).
tcp_auth_dir=$(node -e 'const { createRequire } = require("node:module"); const path = require("node:path");
  const fromBgp = createRequire(require.resolve("@anyvip/bgp"));
  console.log(path.dirname(path.dirname(fromBgp.resolve("@anyvip/tcp-auth"))))')
tcp_auth_line=$(cd "$tcp_auth_dir" && CC=/nonexistent/cc node scripts/build-native.mjs 2>&1)
# @anyvip/bgp has no third-party runtime dependency (the CLI's yargs and seek-bzip are @anyvip/bgp-cli's).
bgp_deps=$(tar -xzOf "$bgp" package/package.json | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
  const p = JSON.parse(s); console.log(Object.keys({ ...p.dependencies, ...p.optionalDependencies, ...p.peerDependencies }).join(","))})')
# The CLI from its tarball: bin anyvip-bgp decodes hex from stdin (and bzip2, which needs its seek-bzip).
cli_out=$(printf 'ffffffffffffffffffffffffffffffff0013 04\n' | ./node_modules/.bin/anyvip-bgp decode - --format hex)
# The controller's bin is its minified bundle: from the tarball it runs, and loads a lazy chunk.
anyvip_bin=$(./node_modules/.bin/anyvip manifest daemonset --asn 65001 --peer 10.0.0.1 --peer-asn 65000 | grep -c '^kind: DaemonSet$' || true)
tarball_files=$(tar -tzf "$bgp" | sort)
license=false; echo "$tarball_files" | grep -qx 'package/LICENSE' && license=true
dts_maps=$(echo "$tarball_files" | grep -c '\.d\.ts\.map$' || true)
node smoke.mjs | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const smoke = JSON.parse(s.trim().split("\n").at(-1));
    const [consumer, cjs, tcpAuth, tcpAuthLine, license, dtsMaps, bgpDeps, cli, anyvipBin] = process.argv.slice(1);
    console.log(JSON.stringify({ ...smoke, consumer: JSON.parse(consumer), cjs: cjs === "true", tcpAuth, tcpAuthLine,
      license: license === "true", dtsMaps: Number(dtsMaps), bgpDependencies: bgpDeps.split(",").filter(Boolean),
      cli: JSON.parse(cli), anyvipBin: Number(anyvipBin) }));
  });' "$consumer" "$cjs" "$tcp_auth" "$tcp_auth_line" "$license" "$dts_maps" "$bgp_deps" "$cli_out" "$anyvip_bin"
