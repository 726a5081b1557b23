import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * What Kubernetes mode loads from the shipped bundle (scripts/bundle-kubernetes.ts): the
 * chunks holding kubernetes-mode.js and the client, with their static imports. undici's package
 * must not be among them (its index costs ~20 MB of idle RSS; client-node's fetch is
 * dispatcher-fetch.ts there), nor an ES import of node:http (its namespace reads the lazy
 * WebSocket getters, which load Node's bundled undici with http2, tls and zlib). Reads
 * dist/bundle/graph.json: run `pnpm run build` first.
 */

interface ChunkGraph {
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
  readonly packages: readonly string[];
  readonly modules: readonly string[];
}

function readGraph(): Record<string, ChunkGraph> {
  const file = new URL('../../dist/bundle/graph.json', import.meta.url);
  if (!existsSync(file)) throw new Error('dist/bundle/graph.json is missing: run `pnpm run build` first');
  return (JSON.parse(readFileSync(file, 'utf8')) as { chunks: Record<string, ChunkGraph> }).chunks;
}

/** The chunks holding any of `modules`, and every chunk they import statically. */
function kubernetesClosure(chunks: Record<string, ChunkGraph>, modules: readonly string[]): Set<string> {
  const queue = Object.entries(chunks)
    .filter(([, c]) => c.modules.some((m) => modules.includes(m)))
    .map(([name]) => name);
  const reached = new Set(queue);
  for (let name = queue.shift(); name !== undefined; name = queue.shift())
    for (const next of chunks[name]?.imports ?? [])
      if (!reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
  return reached;
}

describe('Kubernetes mode in the bundle', () => {
  const chunks = readGraph();
  const loaded = kubernetesClosure(chunks, [
    'packages/controller/dist/kubernetes-mode.js',
    'packages/controller/dist/kubernetes/client.js',
    'packages/controller/dist/observe/kubernetes/list-watch.js',
  ]);

  it('reaches the client, and neither undici nor an ES import of node:http', () => {
    const packages = [...loaded].flatMap((n) => chunks[n]?.packages ?? []);
    expect(packages).toContain('@kubernetes/client-node');
    expect(packages).not.toContain('undici');
    expect([...loaded].filter((n) => n === 'node:http' || n === 'http')).toEqual([]);
  });

  it('still bundles undici for the full KubeConfig (status --cluster), behind a dynamic import', () => {
    const dynamic = [...loaded].flatMap((n) => chunks[n]?.dynamicImports ?? []);
    // A dynamic import's chunk may be a facade over the chunk that holds the package.
    const behind = dynamic.flatMap((d) => [d, ...(chunks[d]?.imports ?? [])]);
    expect(behind.some((d) => chunks[d]?.packages.includes('undici'))).toBe(true);
  });
});
