/**
 * The whole third-party corpus in test/corpus (see its README.md): every file is
 * accounted for; every capture and MRT file goes through the decode loop behind
 * `anyvip-bgp decode`, with message counts checked against the README
 * (corpus-expected/*.json, where each divergence is explained); every message that
 * decodes re-encodes byte-exact; malformed ones give typed ERROR records, never
 * another exception; decodings are checked against the upstream expected outputs
 * (bgpdump -m, ExaBGP JSON, RIS Live) where they exist.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { type DecodedMessage, decodeInput, mrtName } from '../../src/decode/decode.js';
import type { JsonObject } from '../../src/decode/format-json.js';
import { decompress } from '../../src/decode/input-format.js';
import { readMrt } from '../../src/mrt/reader.js';
import { formatIpv6Bytes, parseIpv6 } from '../../src/wire/address.js';
import { type CodecContext, makeContext } from '../../src/wire/context.js';
import { WireError } from '../../src/wire/errors.js';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { formatPrefix, parsePrefix } from '../../src/wire/prefix.js';
import { encodeUpdate, type ParsedUpdate, parseUpdate } from '../../src/wire/update.js';
import { bunzip2 } from '../support/bunzip2.js';
import { hex, message } from '../support/bytes.js';
import { CORPUS_DIR } from '../support/corpus.js';
import { bgpdumpLines } from './corpus-expected/bgpdump-lines.js';
import capturesExpected from './corpus-expected/captures.json' with { type: 'json' };
import mrtExpected from './corpus-expected/mrt.json' with { type: 'json' };

const corpusDir = CORPUS_DIR;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(corpusDir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

const files = listFiles(corpusDir);
const read = (rel: string): Uint8Array => readFileSync(join(corpusDir, rel));

type Kind =
  | 'capture'
  | 'mrt'
  | 'bgpdumpExpected'
  | 'exabgpCi'
  | 'exabgpDecoding'
  | 'risLive'
  | 'gobgpBadLen'
  | 'reference';

interface CaptureExpectation {
  readonly readme: string;
  readonly ours: string;
  readonly errors: Record<string, number>;
  readonly note?: string;
}
interface MrtExpectation {
  readonly records?: number;
  readonly mrt?: Record<string, number>;
  readonly mrtHeaders?: Record<string, number>;
  readonly messages?: Record<string, number>;
  readonly ribEntries?: number;
  readonly skipped?: number;
  readonly mrtErrors?: number;
  readonly errors?: Record<string, number>;
  readonly note?: string;
}
const captures = capturesExpected.captures as Record<string, CaptureExpectation>;
const mrts = mrtExpected.files as Record<string, MrtExpectation>;

/**
 * What each corpus file is. Reference files (upstream READMEs, attributions, configurations,
 * tcpdump/pmacct printouts, checksums, the subset script) are read by people, not decoded here.
 */
function kindOf(rel: string): Kind | undefined {
  if (rel in captures) return 'capture';
  if (rel in mrts) return 'mrt';
  if (rel.startsWith('bgpdump/test_expect/')) return 'bgpdumpExpected';
  if (rel.startsWith('exabgp/qa/') && rel.endsWith('.ci')) return 'exabgpCi';
  if (rel.startsWith('exabgp/qa/decoding/')) return 'exabgpDecoding';
  if (rel === 'bgpkit-parser/rislive/ris-live-frames.jsonl') return 'risLive';
  if (rel.startsWith('gobgp/bad-len/')) return 'gobgpBadLen';
  if (
    /(^|\/)(upstream-README\.(md|rst)|SHA256SUMS|README\.md|ATTRIBUTION\.md|TESTLIST\.bgp-lines\.txt)$/.test(
      rel,
    ) ||
    rel === 'subset-mrt.py' ||
    /\.(conf|out)$/.test(rel) ||
    /^pmacct-test-automation\/.*\/output-bgp-\d+\.json$/.test(rel)
  ) {
    return 'reference';
  }
  return undefined;
}

const typeCode: Record<string, number> = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  'ROUTE-REFRESH': 5,
};
const typeName = ['', 'OPEN', 'UPDATE', 'NOTIFICATION', 'KEEPALIVE', 'ROUTE-REFRESH'];

const totals = {
  files: 0,
  captureMessages: 0,
  mrtRecords: 0,
  decodedMessages: 0,
  ribEntries: 0,
  errorRecords: 0,
  reencodedExact: 0,
  bgpdumpLines: 0,
  exabgpMessages: 0,
  exabgpJson: 0,
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Re-encodes a decoded message; returns a description of the mismatch, or undefined when byte-exact. */
function reencodeFault(d: Pick<DecodedMessage, 'bytes' | 'ctx' | 'message' | 'parsed'>): string | undefined {
  if (d.message === undefined) return undefined;
  if (!sameBytes(encodeMessage(d.message, d.ctx), d.bytes)) return `${d.message.kind} does not re-encode`;
  // Canonical UPDATEs also re-encode from their parsed content (attributes keep their flags).
  if (d.parsed !== undefined && d.parsed.issues.length === 0) {
    const again = encodeUpdate(
      { withdrawn: d.parsed.withdrawn, attributes: d.parsed.attributes, nlri: d.parsed.nlri },
      d.ctx,
    );
    if (!sameBytes(again, d.bytes)) return 'UPDATE does not re-encode from its parsed content';
  }
  totals.reencodedExact++;
  return undefined;
}

interface Run {
  /** Messages by header type, ERROR records with a whole header included. */
  readonly counts: Map<number, number>;
  readonly errors: Record<string, number>;
  readonly faults: string[];
  ribEntries: number;
}

/** Runs the decode loop over a file and checks each record's invariants. */
function run(bytes: Uint8Array, onRecord?: (r: JsonObject) => void): Run {
  const result: Run = { counts: new Map(), errors: {}, faults: [], ribEntries: 0 };
  const observe = (d: DecodedMessage): void => {
    if (d.error !== undefined && !(d.error instanceof WireError))
      result.faults.push(`non-WireError: ${String(d.error)}`);
    const fault = reencodeFault(d);
    if (fault !== undefined && result.faults.length < 5) result.faults.push(fault);
    if (d.message !== undefined) totals.decodedMessages++;
  };
  for (const r of decodeInput(bytes, { ports: [179, 1179], observe, bunzip2 })) {
    onRecord?.(r);
    let t: number | undefined;
    if (r.type === 'ERROR') {
      totals.errorRecords++;
      const code = String(r.errorCode);
      result.errors[code] = (result.errors[code] ?? 0) + 1;
      if (code === 'ANYVIP_INTERNAL_ERROR') result.faults.push(`internal error: ${String(r.reason)}`);
      if (typeof r.code !== 'number' || typeof r.subcode !== 'number' || typeof r.reason !== 'string') {
        result.faults.push(`untyped ERROR record ${JSON.stringify(r)}`);
      }
      t = r.messageType as number | undefined;
    } else if (r.type === 'RIB') {
      result.ribEntries++;
      totals.ribEntries++;
    } else {
      t = typeCode[String(r.type)];
    }
    if (t !== undefined) result.counts.set(t, (result.counts.get(t) ?? 0) + 1);
  }
  return result;
}

function countsText(counts: Map<number, number>): string {
  return [...counts]
    .sort((a, b) => a[0] - b[0])
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
}

afterAll(() => {
  // The figures quoted in reports; printed so a CI log shows them.
  console.log(`corpus totals: ${JSON.stringify(totals)}`);
});

describe('the corpus (test/corpus)', () => {
  it('is there, and every file in it is known (capture, MRT, expected output, vectors or reference)', () => {
    // 381 upstream files kept whole, 6 cut ones, subset-mrt.py, 9 ATTRIBUTION.md, SHA256SUMS, README.md.
    expect(files.length, `corpus files under ${corpusDir}`).toBe(399);
    expect(files.filter((f) => kindOf(f) === undefined)).toEqual([]);
    expect(Object.keys(captures).filter((f) => !files.includes(f))).toEqual([]);
    expect(Object.keys(mrts).filter((f) => !files.includes(f))).toEqual([]);
    totals.files = files.length;
  });
});

describe('captures: counts as the README states, typed errors only, byte-exact re-encoding', () => {
  for (const rel of files.filter((f) => kindOf(f) === 'capture')) {
    it(rel, () => {
      const want = captures[rel]!;
      const r = run(read(rel));
      expect(r.faults).toEqual([]);
      expect(countsText(r.counts)).toBe(want.ours);
      expect(r.errors).toEqual(want.errors);
      if (want.ours !== want.readme || Object.keys(want.errors).length > 0) expect(want.note).toBeTruthy();
      totals.captureMessages += [...r.counts.values()].reduce((a, b) => a + b, 0);
    });
  }
});

/** An address or prefix as this codebase writes it (RFC 5952), for comparing other tools' text. */
function canonical(text: string): string {
  // Cheap filter first: IPv6 text has two colons or more and no spaces (communities have one).
  const first = text.indexOf(':');
  if (first < 0 || text.indexOf(':', first + 1) < 0 || text.includes(' ')) return text;
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIpv6(addr);
  if (bytes === undefined) return text;
  return slash < 0 ? formatIpv6Bytes(bytes) : `${formatIpv6Bytes(bytes)}${text.slice(slash)}`;
}

/** bgpdump's rendering of fields a route lacks: no ORIGIN is INCOMPLETE, no next hop 255.255.255.255. */
function bgpdumpDefaults(line: string): string {
  const f = line.split('|');
  if (f[2] !== 'A' && f[2] !== 'B') return line;
  const base = f[0] === 'TABLE_DUMP2_AP' ? 7 : 6;
  if (f[base + 1] === '') f[base + 1] = 'INCOMPLETE';
  if (f[base + 2] === '') f[base + 2] = '255.255.255.255';
  return f.join('|');
}

function compareLines(
  expected: readonly string[],
  ours: readonly string[],
): { missing: string[]; extra: string[] } {
  // The same lines in the same order is the usual case: check that first, cheaply.
  if (expected.length === ours.length && expected.every((l, i) => l === ours[i]))
    return { missing: [], extra: [] };
  const pending = new Map<string, number>();
  for (const l of expected) pending.set(l, (pending.get(l) ?? 0) + 1);
  const extra: string[] = [];
  for (const l of ours) {
    const n = pending.get(l);
    if (n) pending.set(l, n - 1);
    else extra.push(l);
  }
  const missing: string[] = [];
  for (const [l, n] of pending) for (let i = 0; i < n; i++) missing.push(l);
  return { missing, extra };
}

const bgpdumpKnownMissing: Record<string, number> = {
  // See mrt.json: the UPDATE is an ERROR here, bgpdump prints its first prefix.
  'updates.nlri_mask_trailing_bits.gz': 1,
};

describe('MRT: record and message counts as the README states, then bgpdump -m expected outputs', () => {
  for (const rel of files.filter((f) => kindOf(f) === 'mrt')) {
    it(rel, () => {
      const want = mrts[rel]!;
      const bytes = decompress(read(rel), bunzip2);
      const byName: Record<string, number> = {};
      const byHeader: Record<string, number> = {};
      let records = 0;
      let skipped = 0;
      let mrtErrors = 0;
      for (const rec of readMrt(bytes)) {
        records++;
        if (rec.kind === 'error') {
          mrtErrors++;
          if (rec.header !== undefined)
            byHeader[mrtName(rec.header)] = (byHeader[mrtName(rec.header)] ?? 0) + 1;
          continue;
        }
        if (rec.kind === 'skipped') skipped++;
        const name = mrtName(rec.header);
        byName[name] = (byName[name] ?? 0) + 1;
        byHeader[name] = (byHeader[name] ?? 0) + 1;
      }
      totals.mrtRecords += records;
      if (want.records !== undefined) expect(records).toBe(want.records);
      if (want.mrt !== undefined) expect(byName).toEqual(want.mrt);
      if (want.mrtHeaders !== undefined) expect(byHeader).toEqual(want.mrtHeaders);
      expect(skipped).toBe(want.skipped ?? 0);
      expect(mrtErrors).toBe(want.mrtErrors ?? 0);

      const expectPath = join(corpusDir, 'bgpdump/test_expect', `${rel.split('/').pop()}.bgp.gz`);
      const compare = rel.startsWith('bgpdump/test_data/') && existsSync(expectPath);
      const ours: string[] = [];
      const r = run(bytes, compare ? (rec) => ours.push(...bgpdumpLines(rec)) : undefined);
      expect(r.faults).toEqual([]);
      expect(r.errors).toEqual(want.errors ?? {});
      if (want.messages !== undefined) {
        const got: Record<string, number> = {};
        for (const [t, n] of r.counts) got[typeName[t] ?? t] = n;
        for (const [t, n] of Object.entries(want.messages)) expect(got[t] ?? 0, `${t} messages`).toBe(n);
      }
      if (want.ribEntries !== undefined) expect(r.ribEntries).toBe(want.ribEntries);

      if (compare) {
        const expected = gunzipSync(readFileSync(expectPath))
          .toString('latin1')
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => bgpdumpDefaults(/:[0-9a-fA-F]*:/.test(l) ? l.split('|').map(canonical).join('|') : l));
        const { missing, extra } = compareLines(expected, ours.map(bgpdumpDefaults));
        expect(extra.slice(0, 5)).toEqual([]);
        expect(missing.length, missing.slice(0, 3).join('\n')).toBe(
          bgpdumpKnownMissing[rel.split('/').pop()!] ?? 0,
        );
        totals.bgpdumpLines += expected.length - missing.length;
      }
    });
  }
});

/** The session an ExaBGP .ci file runs, from the configuration it names. */
function exabgpContext(confText: string): CodecContext {
  const families = [...confText.matchAll(/^\s*(ipv4|ipv6) (unicast|multicast)\s*;/gm)].map(
    (m) => [m[1] === 'ipv4' ? 1 : 2, m[2] === 'unicast' ? 1 : 2] as const,
  );
  const addPathBlock = /\n\s*add-path\s*\{([^}]*)\}/.exec(confText)?.[1];
  const addPathOn = /add-path\s+(send\/receive|send|receive)\s*;/.test(confText);
  const addPathFamilies = addPathBlock
    ? [...addPathBlock.matchAll(/(ipv4|ipv6) (unicast|multicast)/g)].map(
        (m) => [m[1] === 'ipv4' ? 1 : 2, m[2] === 'unicast' ? 1 : 2] as const,
      )
    : families.length > 0
      ? families
      : [[1, 1] as const];
  return makeContext({
    fourOctetAs: !/asn4\s+disable/.test(confText),
    addPath: addPathOn ? addPathFamilies : [],
    extendedMessage: true,
  });
}

interface ExaNlri {
  readonly nlri?: string;
  readonly 'path-information'?: string;
}

/** Checks a decoded UPDATE against ExaBGP's JSON for it (attributes and IPv4/IPv6 unicast NLRI). */
function checkExabgpJson(parsed: ParsedUpdate, json: unknown): void {
  const update = (json as { neighbor?: { message?: { update?: Record<string, unknown> } } }).neighbor?.message
    ?.update;
  if (update === undefined) return;
  totals.exabgpJson++;
  const attrs = new Map(parsed.attributes.map((a) => [a.kind, a] as const));
  const want = (update.attribute ?? {}) as Record<string, unknown>;
  const origin = attrs.get('origin');
  if (want.origin !== undefined && origin?.kind === 'origin') {
    expect(['igp', 'egp', 'incomplete'][origin.value]).toBe(want.origin);
  }
  const med = attrs.get('med');
  if (want.med !== undefined) expect(med?.kind === 'med' ? med.value : undefined).toBe(want.med);
  const lp = attrs.get('localPref');
  if (want['local-preference'] !== undefined) {
    expect(lp?.kind === 'localPref' ? lp.value : undefined).toBe(want['local-preference']);
  }
  const comms = attrs.get('communities');
  if (want.community !== undefined) {
    expect(comms?.kind === 'communities' ? comms.values.map((v) => [v >>> 16, v & 0xffff]) : []).toEqual(
      want.community,
    );
  }
  const large = attrs.get('largeCommunities');
  if (want['large-community'] !== undefined) {
    expect(large?.kind === 'largeCommunities' ? large.values.map((v) => [...v]) : []).toEqual(
      want['large-community'],
    );
  }
  const path = attrs.get('asPath');
  if (want['as-path'] !== undefined) {
    const segs = Object.values(want['as-path'] as Record<string, { element: string; value: number[] }>);
    expect(path?.kind === 'asPath' ? path.segments.map((s) => s.asns) : []).toEqual(segs.map((s) => s.value));
  }
  // NLRI of the families decoded here; others stay raw in this codec.
  const families: Record<string, { announce: string[]; withdraw: string[] }> = {
    'ipv4 unicast': { announce: [], withdraw: [] },
    'ipv6 unicast': { announce: [], withdraw: [] },
  };
  const text = (p: { pathId: number | undefined } & Parameters<typeof formatPrefix>[0]): string =>
    p.pathId === undefined ? formatPrefix(p) : `${formatPrefix(p)}#${p.pathId}`;
  for (const p of parsed.nlri) families['ipv4 unicast']!.announce.push(text(p));
  for (const p of parsed.withdrawn) families['ipv4 unicast']!.withdraw.push(text(p));
  for (const a of parsed.attributes) {
    if (a.kind === 'mpReach' && a.safi === 1 && a.nlri !== undefined) {
      for (const p of a.nlri) families[a.afi === 1 ? 'ipv4 unicast' : 'ipv6 unicast']!.announce.push(text(p));
    }
    if (a.kind === 'mpUnreach' && a.safi === 1 && a.withdrawn !== undefined) {
      for (const p of a.withdrawn)
        families[a.afi === 1 ? 'ipv4 unicast' : 'ipv6 unicast']!.withdraw.push(text(p));
    }
  }
  const ipToNumber = (id: string): number => id.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const exaText = (e: ExaNlri): string => {
    const p = formatPrefix(parsePrefix(canonical(e.nlri ?? '')));
    const id = e['path-information'];
    return id === undefined ? p : `${p}#${ipToNumber(id)}`;
  };
  for (const [family, got] of Object.entries(families)) {
    const announce = (update.announce as Record<string, Record<string, ExaNlri[]>> | undefined)?.[family];
    const withdraw = (update.withdraw as Record<string, ExaNlri[]> | undefined)?.[family];
    expect(got.announce.sort()).toEqual(
      Object.values(announce ?? {})
        .flat()
        .map(exaText)
        .sort(),
    );
    expect(got.withdraw.sort()).toEqual((withdraw ?? []).map(exaText).sort());
  }
}

/**
 * ExaBGP vectors that are not valid BGP: conf-generic-attribute sends attribute 153,
 * which no one recognises, with the Optional bit clear (flags 0x60, 0x70), i.e. as an
 * unrecognised well-known attribute, which RFC 4271 §6.3 answers with 3/2.
 */
const exabgpRejected: Record<string, { readonly count: number; readonly errorCode: string }> = {
  'exabgp/qa/encoding/conf-generic-attribute.ci': {
    count: 2,
    errorCode: 'BGP_UPDATE_UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE',
  },
};

describe('ExaBGP vectors: raw messages decode, re-encode byte-exact and match ExaBGP JSON', () => {
  const ciFiles = files.filter((f) => kindOf(f) === 'exabgpCi');
  const seen = { UPDATE: 0, 'ROUTE-REFRESH': 0, NOTIFICATION: 0, OPEN: 0, KEEPALIVE: 0, json: 0 };
  for (const rel of ciFiles) {
    it(rel, () => {
      const lines = new TextDecoder().decode(read(rel)).split('\n');
      const conf = /^option:file:(.+)$/m.exec(lines.join('\n'))?.[1];
      const confText = conf === undefined ? '' : new TextDecoder().decode(read(`exabgp/etc/exabgp/${conf}`));
      const ctx = exabgpContext(confText);
      let last: ParsedUpdate | undefined;
      let rejected = 0;
      for (const line of lines) {
        const raw = /^(?:#\s*)?\w+:raw:(.+)$/.exec(line)?.[1];
        if (raw !== undefined) {
          const bytes = hex(raw);
          seen[typeName[bytes[18]!] as keyof typeof seen]++;
          const m = decodeMessage(bytes, ctx);
          let parsed: ParsedUpdate | undefined;
          try {
            parsed = m.kind === 'update' ? parseUpdate(m, ctx) : undefined;
          } catch (e) {
            expect(e).toBeInstanceOf(WireError);
            expect((e as WireError).errorCode).toBe(exabgpRejected[rel]?.errorCode);
            rejected++;
            last = undefined;
            continue;
          }
          expect(parsed?.issues ?? []).toEqual([]);
          expect(reencodeFault({ bytes, ctx, message: m, parsed })).toBeUndefined();
          totals.exabgpMessages++;
          last = parsed;
          continue;
        }
        const json = /^\w+:json:(.+)$/.exec(line)?.[1];
        if (json !== undefined) {
          seen.json++;
          if (last !== undefined) checkExabgpJson(last, JSON.parse(json));
        }
      }
      expect(rejected).toBe(exabgpRejected[rel]?.count ?? 0);
    });
  }
  it('covers the 395 raw messages and 246 JSON decodings the README counts', () => {
    expect(seen).toEqual({
      UPDATE: 384,
      'ROUTE-REFRESH': 5,
      NOTIFICATION: 3,
      OPEN: 3,
      KEEPALIVE: 0,
      json: 246,
    });
  });

  it('decodes the qa/decoding vectors (full messages and UPDATE bodies) and their IPv4 unicast NLRI', () => {
    let decoded = 0;
    for (const rel of files.filter((f) => kindOf(f) === 'exabgpDecoding')) {
      const [kind = '', hexText = '', json = '{}'] = new TextDecoder().decode(read(rel)).split('\n');
      // bgp-ls-1 is a bare BGP-LS NLRI, not a message.
      if (kind.startsWith('nlri')) continue;
      const body = hex(hexText.replace(/\s/g, ''));
      const bytes =
        body.length >= 16 && body.subarray(0, 16).every((b) => b === 0xff) ? body : message(2, body);
      const ctx = makeContext({ extendedMessage: true });
      const m = decodeMessage(bytes, ctx);
      const parsed = m.kind === 'update' ? parseUpdate(m, ctx) : undefined;
      expect(reencodeFault({ bytes, ctx, message: m, parsed })).toBeUndefined();
      if (parsed !== undefined && kind === 'update ipv4 unicast') checkExabgpJson(parsed, JSON.parse(json));
      decoded++;
    }
    expect(decoded).toBe(21);
  });
});

describe('RIS Live frames: raw messages match RIPE’s own decoding', () => {
  for (const rel of files.filter((f) => kindOf(f) === 'risLive')) {
    it(rel, () => {
      const ctx = makeContext({ fourOctetAs: true });
      let checked = 0;
      for (const line of new TextDecoder().decode(read(rel)).split('\n')) {
        if (line.trim() === '') continue;
        const data = (JSON.parse(line) as { data: Record<string, unknown> }).data;
        if (typeof data.raw !== 'string') continue;
        const bytes = hex(data.raw);
        const m = decodeMessage(bytes, ctx);
        expect(typeName[bytes[18]!]).toBe(data.type);
        expect(reencodeFault({ bytes, ctx, message: m, parsed: undefined })).toBeUndefined();
        checked++;
        if (m.kind === 'notification') {
          expect({ code: m.code, subcode: m.subcode }).toEqual({
            code: (data.notification as { code: number }).code,
            subcode: (data.notification as { subcode: number }).subcode,
          });
        }
        if (m.kind === 'open')
          expect([m.myAsn, m.holdTimeSec, m.bgpIdentifier]).toEqual([
            data.asn,
            data.hold_time,
            data.router_id,
          ]);
        if (m.kind !== 'update') continue;
        const p = parseUpdate(m, ctx);
        expect(p.issues).toEqual([]);
        const a = new Map(p.attributes.map((x) => [x.kind, x] as const));
        const path = a.get('asPath');
        expect(path?.kind === 'asPath' ? path.segments.flatMap((s) => s.asns) : []).toEqual(data.path);
        const comms = a.get('communities');
        expect(comms?.kind === 'communities' ? comms.values.map((v) => [v >>> 16, v & 0xffff]) : []).toEqual(
          data.community,
        );
        const origin = a.get('origin');
        expect(origin?.kind === 'origin' ? ['IGP', 'EGP', 'INCOMPLETE'][origin.value] : undefined).toBe(
          data.origin,
        );
        const reach = a.get('mpReach');
        const announcements = data.announcements as { next_hop: string; prefixes: string[] }[];
        expect(reach?.kind === 'mpReach' ? reach.nextHops.join(',') : '').toBe(
          announcements.map((x) => x.next_hop.split(',').map(canonical).join(',')).join(''),
        );
        expect(reach?.kind === 'mpReach' ? (reach.nlri ?? []).map(formatPrefix) : []).toEqual(
          announcements.flatMap((x) => x.prefixes.map(canonical)),
        );
        const unreach = a.get('mpUnreach');
        expect(unreach?.kind === 'mpUnreach' ? (unreach.withdrawn ?? []).map(formatPrefix) : []).toEqual(
          (data.withdrawals as string[]).map(canonical),
        );
      }
      expect(checked).toBe(6);
    });
  }
});

describe('GoBGP bad-len inputs: a header error, never a crash', () => {
  for (const rel of files.filter((f) => kindOf(f) === 'gobgpBadLen')) {
    it(rel, () => {
      const bytes = read(rel);
      let error: unknown;
      try {
        decodeMessage(bytes, makeContext());
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WireError);
      expect((error as WireError).code).toBe(1);
      // The decode loop reports it and ends.
      const out = [...decodeInput(bytes, { format: 'raw' })];
      expect(out.every((r) => r.type === 'ERROR' && r.errorCode !== 'ANYVIP_INTERNAL_ERROR')).toBe(true);
    });
  }
});
