/**
 * Mutation fuzzing of the codec and of the `decode` loop, shared by fuzz.test.ts (a
 * short run on every test run) and scripts/fuzz-long.ts (long runs). Seeds are real
 * messages from test/corpus; mutations are bit flips, byte changes, inserts and
 * deletes, length-field tweaks, truncation and splices. The only acceptable failure
 * of a decoder is a WireError (STYLE.md, "Errors and events"); anything else is a
 * finding, saved under test/wire/regressions/<sha256>.bin and replayed forever.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBgpCapture } from '../../src/capture/bgp-capture.js';
import { decodeInput } from '../../src/decode/decode.js';
import { decompress } from '../../src/decode/input-format.js';
import { readMrt } from '../../src/mrt/reader.js';
import { ribAttributesAsUpdate } from '../../src/mrt/rib-attributes.js';
import type { CodecContext } from '../../src/wire/context.js';
import { makeContext } from '../../src/wire/context.js';
import { LocalProtocolError, WireError } from '../../src/wire/errors.js';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { encodeUpdate, parseUpdate } from '../../src/wire/update.js';
import { bunzip2 } from '../support/bunzip2.js';

/** A small, fast, seedable PRNG (xorshift32), so a run can be replayed from its seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
}

/** The contexts every input is decoded with: what real sessions negotiate. */
export const FUZZ_CONTEXTS: readonly CodecContext[] = [
  makeContext({ fourOctetAs: false }),
  makeContext({ fourOctetAs: true }),
  makeContext({
    fourOctetAs: true,
    addPath: [
      [1, 1],
      [2, 1],
    ],
    extendedMessage: true,
  }),
  makeContext({
    fourOctetAs: true,
    extendedNextHop: [
      [1, 1],
      [1, 128],
    ],
    extendedMessage: true,
  }),
];

function message(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(19 + body.length);
  out.fill(0xff, 0, 16);
  out[16] = (out.length >> 8) & 0xff;
  out[17] = out.length & 0xff;
  out[18] = type;
  out.set(body, 19);
  return out;
}

/** An UPDATE carrying only a path-attribute block (how RIB entries are fuzzed too). */
function updateWithAttributes(attrs: Uint8Array): Uint8Array | undefined {
  if (attrs.length > 4000) return undefined;
  const body = new Uint8Array(4 + attrs.length);
  body[2] = attrs.length >> 8;
  body[3] = attrs.length & 0xff;
  body.set(attrs, 4);
  return message(2, body);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

function hexBytes(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/[^0-9a-fA-F]/g, ''), 'hex'));
}

/**
 * Real messages to mutate: every message of every capture, up to `perFile` messages
 * and RIB attribute blocks of each MRT file, ExaBGP and RIS Live vectors, GoBGP bad-len
 * inputs. Deduplicated. Empty when the corpus is missing.
 */
export function collectSeeds(corpusDir: string, perFile = 200): Uint8Array[] {
  const seen = new Set<string>();
  const seeds: Uint8Array[] = [];
  const add = (b: Uint8Array | undefined): void => {
    if (b === undefined || b.length < 19) return;
    const key = Buffer.from(b).toString('base64');
    if (seen.has(key)) return;
    seen.add(key);
    seeds.push(b);
  };
  for (const file of listFiles(corpusDir)) {
    const rel = file.slice(corpusDir.length + 1);
    if (/\.(pcap|pcapng|cap)$/.test(rel)) {
      for (const ev of readBgpCapture(readFileSync(file), {
        ports: [179, 1179],
        maxLengthFor: () => 65535,
      })) {
        if (ev.kind === 'message') add(ev.bytes);
      }
    } else if (
      /^(mrtparse\/[^.]+_(bgp|rib[^.]*)|mrtparse\/.*@.*|bgpdump\/test_data\/.*|bgp-rs\/.*\.gz|bgpkit-parser\/(ripe\/.*\.gz|.*\.bz2))$/.test(
        rel,
      )
    ) {
      let n = 0;
      for (const rec of readMrt(decompress(readFileSync(file), bunzip2))) {
        if (n >= perFile) break;
        if (rec.kind === 'bgp4mpMessage') add(rec.message);
        else if (rec.kind === 'rib')
          for (const e of rec.entries.slice(0, 2))
            add(updateWithAttributes(ribAttributesAsUpdate(e.attributes, rec.afi, rec.safi)));
        else if (rec.kind === 'tableDump')
          for (const e of rec.entries.slice(0, 2)) add(updateWithAttributes(e.attributes));
        else continue;
        n++;
      }
    } else if (rel.startsWith('exabgp/qa/') && rel.endsWith('.ci')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/:raw:([0-9A-Fa-f:]+)/g)) add(hexBytes(m[1]!));
    } else if (rel.startsWith('gobgp/bad-len/')) {
      add(readFileSync(file));
    } else if (rel.endsWith('ris-live-frames.jsonl')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/"raw":"([0-9A-Fa-f]+)"/g)) add(hexBytes(m[1]!));
    }
  }
  return seeds;
}

/** Seeds used when the corpus is absent, so the fuzzer still runs (hand-written, all types). */
export const BUILTIN_SEEDS: readonly Uint8Array[] = [
  hexBytes(
    'ffffffffffffffffffffffffffffffff 0035 01 04 fde9 00b4 0a000001 18 0206410400030d40 02060104 00010001 0206450400010103',
  ),
  hexBytes(
    'ffffffffffffffffffffffffffffffff 005f 02 0000 0044 40010100 40020a0202 00030d40 0000fde8 4003040a000001 80040400000064 c00804fde80064 c0200c00030d400000000100000002 800e1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8 18c63364',
  ),
  hexBytes('ffffffffffffffffffffffffffffffff 001d 02 0000 0006 800f 03 000101'),
  hexBytes('ffffffffffffffffffffffffffffffff 001b 03 0602 05 68656c6c6f'),
  hexBytes('ffffffffffffffffffffffffffffffff 0017 05 0001 0001'),
  hexBytes('ffffffffffffffffffffffffffffffff 0013 04'),
];

/** One mutation of `seed` (sometimes spliced with `other`). */
export function mutate(rng: Rng, seed: Uint8Array, other: Uint8Array): Uint8Array {
  let b: Uint8Array = seed.slice();
  const rounds = 1 + rng.below(3);
  for (let r = 0; r < rounds; r++) {
    const op = rng.below(10);
    const at = rng.below(Math.max(1, b.length));
    switch (op) {
      case 0:
      case 1: {
        // Bit flips, mostly after the marker where the decoder's decisions are.
        const pos = b.length > 19 ? 16 + rng.below(b.length - 16) : at;
        b[pos] = (b[pos] ?? 0) ^ (1 << rng.below(8));
        break;
      }
      case 2:
        b[at] = rng.below(256);
        break;
      case 3: {
        const n = 1 + rng.below(8);
        const ins = Uint8Array.from({ length: n }, () => rng.below(256));
        b = concat(b.subarray(0, at), ins, b.subarray(at));
        break;
      }
      case 4: {
        const n = 1 + rng.below(8);
        b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + n)));
        break;
      }
      case 5:
      case 6: {
        // Length fields: the header's, the two UPDATE section lengths, or any octet
        // (an attribute or prefix length, an optional-parameter length) nudged.
        const fields = [16, 17, 19, 20, at];
        if (b.length > 21) {
          const wl = ((b[19] ?? 0) << 8) | (b[20] ?? 0);
          fields.push(21 + wl, 22 + wl);
        }
        const pos = fields[rng.below(fields.length)]!;
        if (pos < b.length) {
          const deltas = [1, -1, 2, -2, 4, -4, 0x80, 0xff];
          b[pos] =
            rng.below(4) === 0
              ? [0, 0xff, 0x7f, 0x80][rng.below(4)]!
              : ((b[pos] ?? 0) + deltas[rng.below(deltas.length)]!) & 0xff;
        }
        break;
      }
      case 7:
        b = b.subarray(0, rng.below(b.length + 1)).slice();
        break;
      case 8: {
        const cut = rng.below(other.length);
        b = concat(b.subarray(0, at), other.subarray(cut));
        break;
      }
      default: {
        const n = 1 + rng.below(16);
        b = concat(b.subarray(0, at), b.subarray(at, at + n), b.subarray(at));
        break;
      }
    }
  }
  // Most of the time keep the marker and the header length intact, so that decoding goes deeper.
  if (b.length >= 16 && rng.below(10) !== 0) b.fill(0xff, 0, 16);
  if (b.length >= 19 && b.length <= 0xffff && rng.below(4) !== 0) {
    b[16] = b.length >> 8;
    b[17] = b.length & 0xff;
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What one input did that it must not: throw anything but WireError (or LocalProtocolError when re-encoding). */
export function misbehaviour(input: Uint8Array): string | undefined {
  for (const ctx of FUZZ_CONTEXTS) {
    let stage = 'decodeMessage';
    try {
      const m = decodeMessage(input, ctx);
      if (m.kind === 'update') {
        stage = 'parseUpdate';
        const p = parseUpdate(m, ctx);
        stage = 'encodeUpdate';
        if (p.issues.length === 0)
          tryEncode(() =>
            encodeUpdate({ withdrawn: p.withdrawn, attributes: p.attributes, nlri: p.nlri }, ctx),
          );
      } else {
        stage = 'encodeMessage';
        tryEncode(() => encodeMessage(m, ctx));
      }
    } catch (e) {
      if (e instanceof WireError && stage !== 'encodeUpdate' && stage !== 'encodeMessage') continue;
      return `${stage} with ${JSON.stringify({ ...ctx, addPath: [...ctx.addPath], extendedNextHop: [...ctx.extendedNextHop] })} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    }
  }
  return undefined;
}

function tryEncode(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    // Re-encoding a decoded message may hit a local limit (size), never anything else.
    if (!(e instanceof LocalProtocolError)) throw e;
  }
}

/** Runs a batch of inputs through the `decode` loop as a raw stream and as MRT; returns internal errors. */
export function loopMisbehaviour(inputs: readonly Uint8Array[]): { reason: string; hex: string }[] {
  const found: { reason: string; hex: string }[] = [];
  const stream = concat(...inputs);
  const records: Uint8Array[] = [];
  for (const m of inputs) {
    const body = concat(hexBytes('0000fde8 0000fde9 0000 0001 c0000201 c0000202'), m);
    const h = new Uint8Array(12);
    const v = new DataView(h.buffer);
    v.setUint32(0, 1700000000);
    v.setUint16(4, 16);
    v.setUint16(6, m.length % 3 === 0 ? 9 : 4);
    v.setUint32(8, body.length);
    records.push(h, body);
  }
  for (const [format, bytes] of [
    ['raw', stream],
    ['mrt', concat(...records)],
  ] as const) {
    try {
      for (const r of decodeInput(bytes, { format })) {
        if (r.errorCode === 'ANYVIP_INTERNAL_ERROR')
          found.push({ reason: String(r.reason), hex: String(r.hex ?? '') });
      }
    } catch (e) {
      found.push({
        reason: `decodeInput(${format}) threw ${String(e)}`,
        hex: Buffer.from(bytes).toString('hex'),
      });
    }
  }
  return found;
}

/** Saves a failing input as regressions/<sha256>.bin; returns the file name. */
export function saveRegression(dir: string, input: Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  const name = `${createHash('sha256').update(input).digest('hex')}.bin`;
  writeFileSync(join(dir, name), input);
  return name;
}

export interface FuzzReport {
  readonly iterations: number;
  readonly decodes: number;
  readonly failures: readonly { readonly file: string; readonly reason: string }[];
  readonly ms: number;
}

/** Runs `iterations` mutations (and the decode loop on every `loopEvery`-th batch of 64). */
export function fuzz(
  seeds: readonly Uint8Array[],
  iterations: number,
  seed: number,
  regressionsDir: string,
  options: { loopBatch?: number; onProgress?: (done: number) => void } = {},
): FuzzReport {
  const rng = new Rng(seed);
  const t0 = performance.now();
  const failures: { file: string; reason: string }[] = [];
  const batch: Uint8Array[] = [];
  const loopBatch = options.loopBatch ?? 64;
  let decodes = 0;
  for (let i = 0; i < iterations; i++) {
    const s = seeds[rng.below(seeds.length)]!;
    const input = mutate(rng, s, seeds[rng.below(seeds.length)]!);
    decodes += FUZZ_CONTEXTS.length;
    const bad = misbehaviour(input);
    if (bad !== undefined && failures.length < 20)
      failures.push({ file: saveRegression(regressionsDir, input), reason: bad });
    if (loopBatch > 0) {
      batch.push(input);
      if (batch.length === loopBatch) {
        for (const f of loopMisbehaviour(batch)) {
          if (failures.length < 20)
            failures.push({ file: saveRegression(regressionsDir, hexBytes(f.hex)), reason: f.reason });
        }
        batch.length = 0;
      }
    }
    if (options.onProgress && (i + 1) % 100000 === 0) options.onProgress(i + 1);
  }
  return { iterations, decodes, failures, ms: performance.now() - t0 };
}
