import { describe, expect, it } from 'vitest';
import { LocalProtocolError, WireError } from '../../src/wire/errors.js';
import {
  decodeNotification,
  decodeShutdownCommunication,
  encodeNotification,
  hardResetCause,
  hardResetData,
  type NotificationMessage,
  notificationName,
  shutdownCommunication,
} from '../../src/wire/notification.js';
import { hex, message, toHex } from '../support/bytes.js';

const NOTIFICATION = 3;

/** decodeNotification(b) then encodeNotification gives back b exactly. */
function expectRoundTrip(b: Uint8Array): NotificationMessage {
  const m = decodeNotification(b);
  expect(toHex(encodeNotification(m))).toBe(toHex(b));
  return m;
}

const text = (s: string) => toHex(new TextEncoder().encode(s));

describe('NOTIFICATION code, subcode and data (RFC 4271 §4.5)', () => {
  it('decodes OPEN Message Error / Bad Peer AS with its 2 octets of data: bgp-rs BGP_notification.cap', () => {
    expect(expectRoundTrip(hex('ffffffffffffffffffffffffffffffff0017030202feb0'))).toEqual({
      kind: 'notification',
      code: 2,
      subcode: 2,
      data: hex('feb0'),
    });
  });

  it('decodes Cease / BFD Down with no data: tcpdump bgp-bfd-cease.pcap (RFC 9384)', () => {
    expect(expectRoundTrip(hex('ffffffffffffffffffffffffffffffff001503060a'))).toEqual({
      kind: 'notification',
      code: 6,
      subcode: 10,
      data: new Uint8Array(0),
    });
  });

  it('decodes ROUTE-REFRESH Message Error / Invalid Message Length: tcpdump bgp_notification_rr_msg_error (RFC 7313 §5)', () => {
    const m = expectRoundTrip(hex('ffffffffffffffffffffffffffffffff0017030701feb0'));
    expect([m.code, m.subcode, toHex(m.data)]).toEqual([7, 1, 'feb0']);
  });

  it('keeps free-text data of an OPEN error as data, without a shutdown message: bgp-rs BGP_notification_msg.cap', () => {
    const m = expectRoundTrip(
      hex(
        'ffffffffffffffffffffffffffffffff004b03020241534e20696e204f50454e202836353030312920646964206e6f74206d617463682041534e2065787065637465642028363530303029',
      ),
    );
    expect(new TextDecoder().decode(m.data)).toBe('ASN in OPEN (65001) did not match ASN expected (65000)');
    expect(m).not.toHaveProperty('shutdownMessage');
  });

  it('encodes header, code, subcode and data', () => {
    expect(
      toHex(encodeNotification({ kind: 'notification', code: 4, subcode: 0, data: new Uint8Array(0) })),
    ).toBe(toHex(message(NOTIFICATION, '04 00')));
    expect(toHex(encodeNotification({ kind: 'notification', code: 3, subcode: 11, data: hex('0102') }))).toBe(
      toHex(message(NOTIFICATION, '03 0b 0102')),
    );
  });

  it('copies the data out of the message buffer', () => {
    const b = message(NOTIFICATION, '02 02 feb0');
    const m = decodeNotification(b);
    b[21] = 0;
    expect(toHex(m.data)).toBe('feb0');
  });

  it('refuses a message too short for code and subcode with a WireError, never a RangeError', () => {
    const b = message(NOTIFICATION, '06');
    expect(() => decodeNotification(b)).toThrow(WireError);
    try {
      decodeNotification(b);
    } catch (e) {
      expect((e as WireError).errorCode).toBe('BGP_NOTIFICATION_MALFORMED');
      expect(toHex((e as WireError).data)).toBe('0014');
    }
    expect(() => decodeNotification(new Uint8Array(3))).toThrow(WireError);
  });

  it('refuses to encode a code or subcode outside one octet (LocalProtocolError)', () => {
    expect(() =>
      encodeNotification({ kind: 'notification', code: 256, subcode: 0, data: new Uint8Array(0) }),
    ).toThrow(LocalProtocolError);
    expect(() =>
      encodeNotification({ kind: 'notification', code: 6, subcode: -1, data: new Uint8Array(0) }),
    ).toThrow(LocalProtocolError);
    expect(() =>
      encodeNotification({ kind: 'notification', code: 6, subcode: 1, data: new Uint8Array(65535 - 20) }),
    ).toThrow(LocalProtocolError);
  });
});

describe('shutdown communication in Cease / Administrative Shutdown and Reset (RFC 9003 §2)', () => {
  it('decodes Administrative Shutdown and Reset messages: tcpdump bgp-shutdown-communication.pcapng', () => {
    for (const subcode of ['02', '04']) {
      const m = expectRoundTrip(
        hex(
          `ffffffffffffffffffffffffffffffff004a0306${subcode}345468697320697320612074657374206f66207468652073687574646f776e20636f6d6d756e69636174696f6e2073797374656d2e`,
        ),
      );
      expect(m.shutdownMessage).toBe('This is a test of the shutdown communication system.');
    }
  });

  it('decodes a 210-octet communication, longer than RFC 8203 allowed: tcpdump bgp-extended-shutdown-msg.pcapng', () => {
    const sentence = '[TICKET-1-1438367390] software upgrade; Expected downtime for 2 hours;';
    const b = hex(`ffffffffffffffffffffffffffffffff00e8030602d2${text(sentence.repeat(3))}`);
    expect(b.length).toBe(232);
    expect(expectRoundTrip(b).shutdownMessage).toBe(sentence.repeat(3));
  });

  it('decodes the three variations of tcpdump bgp-shutdown-msg-variations.pcap', () => {
    // Length 10 followed by 9 more octets: the communication, with the extra octets left in the data.
    const extra = expectRoundTrip(
      hex('ffffffffffffffffffffffffffffffff00290306040a30313233343536373839457874726144617461'),
    );
    expect(extra.shutdownMessage).toBe('0123456789');
    expect(extra.data.length).toBe(20);
    // Length 0: an empty communication.
    expect(expectRoundTrip(hex('ffffffffffffffffffffffffffffffff001603060400')).shutdownMessage).toBe('');
    // Length 64 with 10 octets: malformed, so no shutdownMessage, and no error.
    const bad = expectRoundTrip(hex('ffffffffffffffffffffffffffffffff00200306044030313233343536373839'));
    expect(bad).not.toHaveProperty('shutdownMessage');
    expect(toHex(bad.data)).toBe('4030313233343536373839');
  });

  it('leaves shutdownMessage undefined for invalid UTF-8, and for no data at all', () => {
    expect(decodeNotification(message(NOTIFICATION, '06 02 02 c328'))).not.toHaveProperty('shutdownMessage');
    expect(decodeNotification(message(NOTIFICATION, '06 02 03 eda080'))).not.toHaveProperty(
      'shutdownMessage',
    );
    expect(decodeNotification(message(NOTIFICATION, '06 04'))).not.toHaveProperty('shutdownMessage');
  });

  it('reads a shutdown communication only for Cease subcodes 2 and 4', () => {
    expect(decodeNotification(message(NOTIFICATION, '06 03 03 616263'))).not.toHaveProperty(
      'shutdownMessage',
    );
    expect(decodeNotification(message(NOTIFICATION, '02 02 03 616263'))).not.toHaveProperty(
      'shutdownMessage',
    );
    expect(decodeNotification(message(NOTIFICATION, '06 02 03 616263')).shutdownMessage).toBe('abc');
  });

  it('builds the data as a length octet and UTF-8 text', () => {
    expect(toHex(shutdownCommunication(''))).toBe('00');
    expect(toHex(shutdownCommunication('maintenance'))).toBe(`0b${text('maintenance')}`);
    expect(toHex(shutdownCommunication('é✓'))).toBe('05c3a9e29c93');
  });

  it('truncates text over 255 octets to 255 when the cut falls between characters', () => {
    const data = shutdownCommunication('a'.repeat(300));
    expect(data.length).toBe(256);
    expect(data[0]).toBe(255);
    expect(decodeShutdownCommunication(data)).toBe('a'.repeat(255));
  });

  it('truncates on a UTF-8 boundary when the 255th octet is inside a character', () => {
    // 'é' is 2 octets: 127 of them fill 254 octets, the 128th would straddle 255.
    const e = shutdownCommunication('é'.repeat(200));
    expect(e[0]).toBe(254);
    expect(decodeShutdownCommunication(e)).toBe('é'.repeat(127));
    // 4-octet emoji: 63 fit in 252 octets.
    const smile = shutdownCommunication('😀'.repeat(64));
    expect(smile[0]).toBe(252);
    expect(decodeShutdownCommunication(smile)).toBe('😀'.repeat(63));
    // 3-octet characters after one ASCII octet: 1 + 3 × 84 = 253.
    const check = shutdownCommunication(`x${'✓'.repeat(90)}`);
    expect(check[0]).toBe(253);
  });

  it('round-trips a built communication through encode and decode', () => {
    const data = shutdownCommunication('Planned maintenance, back at 02:00 UTC — ticket #42');
    const m = decodeNotification(encodeNotification({ kind: 'notification', code: 6, subcode: 2, data }));
    expect(m.shutdownMessage).toBe('Planned maintenance, back at 02:00 UTC — ticket #42');
    expect(m.data).toEqual(data);
  });
});

describe('Cease / Hard Reset (RFC 8538 §3)', () => {
  it('reads the inner Cease / Peer De-configured of tcpdump bgp-cease-hard-reset.pcap', () => {
    const m = expectRoundTrip(hex('ffffffffffffffffffffffffffffffff00170306090603'));
    expect(notificationName(m.code, m.subcode)).toBe('CEASE/HARD_RESET');
    const inner = hardResetCause(m);
    expect(inner).toEqual({ kind: 'notification', code: 6, subcode: 3, data: new Uint8Array(0) });
    expect(notificationName(inner!.code, inner!.subcode)).toBe('CEASE/PEER_DE_CONFIGURED');
  });

  it('has no cause when the data is missing: tcpdump bgp-malformed-hard-reset.pcap', () => {
    const m = expectRoundTrip(hex('ffffffffffffffffffffffffffffffff0015030609'));
    expect(hardResetCause(m)).toBeUndefined();
    expect(hardResetCause(decodeNotification(message(NOTIFICATION, '06 09 06')))).toBeUndefined();
  });

  it('has no cause for any other NOTIFICATION', () => {
    expect(hardResetCause(decodeNotification(message(NOTIFICATION, '06 02 0603')))).toBeUndefined();
    expect(hardResetCause(decodeNotification(message(NOTIFICATION, '03 09 0603')))).toBeUndefined();
  });

  it('wraps an inner Administrative Shutdown with its communication, and reads it back', () => {
    const data = hardResetData({
      code: 6,
      subcode: 2,
      data: shutdownCommunication('bye'),
    });
    expect(toHex(data)).toBe('060203627965');
    const outer = decodeNotification(encodeNotification({ kind: 'notification', code: 6, subcode: 9, data }));
    expect(outer).not.toHaveProperty('shutdownMessage');
    expect(hardResetCause(outer)).toEqual({
      kind: 'notification',
      code: 6,
      subcode: 2,
      data: hex('03627965'),
      shutdownMessage: 'bye',
    });
  });

  it('wraps an inner UPDATE error with its data', () => {
    expect(toHex(hardResetData({ code: 3, subcode: 1, data: hex('aabb') }))).toBe('0301aabb');
    expect(toHex(hardResetData({ code: 4, subcode: 0, data: new Uint8Array(0) }))).toBe('0400');
    expect(() => hardResetData({ code: 6, subcode: 256, data: new Uint8Array(0) })).toThrow(
      LocalProtocolError,
    );
  });
});

describe('notificationName', () => {
  const table: [number, number, string, string][] = [
    [1, 1, 'MESSAGE_HEADER_ERROR/CONNECTION_NOT_SYNCHRONIZED', 'RFC 4271 §6.1'],
    [1, 2, 'MESSAGE_HEADER_ERROR/BAD_MESSAGE_LENGTH', 'RFC 4271 §6.1'],
    [1, 3, 'MESSAGE_HEADER_ERROR/BAD_MESSAGE_TYPE', 'RFC 4271 §6.1'],
    [2, 0, 'OPEN_MESSAGE_ERROR/UNSPECIFIC', 'RFC 4271 §6.2'],
    [2, 1, 'OPEN_MESSAGE_ERROR/UNSUPPORTED_VERSION_NUMBER', 'RFC 4271 §6.2'],
    [2, 6, 'OPEN_MESSAGE_ERROR/UNACCEPTABLE_HOLD_TIME', 'RFC 4271 §6.2'],
    [2, 7, 'OPEN_MESSAGE_ERROR/UNSUPPORTED_CAPABILITY', 'RFC 5492 §5'],
    [2, 11, 'OPEN_MESSAGE_ERROR/ROLE_MISMATCH', 'RFC 9234 §4.2'],
    [3, 1, 'UPDATE_MESSAGE_ERROR/MALFORMED_ATTRIBUTE_LIST', 'RFC 4271 §6.3'],
    [3, 11, 'UPDATE_MESSAGE_ERROR/MALFORMED_AS_PATH', 'RFC 4271 §6.3'],
    [4, 0, 'HOLD_TIMER_EXPIRED', 'RFC 4271 §6.5'],
    [5, 0, 'FSM_ERROR/UNSPECIFIED', 'RFC 6608'],
    [5, 1, 'FSM_ERROR/UNEXPECTED_MESSAGE_IN_OPENSENT', 'RFC 6608'],
    [5, 3, 'FSM_ERROR/UNEXPECTED_MESSAGE_IN_ESTABLISHED', 'RFC 6608'],
    [6, 1, 'CEASE/MAXIMUM_NUMBER_OF_PREFIXES_REACHED', 'RFC 4486 §3'],
    [6, 2, 'CEASE/ADMINISTRATIVE_SHUTDOWN', 'RFC 4486 §3'],
    [6, 3, 'CEASE/PEER_DE_CONFIGURED', 'RFC 4486 §3'],
    [6, 4, 'CEASE/ADMINISTRATIVE_RESET', 'RFC 4486 §3'],
    [6, 5, 'CEASE/CONNECTION_REJECTED', 'RFC 4486 §3'],
    [6, 6, 'CEASE/OTHER_CONFIGURATION_CHANGE', 'RFC 4486 §3'],
    [6, 7, 'CEASE/CONNECTION_COLLISION_RESOLUTION', 'RFC 4486 §3'],
    [6, 8, 'CEASE/OUT_OF_RESOURCES', 'RFC 4486 §3'],
    [6, 9, 'CEASE/HARD_RESET', 'RFC 8538 §3'],
    [6, 10, 'CEASE/BFD_DOWN', 'RFC 9384'],
    [7, 1, 'ROUTE_REFRESH_MESSAGE_ERROR/INVALID_MESSAGE_LENGTH', 'RFC 7313 §5'],
    [8, 0, 'SEND_HOLD_TIMER_EXPIRED', 'RFC 9687'],
  ];
  for (const [code, subcode, name, ref] of table) {
    it(`names ${code}/${subcode} ${name} (${ref})`, () => {
      expect(notificationName(code, subcode)).toBe(name);
    });
  }

  it('writes unknown subcodes and codes as numbers', () => {
    expect(notificationName(6, 99)).toBe('CEASE/99');
    expect(notificationName(6, 0)).toBe('CEASE');
    expect(notificationName(4, 1)).toBe('HOLD_TIMER_EXPIRED/1');
    expect(notificationName(42, 1)).toBe('42/1');
  });
});
