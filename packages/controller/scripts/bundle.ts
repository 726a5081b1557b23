/**
 * Builds the shipped `anyvip` CLI: one minified ES module bundle of dist/bin.js (tsc's output,
 * so run after `tsc -p tsconfig.build.json`) with what it imports, in dist/bundle/:
 *
 * - `anyvip.mjs`, the entry, and `chunks/*.mjs`, loaded on demand. Every dynamic `import()` in
 *   the sources stays a chunk boundary, so standalone never loads the Kubernetes client or
 *   TypeBox (test/architecture/bundle-chunks.test.ts pins it).
 * - `graph.json`: each chunk's static and dynamic imports and the packages and modules in it,
 *   for that test and for whoever wonders where a byte came from.
 *
 * Why a bundle: V8 keeps every loaded module's source text on its heap; minified, the
 * controller's and its dependencies' sources shrink several-fold (the Kubernetes client's
 * 25 MB of JavaScript is ~4 MB), which cut standalone's idle RSS by ~12 MB (docs/scale.md).
 * Function and class names are kept (stack traces, error names); no source maps.
 *
 * Not bundled: @anyvip/tcp-auth (the optional native addon), which @anyvip/bgp loads with
 * `createRequire` at run time, so it resolves from the controller's node_modules (it is the
 * controller's optional dependency for that reason) or the image's /app/node_modules.
 *
 * Usage: `node scripts/bundle.ts` (the package's `build` runs it).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = `${root}/dist/bundle`;

/** One chunk of the bundle as graph.json records it. */
interface ChunkGraph {
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
  /** npm packages with at least one module in the chunk (`@scope/name`, `name`). */
  readonly packages: readonly string[];
  /** Our own modules (paths relative to the repository), the workspace packages' included. */
  readonly modules: readonly string[];
}

/** The npm package a module id belongs to, or undefined for workspace code. */
function packageOf(id: string): string | undefined {
  const at = id.lastIndexOf(`node_modules${sep}`);
  if (at < 0) return undefined;
  const [first, second] = id.slice(at + `node_modules${sep}`.length).split(sep);
  return first?.startsWith('@') ? `${first}/${second}` : first;
}

rmSync(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: { anyvip: `${root}/dist/bin.js` },
  platform: 'node',
  logLevel: 'warn',
});
const { output } = await bundle.write({
  dir: out,
  format: 'esm',
  minify: true,
  // Function.prototype.name and class names survive minification: error names, stack traces.
  keepNames: true,
  sourcemap: false,
  comments: false,
  entryFileNames: '[name].mjs',
  chunkFileNames: 'chunks/[name]-[hash].mjs',
});
await bundle.close();

const repo = dirname(dirname(root));
const graph: Record<string, ChunkGraph> = {};
for (const item of output) {
  if (item.type !== 'chunk') continue;
  const packages = new Set<string>();
  const modules: string[] = [];
  for (const id of item.moduleIds) {
    const pkg = packageOf(id);
    if (pkg !== undefined) packages.add(pkg);
    else if (!id.startsWith('\0')) modules.push(relative(repo, id).split(sep).join('/'));
  }
  graph[item.fileName] = {
    imports: item.imports,
    dynamicImports: item.dynamicImports,
    packages: [...packages].sort(),
    modules: modules.sort(),
  };
}
writeFileSync(`${out}/graph.json`, `${JSON.stringify({ entry: 'anyvip.mjs', chunks: graph }, null, 2)}\n`);
