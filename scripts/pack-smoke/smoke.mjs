// Runs inside a fresh project that installed the three packed tarballs: imports each package
// through its `exports` map and has two BgpSpeakers announce one route over 127.0.0.1.
// Prints one JSON line; exits non-zero on failure. Bounded: gives up after 10 s.
import { BgpSpeaker, formatPrefix } from '@anyvip/bgp';
import { parsePrefix } from '@anyvip/bgp/wire';
import { AnyvipRuntime, parseConfig } from '@anyvip/controller';
import { Check } from '@anyvip/healthcheck';

const deadline = setTimeout(() => {
  console.error('smoke: no route within 10 s');
  process.exit(1);
}, 10_000);

const a = new BgpSpeaker({ localAsn: 65001, routerId: '10.255.0.1', lingerMs: 200 });
const b = new BgpSpeaker({ localAsn: 65002, routerId: '10.255.0.2', lingerMs: 200 });
const { port } = await a.listen({ port: 0, host: '127.0.0.1' });
a.addPeer({ address: '127.0.0.1', remoteAsn: 65002, passive: true });
const received = new Promise((resolve) => {
  a.on('routesReceived', (e) => {
    if (e.announced.length > 0) resolve(e.announced.map((r) => formatPrefix(r.prefix)));
  });
});
// 127.0.0.1 is not a valid NEXT_HOP (RFC 4271 §6.3): the route carries a documentation address.
b.announce({ prefix: '10.250.255.1/32', nextHop: '192.0.2.1', communities: ['65002:100'] });
b.addPeer({ address: '127.0.0.1', port, remoteAsn: 65001 });
const prefixes = await received;
await Promise.all([a.close('smoke done'), b.close('smoke done')]);
clearTimeout(deadline);
console.log(
  JSON.stringify({
    prefixes,
    wire: formatPrefix(parsePrefix('10.250.255.1/32')),
    controller: typeof AnyvipRuntime === 'function' && typeof parseConfig === 'function',
    healthcheck: typeof Check === 'function',
  }),
);
