/**
 * Renders decode-loop JSON records as `bgpdump -m` lines (one per prefix), to compare
 * with the expected outputs kept in corpus/bgpdump/test_expect. Written from
 * bgpdump's documented output format, independently of the decoder.
 */
import type { JsonObject } from '../../../src/decode/format-json.js';

type Json = JsonObject;
interface Segment {
  readonly type: string;
  readonly asns: readonly number[];
}

const AS_TRANS = 23456;
const wellKnown: Record<string, string> = {
  '65535:65281': 'no-export',
  '65535:65282': 'no-advertise',
  '65535:65283': 'local-AS',
};
const stateNumber: Record<string, number> = {
  Idle: 1,
  Connect: 2,
  Active: 3,
  OpenSent: 4,
  OpenConfirm: 5,
  Established: 6,
  Clearing: 7,
  Deleted: 8,
};

function segmentText(s: Segment): string {
  switch (s.type) {
    case 'AS_SET':
      return `{${s.asns.join(',')}}`;
    case 'AS_CONFED_SEQUENCE':
      return `(${s.asns.join(' ')})`;
    case 'AS_CONFED_SET':
      return `[${s.asns.join(',')}]`;
    default:
      return s.asns.join(' ');
  }
}

function pathLength(segments: readonly Segment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'AS_SEQUENCE') n += s.asns.length;
    else if (s.type === 'AS_SET') n += 1;
  }
  return n;
}

/** AS_PATH with AS4_PATH merged in, as RFC 6793 §4.2.3 reconstructs it. */
export function mergedAsPath(
  asPath: readonly Segment[] | undefined,
  as4Path: readonly Segment[] | undefined,
): Segment[] {
  const path = asPath ?? [];
  if (as4Path === undefined || as4Path.length === 0) return [...path];
  const keep = pathLength(path) - pathLength(as4Path);
  if (keep < 0) return [...path];
  const out: Segment[] = [];
  let left = keep;
  for (const s of path) {
    if (left <= 0) break;
    if (s.type === 'AS_SEQUENCE') {
      const take = s.asns.slice(0, left);
      out.push({ type: s.type, asns: take });
      left -= take.length;
    } else if (s.type === 'AS_SET') {
      out.push(s);
      left -= 1;
    } else {
      out.push(s);
    }
  }
  return [...out, ...as4Path];
}

function asPathText(segments: readonly Segment[]): string {
  // Adjacent sequences print as one run.
  return segments
    .map(segmentText)
    .filter((t) => t.length > 0)
    .join(' ');
}

function prefixText(p: unknown): { prefix: string; pathId: number | undefined } {
  if (typeof p === 'string') return { prefix: p, pathId: undefined };
  const o = p as { prefix: string; pathId: number };
  return { prefix: o.prefix, pathId: o.pathId };
}

function attributeFields(attrs: Json, nextHop: string): string {
  const a = attrs as {
    asPath?: Segment[];
    as4Path?: Segment[];
    origin?: string;
    localPref?: number;
    med?: number;
    communities?: string[];
    atomicAggregate?: boolean;
    aggregator?: { asn: number; address: string };
    as4Aggregator?: { asn: number; address: string };
  };
  const path = asPathText(mergedAsPath(a.asPath, a.as4Path));
  const communities = (a.communities ?? []).map((c) => wellKnown[c] ?? c).join(' ');
  let agg = a.aggregator;
  if (agg !== undefined && agg.asn === AS_TRANS && a.as4Aggregator !== undefined) agg = a.as4Aggregator;
  const aggregator = agg === undefined ? '' : `${agg.asn} ${agg.address}`;
  return [
    path,
    a.origin ?? '',
    nextHop,
    a.localPref ?? 0,
    a.med ?? 0,
    communities,
    a.atomicAggregate ? 'AG' : 'NAG',
    aggregator,
    '',
  ].join('|');
}

function timeText(r: Json): string {
  const t = r.time as number;
  return String(r.mrt).startsWith('BGP4MP_ET') ? t.toFixed(6) : String(Math.floor(t));
}

/** The `bgpdump -m` lines for one decode-loop record (none for OPEN, KEEPALIVE, …). */
export function bgpdumpLines(r: Json): string[] {
  const mrt = String(r.mrt ?? '');
  const peer = r.peer as { ip: string; asn: number } | undefined;
  if (peer === undefined) return [];
  const label = mrt.startsWith('BGP4MP_ET') ? 'BGP4MP_ET' : mrt.startsWith('BGP4MP') ? 'BGP4MP' : '';
  const head = (kind: string) => `${label}|${timeText(r)}|${kind}|${peer.ip}|${peer.asn}`;
  switch (r.type) {
    case 'STATE_CHANGE':
      return [
        `${head('STATE')}|${stateNumber[String(r.oldState)] ?? r.oldState}|${stateNumber[String(r.newState)] ?? r.newState}`,
      ];
    case 'UPDATE': {
      const attrs = (r.attributes ?? {}) as Json;
      const mpReach = attrs.mpReach as { nextHops: string[]; nlri?: unknown[] } | undefined;
      const mpUnreach = attrs.mpUnreach as { withdrawn?: unknown[] } | undefined;
      const out: string[] = [];
      const w = head('W');
      for (const p of (r.withdrawn as unknown[]) ?? []) out.push(`${w}|${prefixText(p).prefix}`);
      for (const p of mpUnreach?.withdrawn ?? []) out.push(`${w}|${prefixText(p).prefix}`);
      const nlri = (r.nlri as unknown[]) ?? [];
      const a = head('A');
      if (nlri.length > 0) {
        const fields = attributeFields(attrs, String(attrs.nextHop ?? ''));
        for (const p of nlri) out.push(`${a}|${prefixText(p).prefix}|${fields}`);
      }
      const mpNlri = mpReach?.nlri ?? [];
      if (mpNlri.length > 0) {
        const fields = attributeFields(attrs, mpReach?.nextHops[0] ?? '');
        for (const p of mpNlri) out.push(`${a}|${prefixText(p).prefix}|${fields}`);
      }
      return out;
    }
    case 'RIB': {
      const attrs = (r.attributes ?? {}) as Json;
      const mpReach = attrs.mpReach as { nextHops: string[] } | undefined;
      const isV6 = String(r.prefix).includes(':');
      const nextHop = isV6
        ? (mpReach?.nextHops[0] ?? '')
        : String(attrs.nextHop ?? mpReach?.nextHops[0] ?? '');
      const type = mrt.startsWith('TABLE_DUMP_V2')
        ? mrt.endsWith('ADDPATH')
          ? 'TABLE_DUMP2_AP'
          : 'TABLE_DUMP2'
        : 'TABLE_DUMP';
      const pathId = r.pathId === undefined ? '' : `|${r.pathId}`;
      return [
        `${type}|${timeText(r)}|B|${peer.ip}|${peer.asn}|${String(r.prefix)}${pathId}|${attributeFields(attrs, nextHop)}`,
      ];
    }
    default:
      return [];
  }
}
