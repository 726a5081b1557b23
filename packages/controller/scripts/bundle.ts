/**
 * Builds the shipped `anyvip` CLI: one minified ES module bundle of dist/bin.js (tsc's output,
 * so run after `tsc -p tsconfig.build.json`) with what it imports, in dist/bundle/:
 *
 * - `anyvip.mjs`, the entry, and `chunks/*.mjs`, loaded on demand. Every dynamic `import()` in
 *   the sources stays a chunk boundary, so standalone never loads the Kubernetes client or
 *   TypeBox (test/architecture/bundle-chunks.test.ts pins it).
 * - `graph.json`: each chunk's static and dynamic imports and the packages and modules in it,
 *   for that test and for whoever wonders where a byte came from.
 * - `THIRD-PARTY-NOTICES.txt`: the licence files of every npm package inside the bundle
 *   (minified code keeps no comments, and the bundle ships without their node_modules folders).
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
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

/** The Kubernetes client's fetch and ASCII chunks (scripts/bundle-kubernetes.ts). */
const { kubernetesBundlePlugin } = (await import(
  new URL('./bundle-kubernetes.ts', import.meta.url).href
)) as typeof import('./bundle-kubernetes.js');

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const target = `${root}/dist/bundle`;
/** Written here first, then swapped in: a running `anyvip` or test never sees half a bundle. */
const out = `${root}/dist/bundle.new`;

/** One chunk of the bundle as graph.json records it. */
interface ChunkGraph {
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
  /** npm packages with at least one module in the chunk (`@scope/name`, `name`). */
  readonly packages: readonly string[];
  /** Our own modules (paths relative to the repository), the workspace packages' included. */
  readonly modules: readonly string[];
}

/** The npm package a module id belongs to (its name and folder), or undefined for workspace code. */
function packageOf(id: string): { name: string; dir: string } | undefined {
  const marker = `node_modules${sep}`;
  const at = id.lastIndexOf(marker);
  if (at < 0) return undefined;
  const [first, second] = id.slice(at + marker.length).split(sep);
  if (first === undefined) return undefined;
  const name = first.startsWith('@') ? `${first}/${second}` : first;
  return { name, dir: id.slice(0, at + marker.length) + name.split('/').join(sep) };
}

/** A package's licence text: its LICENSE / LICENCE / COPYING files, or what package.json names. */
function licenceOf(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => /^(licen[cs]e|copying)/i.test(f))
    .sort();
  if (files.length > 0) return files.map((f) => readFileSync(`${dir}/${f}`, 'utf8').trim()).join('\n\n');
  const { license } = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { license?: unknown };
  return `License: ${typeof license === 'string' ? license : 'not stated'} (the package ships no licence file)`;
}

rmSync(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: { anyvip: `${root}/dist/bin.js` },
  // What a production build is, whatever the environment: winston's debug helper
  // (@dabh/diagnostics) otherwise loads its development adapter (colours, tty), ~0.7 MB of idle
  // RSS in every process that does not run with NODE_ENV=production (the image does).
  transform: { define: { 'process.env.NODE_ENV': '"production"' } },
  platform: 'node',
  logLevel: 'warn',
  plugins: [kubernetesBundlePlugin()],
});
const { output } = await bundle.write({
  dir: out,
  format: 'esm',
  minify: true,
  // Function.prototype.name and class names survive minification: error names, stack traces.
  keepNames: true,
  sourcemap: false,
  comments: false,
  // Non-ASCII escaped: V8 keeps a module's source one byte a character only while it is all
  // Latin-1; a few typographic characters made the main chunk (314 KB) take 628 KB of heap.
  charset: 'ascii',
  entryFileNames: '[name].mjs',
  chunkFileNames: 'chunks/[name]-[hash].mjs',
});
await bundle.close();

const repo = dirname(dirname(root));
const graph: Record<string, ChunkGraph> = {};
/** Every bundled npm package's folder, by name. */
const bundled = new Map<string, string>();
for (const item of output) {
  if (item.type !== 'chunk') continue;
  const packages = new Set<string>();
  const modules: string[] = [];
  for (const id of item.moduleIds) {
    const pkg = packageOf(id);
    if (pkg !== undefined) {
      packages.add(pkg.name);
      bundled.set(pkg.name, pkg.dir);
    } else if (!id.startsWith('\0')) modules.push(relative(repo, id).split(sep).join('/'));
  }
  graph[item.fileName] = {
    imports: item.imports,
    dynamicImports: item.dynamicImports,
    packages: [...packages].sort(),
    modules: modules.sort(),
  };
}
writeFileSync(`${out}/graph.json`, `${JSON.stringify({ entry: 'anyvip.mjs', chunks: graph }, null, 2)}\n`);
const notices = [...bundled]
  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  .map(([name, dir]) => `${name}\n${'-'.repeat(name.length)}\n${licenceOf(dir)}\n`);
writeFileSync(
  `${out}/THIRD-PARTY-NOTICES.txt`,
  `The anyvip bundle (anyvip.mjs, chunks/) contains these npm packages, under these licences.\n\n${notices.join('\n')}`,
);
rmSync(`${target}.old`, { recursive: true, force: true });
try {
  renameSync(target, `${target}.old`);
} catch (e) {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
}
renameSync(out, target);
rmSync(`${target}.old`, { recursive: true, force: true });
