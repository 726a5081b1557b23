import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Secret } from 'kubernetes-models/v1/Secret';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  anyvipCustomResourceDefinitions,
  anyvipKinds,
  type CheckResult,
  checkAnyvipAdvertisement,
  checkAnyvipNodeStatus,
  checkAnyvipPeer,
  checkAnyvipPool,
} from '../../../src/kubernetes/crds/index.js';
import { CrdSchema, type JsonSchema } from '../../support/crd-schema.js';

/**
 * Every anyvip.io object in examples/kubernetes/ is admitted by the validator the test API
 * server uses (the CRD's schema with ajv, defaults and CEL) and accepted by the controller's
 * check; other kinds there are checked by kubernetes-models.
 */

const dir = fileURLToPath(new URL('../../../../../examples/kubernetes/', import.meta.url));
const schemas = new Map(
  anyvipCustomResourceDefinitions().map((c) => [
    c.spec.names.kind,
    new CrdSchema(c.spec.versions[0]?.schema?.openAPIV3Schema as JsonSchema),
  ]),
);
const checks: Record<string, (o: unknown) => CheckResult<unknown>> = {
  AnyvipPeer: checkAnyvipPeer,
  AnyvipAdvertisement: checkAnyvipAdvertisement,
  AnyvipPool: checkAnyvipPool,
  AnyvipNodeStatus: checkAnyvipNodeStatus,
};

interface Doc {
  readonly file: string;
  readonly object: { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };
}

const docs: Doc[] = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(`${dir}${file}`, 'utf8'))
      .map((d) => d.toJS() as Doc['object'] | null)
      .filter((o): o is Doc['object'] => o !== null)
      .map((object) => ({ file, object })),
  );
const anyvipDocs = docs.filter((d) => d.object.apiVersion === 'anyvip.io/v1alpha1');

describe('examples/kubernetes: anyvip.io objects', () => {
  it.each(anyvipDocs.map((d) => [`${d.file}: ${d.object.kind}/${d.object.metadata.name}`, d] as const))(
    '%s is admitted by the API server validator and accepted by the controller check',
    (_name, d) => {
      const schema = schemas.get(d.object.kind);
      expect(schema, d.object.kind).toBeDefined();
      expect(schema?.admit(structuredClone(d.object))).toEqual([]);
      const check = checks[d.object.kind];
      const verdict = check?.(d.object);
      expect(verdict?.ok ? [] : verdict?.problems).toEqual([]);
    },
  );

  it('Secrets beside them are valid core/v1 objects in anyvip’s namespace', () => {
    const secrets = docs.filter((d) => d.object.kind === 'Secret');
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) {
      new Secret(structuredClone(s.object) as never).validate();
      expect((s.object.metadata as { namespace?: string }).namespace).toBe('kube-system');
    }
  });

  it('cover what issue 14 asks for: two racks by node selector, default gateway, MD5 Secret, communities for prod, a pool to rack A only', () => {
    const specs = (kind: string) =>
      anyvipDocs.filter((d) => d.object.kind === kind).map((d) => d.object.spec as Record<string, unknown>);
    const peers = specs('AnyvipPeer');
    expect(
      peers.map((p) => (p.nodeSelector as { matchLabels?: { rack?: string } })?.matchLabels?.rack),
    ).toEqual(expect.arrayContaining(['a', 'b']));
    expect(peers.some((p) => (p.autoDiscovery as { mode?: string })?.mode === 'DefaultGateway')).toBe(true);
    const secretNames = docs.filter((d) => d.object.kind === 'Secret').map((d) => d.object.metadata.name);
    expect(
      peers.some((p) => secretNames.includes((p.passwordSecretRef as { name?: string })?.name ?? '')),
    ).toBe(true);
    const ads = specs('AnyvipAdvertisement');
    expect(
      ads.some(
        (a) =>
          (a.namespaces as string[] | undefined)?.includes('prod') &&
          (a.communities as string[] | undefined)?.includes('65000:100') &&
          ((a.largeCommunities as string[] | undefined)?.length ?? 0) > 0,
      ),
    ).toBe(true);
    expect(
      ads.some((a) => (a.peerSelector as { matchLabels?: { rack?: string } })?.matchLabels?.rack === 'a'),
    ).toBe(true);
    expect(specs('AnyvipPool').length).toBeGreaterThan(0);
    // Every kind but the node status (written by anyvip, not by operators) has an example.
    expect(new Set(anyvipDocs.map((d) => d.object.kind))).toEqual(
      new Set(anyvipKinds.map((k) => k.kind).filter((k) => k !== 'AnyvipNodeStatus')),
    );
  });

  it('the validator is real: a broken example is refused by both', () => {
    const peer = structuredClone(anyvipDocs.find((d) => d.object.kind === 'AnyvipPeer')?.object);
    const spec = peer?.spec as Record<string, unknown>;
    delete spec.peerAddress;
    expect(schemas.get('AnyvipPeer')?.admit(structuredClone(peer) as Record<string, unknown>)).not.toEqual(
      [],
    );
    expect(checkAnyvipPeer(peer).ok).toBe(false);
  });
});
