import { describe, expect, it } from 'vitest';
import { parseAdminAddress } from '../../src/config/admin.js';
import { parseConfigText } from '../../src/config/load.js';

describe('admin configuration', () => {
  it('defaults to 127.0.0.1:9716, on', () => {
    expect(parseConfigText('mode: table\n').admin).toEqual({ enabled: true, host: '127.0.0.1', port: 9716 });
  });

  it('takes admin.address and admin.enabled', () => {
    expect(parseConfigText('mode: table\nadmin: { address: "[::1]:9100" }\n').admin).toEqual({
      enabled: true,
      host: '::1',
      port: 9100,
    });
    expect(parseConfigText('mode: table\nadmin: { enabled: false }\n').admin.enabled).toBe(false);
  });

  it('names the path of a bad address or an unknown key', () => {
    expect(() => parseConfigText('mode: table\nadmin: { address: "9716" }\n')).toThrow(
      'admin.address: must be host:port or [ipv6]:port, got "9716"',
    );
    expect(() => parseConfigText('mode: table\nadmin: { port: 1 }\n')).toThrow(/admin\.port: unknown field/);
  });

  it('parses host:port, [ipv6]:port and :port (every address)', () => {
    expect(parseAdminAddress('0.0.0.0:9716')).toEqual({ kind: 'address', host: '0.0.0.0', port: 9716 });
    expect(parseAdminAddress('[fd00:250::11]:0')).toEqual({ kind: 'address', host: 'fd00:250::11', port: 0 });
    expect(parseAdminAddress(':9716')).toEqual({ kind: 'address', host: '::', port: 9716 });
    expect(parseAdminAddress('127.0.0.1:70000')).toEqual({
      kind: 'invalid',
      reason: 'port 70000 is above 65535',
    });
    expect(parseAdminAddress('fd00::1:9716').kind).toBe('invalid');
  });
});
