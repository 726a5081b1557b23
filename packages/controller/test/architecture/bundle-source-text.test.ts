import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * What the shipped bundle's source text costs on V8's heap, which keeps every loaded module's
 * source for as long as the module lives (scripts/bundle.ts). Reads dist/bundle/: run
 * `pnpm run build` first.
 */

const BUNDLE_DIR = new URL('../../dist/bundle/', import.meta.url);

function chunks(): { name: string; text: string }[] {
  if (!existsSync(new URL('anyvip.mjs', BUNDLE_DIR)))
    throw new Error('dist/bundle/ is missing: run `pnpm run build` first');
  const dir = new URL('chunks/', BUNDLE_DIR);
  return [
    { name: 'anyvip.mjs', text: readFileSync(new URL('anyvip.mjs', BUNDLE_DIR), 'utf8') },
    ...readdirSync(dir).map((f) => ({ name: `chunks/${f}`, text: readFileSync(new URL(f, dir), 'utf8') })),
  ];
}

describe('the bundle keeps its source text small on the heap', () => {
  it('every chunk is ASCII, so V8 stores its source one byte a character, not two', () => {
    const wide = chunks()
      .filter((c) => /[^\u0000-\u007f]/.test(c.text))
      .map((c) => c.name);
    expect(wide).toEqual([]);
  });

  it('no chunk reads NODE_ENV at run time, so the development adapter of the winston debug helper is left out', () => {
    const reads = chunks()
      .filter((c) => c.text.includes('process.env.NODE_ENV'))
      .map((c) => c.name);
    expect(reads).toEqual([]);
    const graph = JSON.parse(readFileSync(new URL('graph.json', BUNDLE_DIR), 'utf8')) as {
      chunks: Record<string, { packages: readonly string[] }>;
    };
    const packages = Object.values(graph.chunks).flatMap((c) => c.packages);
    expect(packages).not.toContain('kuler');
    expect(packages).not.toContain('@so-ric/colorspace');
  });
});
