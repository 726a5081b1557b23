/**
 * Receive-path benchmark (not a test): N IPv4 /32s packed as BIRD sends them (one
 * attribute set, 4096-octet UPDATEs), fed in 64 KiB chunks through the stages a
 * session runs: framing, message decoding, `parseUpdate`, `AdjRibIn.apply`, and the
 * `routesReceived` event arrays. Prints the time of each stage (cumulative), heap and
 * RSS. Run in packages/bgp:
 *   node --expose-gc --import ./scripts/ts-resolve.mjs bench/adj-rib-in.bench.ts [N]
 * Add `--cpu-prof` to see where the time goes.
 */
import { AdjRibIn } from '../src/rib/adj-rib-in.js';
import { AttributeSetTable } from '../src/rib/attribute-set.js';
import type { Route } from '../src/rib/route.js';
import { Framer } from '../src/session/framer.js';
import type { PathAttribute } from '../src/wire/attributes/path-attribute.js';
import { modernContext } from '../src/wire/context.js';
import { decodeMessage } from '../src/wire/message.js';
import { ipv4Prefix } from '../src/wire/prefix.js';
import { parseUpdate } from '../src/wire/update.js';
import { packUpdates } from '../src/wire/update-packer.js';

const n = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (x: number): string => `${(x / 1e6).toFixed(1)} MB`;

const attributes: PathAttribute[] = [
  { kind: 'origin', value: 0 },
  { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001] }] },
];

/** The whole table as one byte stream, then cut into 64 KiB chunks as TCP might deliver it. */
function stream(): Uint8Array[] {
  const nlri = Array.from({ length: n }, (_, i) => ipv4Prefix(0x64400000 + i, 32));
  const msgs = packUpdates({ afi: 1, attributes, nextHop: '10.250.1.1', nlri, ctx: modernContext });
  const total = msgs.reduce((s, m) => s + m.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const m of msgs) {
    all.set(m, at);
    at += m.length;
  }
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < total; i += 65536) chunks.push(all.slice(i, i + 65536));
  return chunks;
}

type Stage = 'frame' | 'decode' | 'parse' | 'apply' | 'events';

function run(chunks: readonly Uint8Array[], upTo: Stage): { ms: number; rib: AdjRibIn | undefined } {
  const framer = new Framer(4096);
  const rib = new AdjRibIn({ table: new AttributeSetTable() });
  let sink = 0;
  const t0 = performance.now();
  for (const c of chunks) {
    framer.push(c);
    for (let m = framer.next(); m !== undefined; m = framer.next()) {
      if (upTo === 'frame') {
        sink += m.length;
        continue;
      }
      const msg = decodeMessage(m, modernContext);
      if (msg.kind !== 'update' || upTo === 'decode') continue;
      const parsed = parseUpdate(msg, modernContext);
      if (upTo === 'parse') {
        sink += parsed.nlri.length;
        continue;
      }
      const result = rib.apply(parsed);
      if (upTo === 'events') {
        const announced: Route[] = [];
        for (const ch of result.changes) if (ch.kind !== 'removed') announced.push(ch.route);
        sink += announced.length;
      }
    }
  }
  const ms = performance.now() - t0;
  if (sink < 0) console.log(sink);
  return { ms, rib: upTo === 'apply' || upTo === 'events' ? rib : undefined };
}

const chunks = stream();
console.log(`${n} /32s in ${chunks.length} chunks of 64 KiB`);
for (const stage of ['frame', 'decode', 'parse', 'apply', 'events'] as const) {
  gc();
  const before = process.memoryUsage();
  const { ms, rib } = run(chunks, stage);
  const after = process.memoryUsage();
  gc();
  const kept = process.memoryUsage().heapUsed - before.heapUsed;
  console.log(
    `${stage.padEnd(7)} ${ms.toFixed(0).padStart(6)} ms  heap kept ${mb(kept)}  ` +
      `rss ${mb(after.rss)}  routes ${rib?.count() ?? '-'}`,
  );
}
