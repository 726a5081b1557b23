/**
 * Codec benchmark (not a test): prefixes per second and MB/s for decoding and
 * encoding UPDATEs with 1 and ~500 IPv4 /32s each, and for reading MRT table dump and
 * updates files from the in-repo corpus. Run with `pnpm bench` in packages/bgp (one core: Node runs this
 * on one thread). Figures are medians of several timed rounds after a warm-up.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readMrt } from '../src/mrt/index.js';
import type { PathAttribute } from '../src/wire/attributes/path-attribute.js';
import { defaultContext, makeContext, modernContext } from '../src/wire/context.js';
import { type Ipv4Prefix, ipv4Prefix } from '../src/wire/prefix.js';
import { decodeUpdate, encodeUpdate, parseUpdate } from '../src/wire/update.js';
import { packUpdates } from '../src/wire/update-packer.js';
import { CORPUS_DIR } from '../test/support/corpus.js';

const corpus = CORPUS_DIR;

const attributes: PathAttribute[] = [
  { kind: 'origin', value: 0 },
  { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001, 4200000001] }] },
  { kind: 'med', value: 100 },
  { kind: 'communities', values: [0xfde80064] },
  { kind: 'largeCommunities', values: [[4200000001, 1, 2]] },
];

interface Row {
  readonly name: string;
  readonly prefixes: number;
  readonly bytes: number;
  readonly ms: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs `fn` (which returns the prefixes it handled) until `minMs` passes, several rounds; keeps the median. */
function measure(name: string, bytes: number, fn: () => number, rounds = 5, minMs = 300): Row {
  for (let i = 0; i < 3; i++) fn(); // warm-up: let the JIT settle
  const perRound: number[] = [];
  let prefixesPerCall = 0;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t1 = t0;
    while (t1 - t0 < minMs) {
      prefixesPerCall = fn();
      calls++;
      t1 = performance.now();
    }
    perRound.push((t1 - t0) / calls);
  }
  return { name, prefixes: prefixesPerCall, bytes, ms: median(perRound) };
}

function prefixes(n: number, base = 0x0a000000): Ipv4Prefix[] {
  return Array.from({ length: n }, (_, i) => ipv4Prefix(base + i, 32));
}

function updatesOf(perUpdate: number, total: number): Uint8Array[] {
  const all = prefixes(total);
  const out: Uint8Array[] = [];
  for (let i = 0; i < total; i += perUpdate) {
    out.push(
      ...packUpdates({
        afi: 1,
        attributes,
        nextHop: '10.250.0.1',
        nlri: all.slice(i, i + perUpdate),
        ctx: modernContext,
      }),
    );
  }
  return out;
}

function decodeAll(messages: Uint8Array[]): number {
  let n = 0;
  for (const m of messages) n += parseUpdate(decodeUpdate(m), modernContext).nlri.length;
  return n;
}

const rows: Row[] = [];
const withNextHop: PathAttribute[] = [
  ...attributes.slice(0, 2),
  { kind: 'nextHop', address: '10.250.0.1' },
  ...attributes.slice(2),
];

for (const [perUpdate, total] of [
  [1, 20_000],
  [500, 500_000],
] as const) {
  const all = prefixes(total);
  const messages = updatesOf(perUpdate, total);
  const bytes = messages.reduce((s, m) => s + m.length, 0);
  const per = Math.round(total / messages.length);
  rows.push(
    measure(`decode UPDATE, ${per} /32 each (${messages.length} msgs)`, bytes, () => decodeAll(messages)),
  );
  rows.push(
    measure(`encode UPDATE, ${per} /32 each (${messages.length} msgs)`, bytes, () => {
      let n = 0;
      for (let i = 0; i < total; i += perUpdate) {
        if (perUpdate === 1) {
          // One route, one message: the general encoder, attributes and all.
          encodeUpdate({ attributes: withNextHop, nlri: [all[i]!] }, modernContext);
          n++;
        } else {
          const nlri = all.slice(i, i + perUpdate);
          packUpdates({ afi: 1, attributes, nextHop: '10.250.0.1', nlri, ctx: modernContext });
          n += nlri.length;
        }
      }
      return n;
    }),
  );
}

// MRT from the in-repo corpus (test/corpus/README.md, "Subsets in this copy"): the first
// 10,000 entries of a TABLE_DUMP (v1) RIB from RIPE RIS, 2002, and the first 2,000 records
// of a 15-minute BGP4MP updates file from 2019 (1,994 UPDATEs).
const bview = gunzipSync(
  readFileSync(resolve(corpus, 'bgpdump/test_data/bview.20020722.2337.first-10000-records.gz')),
);
rows.push(
  measure(
    'read MRT TABLE_DUMP bview.20020722 + decode attributes',
    bview.length,
    () => {
      let n = 0;
      for (const rec of readMrt(bview)) {
        if (rec.kind !== 'tableDump') continue;
        for (const e of rec.entries) {
          parseUpdate(
            {
              kind: 'update',
              withdrawnRoutes: new Uint8Array(0),
              pathAttributes: e.attributes,
              nlri: new Uint8Array(0),
            },
            defaultContext,
          );
          n++;
        }
      }
      return n;
    },
    3,
    100,
  ),
);
const asn4 = makeContext({ fourOctetAs: true });
const asn2 = makeContext({ fourOctetAs: false });
const updates = gunzipSync(
  readFileSync(resolve(corpus, 'bgp-rs/updates.20190101.0000.first-2000-records.gz')),
);
rows.push(
  measure(
    'read MRT BGP4MP updates.20190101 + parse every UPDATE',
    updates.length,
    () => {
      let n = 0;
      for (const rec of readMrt(updates)) {
        if (rec.kind !== 'bgp4mpMessage' || rec.message[18] !== 2) continue;
        try {
          const p = parseUpdate(decodeUpdate(rec.message), rec.fourOctetAs ? asn4 : asn2);
          n += p.nlri.length + p.withdrawn.length;
          for (const a of p.attributes) {
            if (a.kind === 'mpReach') n += a.nlri?.length ?? 0;
            else if (a.kind === 'mpUnreach') n += a.withdrawn?.length ?? 0;
          }
        } catch {
          // a malformed UPDATE counts as handled; the corpus test checks which ones
        }
      }
      return n;
    },
    3,
    100,
  ),
);

const fmt = (x: number, digits = 1): string => x.toLocaleString('en-US', { maximumFractionDigits: digits });
console.log(`node ${process.version}, one thread\n`);
console.log(
  [
    'benchmark'.padEnd(62),
    'prefixes/call'.padStart(13),
    'ms/call'.padStart(9),
    'Mprefix/s'.padStart(10),
    'MB/s'.padStart(8),
  ].join(' '),
);
for (const r of rows) {
  console.log(
    [
      r.name.padEnd(62),
      fmt(r.prefixes, 0).padStart(13),
      fmt(r.ms, 2).padStart(9),
      fmt(r.prefixes / r.ms / 1000, 2).padStart(10),
      fmt(r.bytes / r.ms / 1000, 0).padStart(8),
    ].join(' '),
  );
}
