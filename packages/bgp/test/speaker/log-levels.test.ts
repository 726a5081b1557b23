import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/session/logger.js';
import { isDeliberateCease } from '../../src/wire/notification.js';
import { Harness, settle } from '../session/harness.js';
import { announcement, notificationMessage } from '../session/peer-messages.js';

/** Log levels: WARN is for what needs a human; routine events are INFO or DEBUG. */

function recordingLogger(): { logger: Logger; entries: { level: string; message: string }[] } {
  const entries: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (message: string): void => {
      entries.push({ level, message });
    };
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    entries,
  };
}

describe('log levels', () => {
  it('a router echoing our own routes back (AS path loop, RFC 4271 §9.1.2) is DEBUG, not WARN', async () => {
    const { logger, entries } = recordingLogger();
    const h = new Harness({ logger });
    const { router } = await h.establish();
    router.send(announcement([['198.51.100.0', 24]], '192.0.2.2', [65002, 65001]));
    await settle();
    expect(h.of('routesRejected')).toHaveLength(1);
    expect(entries).toContainEqual({ level: 'debug', message: 'routes rejected' });
    expect(entries.filter((e) => e.level === 'warn')).toEqual([]);
    await h.speaker.close();
  });

  it('our own close() (Cease / Administrative Shutdown) logs the NOTIFICATION and session down at INFO', async () => {
    const { logger, entries } = recordingLogger();
    const h = new Harness({ logger });
    await h.establish();
    await h.speaker.close();
    expect(h.of('notificationSent').map((e) => e.name)).toEqual(['CEASE/ADMINISTRATIVE_SHUTDOWN']);
    expect(entries).toContainEqual({ level: 'info', message: 'notification sent' });
    expect(entries).toContainEqual({ level: 'info', message: 'session down' });
    expect(entries.filter((e) => e.level === 'warn')).toEqual([]);
  });

  it('a fault stays WARN: the peer sends 4/0 Hold Timer Expired', async () => {
    const { logger, entries } = recordingLogger();
    const h = new Harness({ logger });
    const { router } = await h.establish();
    router.send(notificationMessage(4, 0));
    await settle();
    expect(entries).toContainEqual({ level: 'warn', message: 'notification received' });
    expect(entries).toContainEqual({ level: 'warn', message: 'session down' });
    await h.speaker.close();
  });

  it('isDeliberateCease: administrative Cease subcodes, bare or inside a Hard Reset (RFC 4486 §4, RFC 8538 §3)', () => {
    const n = (code: number, subcode: number, data: number[] = []) => ({
      code,
      subcode,
      data: Uint8Array.from(data),
    });
    for (const subcode of [2, 3, 4, 6, 7]) expect(isDeliberateCease(n(6, subcode))).toBe(true);
    for (const subcode of [1, 5, 8, 10]) expect(isDeliberateCease(n(6, subcode))).toBe(false);
    expect(isDeliberateCease(n(6, 9, [6, 2]))).toBe(true);
    expect(isDeliberateCease(n(6, 9, [4, 0]))).toBe(false);
    expect(isDeliberateCease(n(4, 0))).toBe(false);
  });
});
