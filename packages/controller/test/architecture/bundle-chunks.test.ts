import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ANYVIP_BUNDLE } from '../support/anyvip-cli.js';

/**
 * The shipped `anyvip` is the bundle (dist/bundle/, scripts/bundle.ts). What its entry chunk
 * reaches through static imports is what every command loads, standalone included: the
 * Kubernetes client and TypeBox must sit only behind dynamic `import()` chunks, as in the
 * sources (entry-static-imports.test.ts), or standalone idles tens of MB higher. Reads the
 * chunk graph the build writes (dist/bundle/graph.json): run `pnpm run build` first.
 */

const BUNDLE_DIR = new URL('../../dist/bundle/', import.meta.url);

/** Packages only Kubernetes paths may load (undici: the npm package, the client's HTTP stack). */
const KUBERNETES_ONLY = ['@kubernetes/client-node', '@sinclair/typebox', 'undici'];

interface ChunkGraph {
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
  readonly packages: readonly string[];
  readonly modules: readonly string[];
}

function readGraph(): { entry: string; chunks: Record<string, ChunkGraph> } {
  const file = new URL('graph.json', BUNDLE_DIR);
  if (!existsSync(file)) throw new Error('dist/bundle/graph.json is missing: run `pnpm run build` first');
  return JSON.parse(readFileSync(file, 'utf8')) as { entry: string; chunks: Record<string, ChunkGraph> };
}

/** Chunks loaded with `entry`, each with the chain of static imports that reaches it. */
function staticClosure(chunks: Record<string, ChunkGraph>, entry: string): Map<string, string> {
  const reached = new Map<string, string>([[entry, entry]]);
  const queue = [entry];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    for (const next of chunks[name]?.imports ?? []) {
      if (reached.has(next) || chunks[next] === undefined) continue;
      reached.set(next, `${reached.get(name)} -> ${next}`);
      queue.push(next);
    }
  }
  return reached;
}

/** Chunks loaded once main.ts runs: the entry's one dynamic import and its static closure. */
function mainClosure(): { chunks: Record<string, ChunkGraph>; reached: Map<string, string> } {
  const { entry, chunks } = readGraph();
  const [main, ...others] = chunks[entry]?.dynamicImports ?? [];
  expect(others).toEqual([]);
  expect(chunks[main!]?.modules).toContain('packages/controller/dist/main.js');
  const reached = new Map([...staticClosure(chunks, entry), ...staticClosure(chunks, main!)]);
  return { chunks, reached };
}

describe('the anyvip bundle', () => {
  it('loads the Kubernetes client and the CRD schemas only on Kubernetes paths', () => {
    const { chunks, reached } = mainClosure();
    const offending = [...reached].flatMap(([name, path]) =>
      (chunks[name]?.packages ?? [])
        .filter((p) => KUBERNETES_ONLY.includes(p))
        .map((p) => `${path} holds ${p}`),
    );
    expect(offending).toEqual([]);
    // The walk itself works: both are in the bundle, in chunks the entry does not reach.
    const everywhere = Object.values(chunks).flatMap((c) => c.packages);
    for (const p of KUBERNETES_ONLY) expect(everywhere).toContain(p);
    expect([...reached.keys()].flatMap((n) => chunks[n]?.packages ?? [])).toContain('winston');
  });

  it('keeps the Kubernetes mode in a chunk of its own', () => {
    const { chunks, reached } = mainClosure();
    const kubernetesMode = Object.entries(chunks).find(([, c]) =>
      c.modules.includes('packages/controller/dist/kubernetes-mode.js'),
    );
    expect(kubernetesMode).toBeDefined();
    expect(reached.has(kubernetesMode![0])).toBe(false);
  });

  it('ships no source maps and no unminified chunk', () => {
    const files = readdirSync(BUNDLE_DIR, { recursive: true, encoding: 'utf8' });
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.mjs')).length).toBeGreaterThan(1);
  });

  it('runs the command line once', async () => {
    // main.ts's own "invoked directly" guard must stay false inside the bundle, or every command
    // runs twice (a second `standalone` fails on its listeners).
    const { stdout } = await promisify(execFile)(process.execPath, [ANYVIP_BUNDLE, '--help'], {
      timeout: 20_000,
    });
    expect(stdout.match(/^Commands:$/gm)).toHaveLength(1);
  });
});
