/**
 * Our speaker as a process for interop tests: run inside a lab namespace, it takes
 * JSON Lines commands on stdin and prints every event as JSON Lines on stdout (the
 * `anyvip-bgp speak` vocabulary, plus `routes-received` counts and command replies).
 *
 *   node --import scripts/ts-resolve.mjs test/interop/speaker-driver.ts LOCAL_ASN ROUTER_ID
 *
 * Commands: {"cmd":"listen","port":179,"host":"…"}, {"cmd":"addPeer",…AddPeerOptions},
 * {"cmd":"announce",…AnnounceOptions}, {"cmd":"withdraw","prefix":"…"},
 * {"cmd":"removePeer","address":"…"}, {"cmd":"refresh","peer":"…"}, {"cmd":"peers"}, {"cmd":"close","reason":"…"},
 * {"cmd":"closeForRestart"} (BFD AdminDown, then TCP closed without NOTIFICATION where GR was negotiated),
 * {"cmd":"receivedRoutes","peer":"…","family":"ipv4"|"ipv6"} (routes as `anyvip-bgp decode` prints attributes).
 * Per-peer export: {"cmd":"peerAnnounce","peer":"…",…AnnounceOptions}, {"cmd":"peerAnnounceMany","peer":"…",
 * "prefixes":[…],"attributes":{…}}, {"cmd":"peerWithdraw","peer":"…","prefix":"…"}, {"cmd":"peerRoutes","peer":"…"}.
 */
import { createInterface } from 'node:readline';
import { formatAttributes } from '../../src/decode/format-json.js';
import { formatSpeakerEvent } from '../../src/event-json.js';
import type { AnnounceOptions, RouteAttributesInput } from '../../src/rib/route-template.js';
import type { LogFields } from '../../src/session/logger.js';
import { type AddPeerOptions, BgpSpeaker, type FamilyName, type Peer } from '../../src/speaker.js';
import { LocalProtocolError } from '../../src/wire/errors.js';
import { formatPrefix } from '../../src/wire/prefix.js';

const print = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
/** With ANYVIP_DRIVER_LOG=1 every log entry, debug included, is printed too (as `{"event":"log",…}`). */
const log =
  (level: string) =>
  (message: string, fields?: LogFields): void =>
    print({ event: 'log', level, message, ...fields });
const speaker = new BgpSpeaker({
  localAsn: Number(process.argv[2]),
  routerId: process.argv[3] ?? '10.250.0.1',
  ...(process.env.ANYVIP_DRIVER_LOG === '1'
    ? { logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } }
    : {}),
});
speaker.on('*', (e) => {
  const line = formatSpeakerEvent(e);
  if (line !== undefined) print(line);
  if (e.kind === 'routesReceived') {
    print({
      event: 'routes-received',
      peer: e.peer,
      announced: e.announced.length,
      withdrawn: e.withdrawn.length,
    });
  }
});

type Command =
  | ({ cmd: 'addPeer' } & AddPeerOptions)
  | ({ cmd: 'announce' } & AnnounceOptions)
  | { cmd: 'listen'; port: number; host?: string }
  | { cmd: 'removePeer'; address: string }
  | { cmd: 'withdraw'; prefix: string }
  | { cmd: 'refresh'; peer: string }
  | { cmd: 'peers' }
  | { cmd: 'receivedRoutes'; peer: string; family?: FamilyName }
  | ({ cmd: 'peerAnnounce'; peer: string } & AnnounceOptions)
  | { cmd: 'peerAnnounceMany'; peer: string; prefixes: string[]; attributes?: RouteAttributesInput }
  | { cmd: 'peerWithdraw'; peer: string; prefix: string }
  | { cmd: 'peerRoutes'; peer: string }
  | { cmd: 'close'; reason?: string }
  | { cmd: 'closeForRestart'; reason?: string };

function peer(address: string): Peer {
  const p = speaker.peer(address);
  if (p === undefined) throw new Error(`no peer ${address}`);
  return p;
}

async function run(c: Command): Promise<void> {
  switch (c.cmd) {
    case 'listen':
      print({
        event: 'reply',
        cmd: c.cmd,
        ...(await speaker.listen({ port: c.port, ...(c.host ? { host: c.host } : {}) })),
      });
      return;
    case 'addPeer':
      speaker.addPeer(c);
      break;
    case 'removePeer':
      await speaker.removePeer(c.address);
      break;
    case 'announce':
      speaker.announce(c);
      break;
    case 'withdraw':
      speaker.withdraw(c.prefix);
      break;
    case 'refresh':
      speaker.peer(c.peer)?.requestRefresh();
      break;
    case 'peerAnnounce': {
      const { cmd: _, peer: address, ...options } = c;
      peer(address).announce(options);
      break;
    }
    case 'peerAnnounceMany':
      peer(c.peer).announceMany(c.prefixes, c.attributes);
      break;
    case 'peerWithdraw':
      print({ event: 'reply', cmd: c.cmd, withdrawn: peer(c.peer).withdraw(c.prefix) });
      return;
    case 'peerRoutes':
      print({ event: 'reply', cmd: c.cmd, routes: peer(c.peer).routes() });
      return;
    case 'peers':
      print({
        event: 'reply',
        cmd: c.cmd,
        peers: speaker.peers().map(({ negotiated: _, lastDownReason: __, ...rest }) => rest),
      });
      return;
    case 'receivedRoutes':
      print({
        event: 'reply',
        cmd: c.cmd,
        routes: speaker.receivedRoutes(c.peer, c.family).map((r) => ({
          prefix: formatPrefix(r.prefix),
          nextHop: r.nextHop,
          ...formatAttributes(r.attributes.attributes),
        })),
      });
      return;
    case 'close':
      await speaker.close(c.reason);
      print({ event: 'reply', cmd: c.cmd });
      process.exit(0);
      break;
    case 'closeForRestart':
      await speaker.closeForRestart(c.reason);
      print({ event: 'reply', cmd: c.cmd });
      process.exit(0);
  }
  print({ event: 'reply', cmd: c.cmd });
}

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (text) => {
  if (text.trim() === '') return;
  queue = queue.then(async () => {
    try {
      await run(JSON.parse(text) as Command);
    } catch (e) {
      print({
        event: 'command-error',
        code: e instanceof LocalProtocolError ? e.code : 'ERROR',
        message: e instanceof Error ? e.message : String(e),
      });
    }
  });
});
print({ event: 'ready' });
