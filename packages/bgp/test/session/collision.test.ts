import { describe, expect, it } from 'vitest';
import { Harness, settle, until } from './harness.js';
import type { RouterEnd } from './memory-transport.js';
import { KEEPALIVE, openMessage } from './peer-messages.js';

function notifications(router: RouterEnd): string[] {
  return router.ofKind('notification').map((n) => `${n.code}/${n.subcode}`);
}

/** Both sides connect at once: our outgoing connection and the router's incoming one, both past OPEN. */
async function collide(routerId: string): Promise<{ h: Harness; outgoing: RouterEnd; incoming: RouterEnd }> {
  const h = new Harness();
  await h.speaker.listen({ port: 0 });
  h.addPeer();
  const outgoing = h.transport.answer();
  await settle();
  const incoming = h.transport.dial('192.0.2.2');
  await settle();
  expect(outgoing.ofKind('open')).toHaveLength(1);
  expect(incoming.ofKind('open')).toHaveLength(1);
  // The router sends its OPEN on both connections, the incoming one first.
  incoming.send(openMessage({ id: routerId }));
  await settle();
  outgoing.send(openMessage({ id: routerId }));
  await settle();
  return { h, outgoing, incoming };
}

describe('connection collision (RFC 4271 §6.8)', () => {
  it('keeps the connection the router opened when its BGP Identifier is higher, closing ours with 6/7', async () => {
    const { h, outgoing, incoming } = await collide('192.0.2.200');
    expect(notifications(outgoing)).toEqual(['6/7']);
    expect(notifications(incoming)).toEqual([]);
    incoming.send(KEEPALIVE);
    await until(() => h.speaker.peer('192.0.2.2')?.state === 'established');
    expect(h.of('peerUp')).toHaveLength(1);
    expect(h.transitions().at(-1)).toBe('openConfirm>established');
  });

  it('keeps the connection we opened when our BGP Identifier is higher, closing the router’s with 6/7', async () => {
    const { h, outgoing, incoming } = await collide('10.0.0.1');
    expect(notifications(incoming)).toEqual(['6/7']);
    expect(notifications(outgoing)).toEqual([]);
    outgoing.send(KEEPALIVE);
    await until(() => h.speaker.peer('192.0.2.2')?.state === 'established');
    expect(h.of('peerUp')).toHaveLength(1);
  });

  it('closes a second connection with 6/7 while the session is Established (CollisionDetectEstablishedState off)', async () => {
    const h = new Harness();
    await h.speaker.listen({ port: 0 });
    const { peer, router } = await h.establish();
    const second = h.transport.dial('192.0.2.2');
    await settle();
    second.send(openMessage({ id: '192.0.2.200' }));
    await settle();
    expect(notifications(second)).toEqual(['6/7']);
    expect(notifications(router)).toEqual([]);
    expect(peer.state).toBe('established');
  });

  it('uses the router’s connection at once when ours is still connecting and its OPEN arrives', async () => {
    const h = new Harness();
    await h.speaker.listen({ port: 0 });
    const peer = h.addPeer();
    expect(h.transport.pendingConnects).toBe(1);
    const incoming = h.transport.dial('192.0.2.2');
    await settle();
    incoming.send(openMessage({}));
    incoming.send(KEEPALIVE);
    await until(() => peer.state === 'established');
    // Our own attempt was abandoned.
    expect(h.transport.pendingConnects).toBe(0);
  });
});

describe('listening (passive peers and the allow list)', () => {
  it('accepts a passive peer’s connection and refuses addresses with no peer', async () => {
    const h = new Harness();
    await h.speaker.listen({ port: 0, host: '::' });
    const peer = h.addPeer({ passive: true });
    expect(peer.state).toBe('active');
    expect(h.transport.requests).toHaveLength(0);
    const stranger = h.transport.dial('198.51.100.7');
    await settle();
    expect(h.of('connectionRejected')).toMatchObject([{ remoteAddress: '198.51.100.7' }]);
    expect(stranger.ended).toBe(true);
    const router = h.transport.dial('192.0.2.2');
    await settle();
    expect(router.ofKind('open')).toHaveLength(1);
    router.send(openMessage({}));
    router.send(KEEPALIVE);
    await until(() => peer.state === 'established');
  });

  it('matches an IPv4-mapped IPv6 remote address to the IPv4 peer', async () => {
    const h = new Harness();
    await h.speaker.listen({ port: 0 });
    const { canonicalAddress } = await import('../../src/session/transport.js');
    const peer = h.addPeer({ passive: true });
    h.transport.dial(canonicalAddress('::ffff:192.0.2.2')!);
    await settle();
    expect(peer.state).toBe('openSent');
  });
});
