/**
 * The three RFC corners a conformance run found (issue 16), over real TCP between two
 * network namespaces: our speaker (AS 65001, the driver, node `speaker`) against a raw
 * hostile peer (AS 65002, node `hostile`): a small scripted BGP speaker that connects,
 * sends its OPEN and KEEPALIVEs, and otherwise only writes the bytes the test hands it,
 * hand-built (test/session/peer-messages.ts), never with our codec. It prints every
 * message it receives (type, and code/subcode of a NOTIFICATION) as JSON Lines.
 *
 * - LOCAL_PREF from an eBGP peer is ignored (RFC 4271 §5.1.5, RFC 7606 §7.5): the route
 *   is kept without it, the session stays up.
 * - MP_REACH_NLRI of IPv6 unicast on an IPv4-only session is not accepted: the attribute
 *   is discarded (RFC 4760 §7; reported as `malformed` attributeDiscard), routes of the
 *   negotiated family after it still arrive, the session stays up.
 * - Path attributes with a malformed ORIGIN (7) and no NLRI reset the session with
 *   NOTIFICATION 3/6 Invalid ORIGIN Attribute (RFC 7606 §5.2: nothing to treat as withdrawn).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asPath, attr, nextHop, nlri, openMessage, origin, updateMessage } from '../session/peer-messages.js';
import { toHex } from '../support/bytes.js';
import { type EventLine, SpeakerClient } from './speaker-client.js';
import { createPair, interopSkipReason, type Lab, type ManagedProcess, waitUntil } from './support/index.js';

const skipReason = interopSkipReason();
const OUR_ASN = 65001;
const HOSTILE_ASN = 65002;

/**
 * The hostile peer: `node hostile.mjs HOST PORT OPEN_HEX`. Connects, sends OPEN_HEX, answers
 * an OPEN with a KEEPALIVE and sends one every 5 s, writes each stdin line (hex) as is, and
 * prints `{"type":n}` (with `code`/`subcode` for a NOTIFICATION) per received message and
 * `{"closed":true}` when the connection ends; it exits then.
 */
const hostileScript = `
import net from 'node:net';
import { createInterface } from 'node:readline';
const [host, port, openHex] = process.argv.slice(2);
const KEEPALIVE = Buffer.from('ffffffffffffffffffffffffffffffff001304', 'hex');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const sock = net.connect({ host, port: Number(port) });
const rl = createInterface({ input: process.stdin });
const timer = setInterval(() => { if (sock.writable) sock.write(KEEPALIVE); }, 5000);
let buf = Buffer.alloc(0);
sock.on('connect', () => { sock.write(Buffer.from(openHex, 'hex')); out({ connected: true }); });
sock.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  while (buf.length >= 19 && buf.length >= buf.readUInt16BE(16)) {
    const m = buf.subarray(0, buf.readUInt16BE(16));
    buf = buf.subarray(m.length);
    const type = m[18];
    if (type === 1) sock.write(KEEPALIVE);
    out(type === 3 ? { type, code: m[19], subcode: m[20] } : { type });
  }
});
sock.on('error', (e) => out({ error: e.message }));
sock.on('close', () => { out({ closed: true }); clearInterval(timer); rl.close(); process.stdin.destroy(); });
rl.on('line', (line) => {
  const hex = line.trim();
  if (hex === '') return;
  sock.write(Buffer.from(hex, 'hex'));
  out({ sent: hex.length / 2 });
});
`;

interface HostileLine {
  type?: number;
  code?: number;
  subcode?: number;
  connected?: boolean;
  closed?: boolean;
  sent?: number;
}

describe.skipIf(skipReason !== undefined)('RFC corners against a raw hostile peer over TCP', () => {
  let lab: Lab | undefined;
  let client: SpeakerClient;
  let hostile: ManagedProcess;
  let ourV4: string;
  let hostileV4: string;
  /** Hostile stdout position before the first UPDATE: NOTIFICATIONs are looked for from here. */
  let sinceUp = 0;

  const send = (bytes: Uint8Array): void => hostile.write(`${toHex(bytes)}\n`);
  const hostileLines = (): HostileLine[] =>
    hostile.lines(sinceUp).flatMap((l) => {
      try {
        return [JSON.parse(l) as HostileLine];
      } catch {
        return [];
      }
    });
  const received = async (family: 'ipv4' | 'ipv6'): Promise<{ prefix: string; localPref?: number }[]> =>
    (await client.command({ cmd: 'receivedRoutes', peer: hostileV4, family })).routes as {
      prefix: string;
      localPref?: number;
    }[];
  const waitReceived = (prefix: string): Promise<unknown> =>
    waitUntil(
      () => received('ipv4'),
      (rs) => rs.some((r) => r.prefix === prefix),
      { timeoutMs: 10_000, intervalMs: 100, what: `${prefix} received from the hostile peer` },
    );
  const events = (since: number, kind: string): EventLine[] =>
    client.process
      .lines(since)
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as EventLine];
        } catch {
          return [];
        }
      })
      .filter((e) => e.event === kind);

  beforeAll(async () => {
    lab = await createPair('speaker', 'hostile');
    const l = lab.link('speaker', 'hostile');
    [ourV4, hostileV4] = [l.local.ipv4, l.remote.ipv4];
    client = await SpeakerClient.start(lab, 'speaker', OUR_ASN, ourV4);
    const since = client.process.mark();
    await client.command({ cmd: 'addPeer', address: hostileV4, remoteAsn: HOSTILE_ASN, passive: true });
    const script = join(lab.dir, 'hostile.mjs');
    writeFileSync(script, hostileScript);
    // AS 65002, hold time 30 s, IPv4 unicast and 4-octet AS only (peer-messages.ts' default OPEN).
    const open = openMessage({ asn: HOSTILE_ASN, holdTimeSec: 30, id: hostileV4 });
    hostile = await lab.spawn('hostile', process.execPath, [script, ourV4, '179', toHex(open)], {
      label: 'hostile',
    });
    await client.nextEvent((e) => e.event === 'peer-up' && e.peer === hostileV4, 'peer-up', 20_000, since);
    await hostile.waitForJsonLine((v) => (v as HostileLine).type === 4, {
      timeoutMs: 10_000,
      what: 'our KEEPALIVE',
    });
    sinceUp = hostile.mark();
  }, 60_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  it('LOCAL_PREF 777 from an eBGP peer is ignored: the route is kept without it, no NOTIFICATION (RFC 4271 §5.1.5, RFC 7606 §7.5)', async () => {
    const since = client.process.mark();
    const localPref = attr(0x40, 5, '00000309');
    send(
      updateMessage(
        '',
        origin(0) + asPath(HOSTILE_ASN) + nextHop(hostileV4) + localPref,
        nlri('10.250.253.0', 24),
      ),
    );
    await waitReceived('10.250.253.0/24');
    const route = (await received('ipv4')).find((r) => r.prefix === '10.250.253.0/24');
    expect(route).toBeDefined();
    expect(route?.localPref).toBeUndefined();
    expect(events(since, 'malformed')).toEqual([]);
    expect(hostileLines().filter((l) => l.type === 3)).toEqual([]);
  });

  it('MP_REACH_NLRI for IPv6 on an IPv4-only session is discarded (RFC 4760 §7): nothing installed, later IPv4 routes arrive, session up', async () => {
    const since = client.process.mark();
    // MP_REACH_NLRI: AFI 2, SAFI 1, a 16-octet next hop, no SNPA, 2001:db8:253::/48.
    const mpReach = attr(0x80, 14, '0002011020010db8000000000000000000000001003020010db80253');
    send(updateMessage('', mpReach + origin(0) + asPath(HOSTILE_ASN), ''));
    // Then an ordinary IPv4 route on the same stream: once it is in, the one before was handled.
    send(updateMessage('', origin(0) + asPath(HOSTILE_ASN) + nextHop(hostileV4), nlri('10.250.254.0', 24)));
    await waitReceived('10.250.254.0/24');
    expect(await received('ipv6')).toEqual([]);
    expect(events(since, 'malformed')).toMatchObject([{ peer: hostileV4, action: 'attributeDiscard' }]);
    expect(events(since, 'peer-down')).toEqual([]);
    expect(hostileLines().filter((l) => l.type === 3)).toEqual([]);
  });

  it('attributes with a malformed ORIGIN (7) and no NLRI reset the session with NOTIFICATION 3/6 (RFC 7606 §5.2)', async () => {
    const since = client.process.mark();
    send(updateMessage('', origin(7) + asPath(HOSTILE_ASN) + nextHop(hostileV4), ''));
    const notification = await hostile.waitForJsonLine<HostileLine>((v) => (v as HostileLine).type === 3, {
      timeoutMs: 10_000,
      since: sinceUp,
      what: 'NOTIFICATION from our speaker',
    });
    expect(notification).toMatchObject({ code: 3, subcode: 6 });
    await hostile.waitForJsonLine((v) => (v as HostileLine).closed === true, {
      timeoutMs: 10_000,
      since: sinceUp,
      what: 'the connection closed',
    });
    await client.nextEvent(
      (e) => e.event === 'peer-down' && e.peer === hostileV4,
      'peer-down',
      10_000,
      since,
    );
    expect(events(since, 'notification-sent')).toMatchObject([{ peer: hostileV4, code: 3, subcode: 6 }]);
  });
});
