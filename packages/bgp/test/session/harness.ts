import { FakeClock } from '@anyvip/clock';
import type { SpeakerEvent, SpeakerEventKind, SpeakerEventOf } from '../../src/events.js';
import type { Logger } from '../../src/session/logger.js';
import { type AddPeerOptions, BgpSpeaker, type Peer } from '../../src/speaker.js';
import { MemoryTransport, type RouterEnd, settle, until } from './memory-transport.js';
import { KEEPALIVE, openMessage } from './peer-messages.js';

/** A speaker (AS 65001, 192.0.2.1) on an in-memory transport and a fake clock, recording its events. */
export class Harness {
  readonly clock = new FakeClock();
  readonly transport = new MemoryTransport();
  readonly events: SpeakerEvent[] = [];
  readonly speaker: BgpSpeaker;

  constructor(options: { localAsn?: number; routerId?: string; lingerMs?: number; logger?: Logger } = {}) {
    this.speaker = new BgpSpeaker({
      localAsn: options.localAsn ?? 65001,
      routerId: options.routerId ?? '192.0.2.1',
      clock: this.clock,
      transport: this.transport,
      lingerMs: options.lingerMs ?? 1000,
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
    this.speaker.on('*', (e) => this.events.push(e));
  }

  /** Events of one kind, in order. */
  of<K extends SpeakerEventKind>(kind: K): SpeakerEventOf<K>[] {
    return this.events.filter((e): e is SpeakerEventOf<K> => e.kind === kind);
  }

  /** The peer's state transitions as `from>to` text. */
  transitions(): string[] {
    return this.of('stateChange').map((e) => `${e.from}>${e.to}`);
  }

  addPeer(options: Partial<AddPeerOptions> = {}): Peer {
    return this.speaker.addPeer({ address: '192.0.2.2', remoteAsn: 65002, ...options });
  }

  /**
   * Adds an active peer, answers its connect attempt, and plays the router's side of
   * the OPEN exchange up to Established.
   */
  async establish(
    options: Partial<AddPeerOptions> = {},
    open: Uint8Array = openMessage({}),
  ): Promise<{ peer: Peer; router: RouterEnd }> {
    const peer = this.addPeer(options);
    const router = this.transport.answer();
    await settle();
    router.send(open);
    router.send(KEEPALIVE);
    await until(() => peer.state === 'established', 'Established');
    return { peer, router };
  }
}

export { settle, until };
