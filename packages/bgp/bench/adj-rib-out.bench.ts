/**
 * Adj-RIB-Out benchmark: N IPv4 /32s with one attribute set, announced, flushed
 * (unbudgeted, or BUDGET UPDATEs per call), then refreshed (resendAll) and flushed
 * again; reports times and memory per advertised route. Not a test: run by hand
 * (one process per measurement, so RSS is not shared), e.g.
 *   tsc -p tsconfig.json --noEmit false --outDir /tmp/bgp-bench && \
 *   echo '{"type":"module"}' > /tmp/bgp-bench/package.json && \
 *   node --expose-gc /tmp/bgp-bench/bench/adj-rib-out.bench.js [N] [BUDGET]
 */
import { AdjRibOut } from '../src/rib/adj-rib-out.js';
import { AttributeSetTable } from '../src/rib/attribute-set.js';
import { modernContext } from '../src/wire/context.js';
import { ipv4Prefix } from '../src/wire/prefix.js';

const n = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (x: number): string => `${(x / 1e6).toFixed(1)} MB`;

function load(table: AttributeSetTable): AdjRibOut {
  const set = table.intern([
    { kind: 'origin', value: 0 },
    { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001] }] },
  ]);
  const rib = new AdjRibOut({ ctx: modernContext, families: [{ afi: 1, safi: 1 }] });
  const base = 0x0a000000;
  for (let i = 0; i < n; i++) rib.set(ipv4Prefix(base + i, 32), set, '10.250.0.1');
  set.release();
  return rib;
}

function run(label: string, budget: number): void {
  const table = new AttributeSetTable();
  gc();
  const before = process.memoryUsage();
  let t = performance.now();
  const rib = load(table);
  const setMs = performance.now() - t;
  t = performance.now();
  let messages = 0;
  let bytes = 0;
  let calls = 0;
  while (rib.hasPending) {
    const out = rib.flush(budget);
    calls++;
    messages += out.length;
    for (const m of out) bytes += m.length;
  }
  const flushMs = performance.now() - t;
  gc();
  const after = process.memoryUsage();
  const perRoute = (x: number): string => `${mb(x)} = ${(x / n).toFixed(0)} B/route`;
  console.log(
    `${label}: ${n} routes; set ${setMs.toFixed(0)} ms; flush ${flushMs.toFixed(0)} ms in ${calls} call(s), ` +
      `${messages} UPDATEs of ${mb(bytes)}; advertised ${rib.advertisedCount}\n` +
      `  after flush + GC: heap +${perRoute(after.heapUsed - before.heapUsed)}, ` +
      `RSS +${perRoute(after.rss - before.rss)} (RSS ${mb(before.rss)} -> ${mb(after.rss)}, peak ${mb(process.resourceUsage().maxRSS * 1024)})`,
  );
  t = performance.now();
  rib.resendAll();
  const resendMs = performance.now() - t;
  t = performance.now();
  let again = 0;
  while (rib.hasPending) again += rib.flush(budget).length;
  console.log(
    `  resendAll ${resendMs.toFixed(0)} ms, re-flush ${(performance.now() - t).toFixed(0)} ms, ${again} UPDATEs`,
  );
  rib.clear();
}

const budget = Number(process.argv[3] ?? Number.POSITIVE_INFINITY);
run(budget === Number.POSITIVE_INFINITY ? 'unbudgeted' : `budget ${budget}`, budget);
