import { CoordinationV1ApiRequestFactory } from '@kubernetes/client-node/dist/gen/apis/CoordinationV1Api.js';
import { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
import { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireDate } from '../../src/kubernetes/wire-date.js';

/** The body client-node's own request factory writes for a Lease renewed at `renewTime`. */
async function leaseBody(renewTime: Date): Promise<unknown> {
  const factory = new CoordinationV1ApiRequestFactory(
    createConfiguration({
      baseServer: new ServerConfiguration<Record<string, string>>('http://127.0.0.1:1', {}),
    }),
  );
  const request = await factory.replaceNamespacedLease('n1', 'kube-node-lease', {
    metadata: { name: 'n1' },
    spec: { holderIdentity: 'n1', renewTime, acquireTime: renewTime },
  });
  return JSON.parse(request.getBody() as string);
}

describe('WireDate', () => {
  it('reaches the API server as the same text a Date does, through the real client', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 253_402_300_799_999 }), async (ms) => {
        expect(await leaseBody(new WireDate(ms))).toEqual(await leaseBody(new Date(ms)));
      }),
      { numRuns: 200 },
    );
  });

  it('is a Date to the client and to JSON', () => {
    const d = new WireDate(1_764_900_000_123);
    expect(d).toBeInstanceOf(Date);
    expect(JSON.stringify({ d })).toBe('{"d":"2025-12-05T02:00:00.123Z"}');
  });
});
