/**
 * How long BIRD takes to hold N /32s from `anyvip-bgp speak --generate N`, counted
 * from Established, and the speaker's peak RSS. Needs root and bird2 (network
 * namespaces from the interop harness) and a build (`pnpm run build`). Not a test:
 *   node --import ./scripts/ts-resolve.mjs bench/speaker-bird.bench.ts [N]
 * BIRD runs without a kernel protocol, so the figure is BIRD's table, not the FIB.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPair, startDaemon } from '../test/interop/support/index.js';

const pkg = resolve(import.meta.dirname, '..');
const lab = await createPair('speaker', 'bird');
try {
  const l = lab.link('speaker', 'bird');
  const bird = await startDaemon(lab, 'bird', 'bird', {
    routerId: l.remote.ipv4,
    asn: 65002,
    neighbors: [
      { address: l.local.ipv4, localAddress: l.remote.ipv4, asn: 65001, holdTimeSec: 90, passive: true },
    ],
    // No kernel protocol: measure what BIRD holds in its table, not FIB programming.
    rawConfig: [
      `router id ${l.remote.ipv4};`,
      'protocol device {}',
      `protocol bgp n_${l.local.ipv4.replace(/\./g, '_')} {`,
      `  local ${l.remote.ipv4} as 65002;`,
      `  neighbor ${l.local.ipv4} as 65001;`,
      '  passive on;',
      '  ipv4 { import all; export none; };',
      '}',
    ].join('\n'),
  });
  const p = await lab.spawn('speaker', process.execPath, [
    resolve(pkg, 'dist/cli/main.js'),
    'speak',
    '--local-asn',
    '65001',
    '--router-id',
    l.local.ipv4,
    '--peer',
    l.remote.ipv4,
    '--peer-asn',
    '65002',
    '--local-address',
    l.local.ipv4,
    '--generate',
    String(Number(process.argv[2] ?? 1_000_000)),
    '--duration',
    '60',
  ]);
  await p.waitForJsonLine((v) => (v as { to?: string }).to === 'established', { timeoutMs: 30_000 });
  const t0 = performance.now();
  let n = 0;
  let polls = 0;
  const want = Number(process.argv[2] ?? 1_000_000);
  while (n < want && performance.now() - t0 < 30_000) {
    n = await bird.routeCount(l.local.ipv4);
    polls++;
    if (n < want) await new Promise((r) => setTimeout(r, 100));
  }
  const ms = performance.now() - t0;
  const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))?.[1];
  console.log(
    JSON.stringify({
      birdHolds: n,
      msSinceEstablished: Math.round(ms),
      polls,
      speakerPeakRssMb: Number(hwm) / 1024,
    }),
  );
  console.log(
    p
      .lines()
      .filter((x) => /generated|eor-sent/.test(x))
      .join('\n'),
  );
} finally {
  await lab.destroy();
}
