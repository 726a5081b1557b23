// A library user's program, compiled in the fresh project under the strictest settings a
// consumer may use (exactOptionalPropertyTypes, noUncheckedIndexedAccess, skipLibCheck false;
// scripts/pack-smoke/tsconfig.consumer.json), then run: two speakers over 127.0.0.1, awaited
// with the library's own awaitables, the received route read through the decoded view, and a
// route announced to one peer only (per-peer export). Prints one JSON line.
import {
  BgpSpeaker,
  ListenError,
  LocalProtocolError,
  type LocalProtocolErrorCode,
  type ReceivedRoute,
} from '@anyvip/bgp';

const signal = AbortSignal.timeout(10_000);
const a = new BgpSpeaker({ localAsn: 65001, routerId: '10.255.0.1', lingerMs: 200 });
const b = new BgpSpeaker({ localAsn: 65002, routerId: '10.255.0.2', lingerMs: 200 });
const { port } = await a.listen({ port: 0, host: '127.0.0.1' });
const fromB = a.addPeer({ address: '127.0.0.1', remoteAsn: 65002, passive: true });
const up = a.waitFor('peerUp', (e) => e.peer === '127.0.0.1', { signal });
const received = a.waitFor('routesReceived', (e) => e.announced.length > 0, { signal });
// 127.0.0.1 is not a valid NEXT_HOP (RFC 4271 §6.3): the route carries a documentation address.
b.announceMany(['10.250.255.1/32'], { nextHop: '192.0.2.1', communities: ['65002:100'], med: 5 });
const toA = b.addPeer({ address: '127.0.0.1', port, remoteAsn: 65001, exportSpeakerRoutes: true });
// Per-peer export: this route goes to this peer only, with its own attributes.
toA.announce({ prefix: '10.250.255.3/32', nextHop: '192.0.2.1', med: 7, largeCommunities: ['65002:1:1'] });
await toA.established({ signal });
await toA.routesSent({ signal });
const event = await up;
await received;
while (fromB.received('ipv4').length < 2) await a.waitFor('routesReceived', undefined, { signal });
const routes: ReceivedRoute[] = fromB.received('ipv4');
const first = routes.find((r) => r.prefix === '10.250.255.1/32');
const own = routes.find((r) => r.prefix === '10.250.255.3/32');
let code: LocalProtocolErrorCode | undefined;
try {
  b.announceMany(['10.250.255.2/32', 'banana']);
} catch (e) {
  if (e instanceof LocalProtocolError) code = e.code;
}
let listenError: string | undefined;
try {
  await b.listen({ port, host: '127.0.0.1' });
} catch (e) {
  if (e instanceof ListenError) listenError = e.systemCode;
}
const perPeer = {
  prefix: own?.prefix,
  med: own?.med,
  largeCommunities: own?.largeCommunities,
  ownRoutes: toA.routes().map((r) => r.prefix),
  withdrawUnknown: toA.withdraw('10.250.255.9/32'),
};
await Promise.all([a.close('consumer done'), b.close('consumer done')]);
console.log(
  JSON.stringify({
    peerUp: event.peer,
    prefix: first?.prefix,
    asPath: first?.asPath,
    med: first?.med,
    communities: first?.communities,
    badPrefix: code,
    announcedAfterBadBatch: b.routes().length,
    listenError,
    perPeer,
  }),
);
