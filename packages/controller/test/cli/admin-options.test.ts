import { describe, expect, it } from 'vitest';
import { resolveAdminListen } from '../../src/cli/admin-options.js';
import { defaultAdmin } from '../../src/config/admin.js';

describe('resolveAdminListen', () => {
  it('uses the file (or the default) without flags', () => {
    expect(resolveAdminListen({}, defaultAdmin)).toEqual({ kind: 'listen', host: '127.0.0.1', port: 9716 });
    expect(resolveAdminListen({}, { ...defaultAdmin, enabled: false })).toEqual({ kind: 'off' });
  });

  it('lets --admin-address win over the file, and --no-admin over both', () => {
    expect(resolveAdminListen({ adminAddress: '0.0.0.0:9100' }, { ...defaultAdmin, enabled: false })).toEqual(
      {
        kind: 'listen',
        host: '0.0.0.0',
        port: 9100,
      },
    );
    expect(resolveAdminListen({ adminAddress: '0.0.0.0:9100', admin: false }, defaultAdmin)).toEqual({
      kind: 'off',
    });
  });

  it('refuses a malformed --admin-address with ANYVIP_USAGE', () => {
    expect(() => resolveAdminListen({ adminAddress: 'localhost' }, defaultAdmin)).toThrow(
      expect.objectContaining({ code: 'ANYVIP_USAGE' }),
    );
  });
});
