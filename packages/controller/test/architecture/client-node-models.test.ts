import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { callNamesIn, clientNodeDist, reachableModels, typeMapOf } from '../../scripts/client-node-models.js';
import { createApiClients } from '../../src/kubernetes/api-clients.js';
import type { ApiConnection } from '../../src/kubernetes/api-connection.js';

/**
 * The shipped bundle keeps in client-node's ObjectSerializer only the models anyvip's calls
 * reach (scripts/bundle-kubernetes.ts, scripts/client-node-models.ts). The serializer passes a
 * type it does not know through unchanged, so a missing model would silently change what a
 * call returns (a timestamp no longer a Date). Checked here against the real client: every type
 * the facades' calls name, and every type those reference, is in the bundle's registry.
 */

const PKG = fileURLToPath(new URL('../..', import.meta.url));
const DIST = clientNodeDist(PKG);
const typeMap = typeMapOf(readFileSync(join(DIST, 'gen/models/ObjectSerializer.js'), 'utf8'));

/** The calls the facades make (api-clients.ts), by their method names. */
function facadeCalls(): string[] {
  const clients = createApiClients({ server: 'http://127.0.0.1:9' } as unknown as ApiConnection);
  return [clients.core, clients.discovery, clients.coordination, clients.custom].flatMap((f) =>
    Object.keys(f),
  );
}

/** Type names in `text` that are typeMap keys. */
function typesIn(text: string): string[] {
  return [...text.matchAll(/\w+/g)].map((m) => m[0]).filter((t) => typeMap.has(t));
}

/** What the real client's factory and processor methods for `calls` name, and all they reference. */
async function closureOf(calls: readonly string[]): Promise<Set<string>> {
  const named = new Set<string>(['V1ObjectMeta', 'V1Status']);
  for (const api of ['CoreV1Api', 'DiscoveryV1Api', 'CoordinationV1Api', 'CustomObjectsApi']) {
    const m = (await import(pathToFileURL(join(DIST, 'gen/apis', `${api}.js`)).href)) as Record<
      string,
      { prototype: Record<string, unknown> }
    >;
    for (const call of calls)
      for (const f of [
        m[`${api}RequestFactory`]?.prototype[call],
        m[`${api}ResponseProcessor`]?.prototype[`${call}WithHttpInfo`],
      ])
        if (typeof f === 'function') for (const t of typesIn(String(f))) named.add(t);
  }
  const out = new Set<string>();
  const queue = [...named];
  for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
    if (out.has(t)) continue;
    out.add(t);
    const cls = typeMap.get(t) as string;
    const model = (
      (await import(pathToFileURL(join(DIST, 'gen/models', `${cls}.js`)).href)) as Record<string, unknown>
    )[cls] as { attributeTypeMap: { type: string }[] };
    for (const a of model.attributeTypeMap) queue.push(...typesIn(a.type));
  }
  return out;
}

/** The registry keys (`V1Service:`) in the bundle's chunk that holds ObjectSerializer's typeMap. */
function bundledRegistry(): Set<string> {
  const graph = new URL('../../dist/bundle/graph.json', import.meta.url);
  if (!existsSync(graph)) throw new Error('dist/bundle/graph.json is missing: run `pnpm run build` first');
  const chunks = Object.keys(
    (JSON.parse(readFileSync(graph, 'utf8')) as { chunks: Record<string, unknown> }).chunks,
  );
  const keys = new Set<string>();
  for (const c of chunks) {
    const code = readFileSync(new URL(`../../dist/bundle/${c}`, import.meta.url), 'utf8');
    // The kubernetes-mode chunks hold one typeMap: the one with V1ObjectMeta in it.
    if (!code.includes('V1ObjectMeta:')) continue;
    for (const m of code.matchAll(/[{,](\w+):[\w$]+(?=[,}])/g))
      if (typeMap.has(m[1] as string)) keys.add(m[1] as string);
  }
  return keys;
}

/** The text of the bundle's chunks that hold client-node's API classes (the registry's chunk). */
function registryChunkText(): string {
  const dir = new URL('../../dist/bundle/chunks/', import.meta.url);
  const graph = JSON.parse(readFileSync(new URL('../graph.json', dir), 'utf8')) as {
    chunks: Record<string, unknown>;
  };
  return Object.keys(graph.chunks)
    .map((c) => readFileSync(new URL(`../../dist/bundle/${c}`, import.meta.url), 'utf8'))
    .filter((code) => code.includes('V1ObjectMeta:'))
    .join('\n');
}

describe("the bundle's narrowed client-node API classes", () => {
  it('keeps every call the facades make, request factory and response processor, and cuts the others', () => {
    const code = registryChunkText();
    for (const call of facadeCalls()) {
      expect(code, call).toMatch(new RegExp(`\\b${call}\\(`));
      expect(code, call).toMatch(new RegExp(`\\b${call}WithHttpInfo\\(`));
    }
    expect(code).not.toMatch(/\blistPodForAllNamespacesWithHttpInfo\(/);
  });
});

describe("the bundle's narrowed client-node model registry", () => {
  it('computes a closed set: every type a kept model references is kept', async () => {
    const kept = await reachableModels(DIST, callNamesIn(join(PKG, 'dist')));
    for (const t of kept) {
      const cls = typeMap.get(t) as string;
      const model = (
        (await import(pathToFileURL(join(DIST, 'gen/models', `${cls}.js`)).href)) as Record<string, unknown>
      )[cls] as { attributeTypeMap: { type: string }[] };
      for (const a of model.attributeTypeMap)
        for (const ref of typesIn(a.type)) expect(kept.has(ref), `${t} → ${ref}`).toBe(true);
    }
  });

  it("holds every model the facades' calls reach, in the shipped bundle, and leaves the rest out", async () => {
    const calls = facadeCalls();
    expect(calls).toContain('listServiceForAllNamespaces');
    const needed = await closureOf(calls);
    for (const t of [
      'V1ServiceList',
      'V1EndpointSliceList',
      'V1NodeList',
      'V1Lease',
      'CoreV1Event',
      'V1DeleteOptions',
    ])
      expect(needed).toContain(t);
    const registry = bundledRegistry();
    expect([...needed].filter((t) => !registry.has(t))).toEqual([]);
    // Narrowed: models no call of ours reaches are not in it.
    expect(registry.has('V1PodSpec')).toBe(false);
    expect(registry.size).toBeLessThan(typeMap.size / 4);
  });
});
