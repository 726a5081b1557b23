import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ListenError } from '../../src/session/listen-error.js';
import { BgpSpeaker } from '../../src/speaker.js';

describe('listen(): system refusals become a typed ListenError with the address', () => {
  it('EADDRINUSE on a taken port: code ANYVIP_LISTEN_FAILED, systemCode, address, port, cause', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const speaker = new BgpSpeaker({ localAsn: 65001, routerId: '192.0.2.1' });
    try {
      const e = await speaker.listen({ port, host: '127.0.0.1' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ListenError);
      const l = e as ListenError;
      expect([l.code, l.systemCode, l.address, l.port]).toEqual([
        'ANYVIP_LISTEN_FAILED',
        'EADDRINUSE',
        '127.0.0.1',
        port,
      ]);
      expect(l.message).toContain(`127.0.0.1:${port}: EADDRINUSE`);
      expect((l.cause as { code?: string }).code).toBe('EADDRINUSE');
    } finally {
      await speaker.close();
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('EACCES on port 179 as a non-root user names CAP_NET_BIND_SERVICE', () => {
    const e = new ListenError('::', 179, Object.assign(new Error('listen EACCES'), { code: 'EACCES' }));
    expect(e.message).toBe(
      'cannot listen on [::]:179: EACCES (port 179 needs root or CAP_NET_BIND_SERVICE; or listen on a port above 1023 and have the router connect there)',
    );
    expect(e.systemCode).toBe('EACCES');
  });
});
