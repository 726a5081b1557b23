/**
 * The rolldown plugin scripts/bundle.ts runs: what the shipped bundle changes in
 * `@kubernetes/client-node` and in how chunks are written, to keep Kubernetes mode's idle RSS
 * down (issue 17; docs/scale.md, "One node"). Each part was measured against the bundle without
 * it, in the same run (bench/footprint.bench.ts).
 *
 * - **client-node's fetch.** Its generated HTTP library (gen/http/isomorphic-fetch.js) and its
 *   `Watch` (watch.js) import `fetch` from undici. Executing undici's index costs ~20 MB of
 *   Kubernetes mode's RSS (its clients, mock agents, cache, WebSocket, EventSource; http2, tls,
 *   crypto, zlib, worker_threads, assert), though anyvip's requests all run on Node's http
 *   through a NodeHttpDispatcher. Those two imports resolve to
 *   src/kubernetes/dispatcher-fetch.ts instead, which hands any other dispatcher (the full
 *   `KubeConfig` of `anyvip status --cluster`) to undici's fetch, loaded then. client-node's
 *   request factories, response processors, ObjectSerializer and Watch run unchanged.
 * - **Builtins with lazy getters.** An ES import of a builtin reads every export of it, getters
 *   included. watch.js imports `STATUS_CODES` from node:http, whose WebSocket, CloseEvent and
 *   MessageEvent getters load Node's bundled undici, which requires http2, tls, crypto, zlib,
 *   worker_threads and assert at once (~13 MB); yargs (which parses `anyvip run`) imports util
 *   (its transferableAbortSignal getters load worker_threads) and fs (`promises`). Their
 *   named imports become reads of `process.getBuiltinModule`'s object, as anyvip's own code
 *   does, which read only the names imported.
 * - **yargs' `assert`** (`anyvip run` parses its flags with yargs). yargs imports
 *   `notStrictEqual` and `strictEqual` from node:assert for its internal checks, and loading
 *   assert loads worker_threads and the diff printer with it (~2 MB). The checks run as
 *   `Object.is` (what both functions test) and call node:assert's own only when one fails, so
 *   a failure throws the same AssertionError.
 * - **ObjectSerializer's registry.** Its typeMap references all 757 generated model classes, so
 *   none is tree-shaken (~0.7 MB of source, each class built at load). It keeps the models
 *   anyvip's calls reach (scripts/client-node-models.ts computes them from the real client at
 *   build time: 61); the serializer's code is unchanged.
 * - **The API groups' classes.** Each generated `*Api.js` holds a RequestFactory and a
 *   ResponseProcessor with a method for every call of its group (CoreV1Api: ~0.4 MB of source
 *   for the ten calls anyvip makes). Methods no code of ours names are cut out; the rest are
 *   the client's, unchanged.
 * - **string-width's `Intl.Segmenter`** (cliui measures yargs' help text with it). Both
 *   copies in the bundle built one at load, which loads ICU's segmentation data (~2.5 MB) in
 *   every command yargs parses, `anyvip run` included, though only help text is measured. The
 *   segmenter is now made on the first measurement.
 * - **ASCII output** (`charset: 'ascii'`). V8 keeps every loaded module's source text on its
 *   heap, one byte a character while it is all Latin-1 and two bytes once one character is
 *   not: two emoji in undici and a few typographic characters doubled ~2 MB of chunks. Escaped,
 *   every chunk reads as one-byte.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'rolldown';
import { parseAst } from 'rolldown/parseAst';

/** Run by plain `node` (no resolver for `.js` → `.ts`), so the sibling loads by its file URL. */
const { callNamesIn, clientNodeDist, narrowApiModule, narrowSerializer, reachableModels } = (await import(
  new URL('./client-node-models.ts', import.meta.url).href
)) as typeof import('./client-node-models.js');

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** client-node's modules that import undici's `fetch` and get dispatcher-fetch's instead. */
const FETCH_IMPORTERS =
  /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/](?:watch|gen[\\/]http[\\/]isomorphic-fetch)\.js$/;

/** The glue module those imports get: ours for our dispatcher, undici's (a chunk of its own) otherwise. */
const FETCH_MODULE = '\0anyvip:client-node-fetch';

/**
 * Builtins whose ES import reads lazy getters that load more of Node, by the packages that
 * import them: node:http (WebSocket, CloseEvent, MessageEvent: Node's bundled undici), util
 * (diff, setTraceSigInt: the diff printer and worker_threads), fs and readline (promises).
 */
const LAZY_GETTER_BUILTINS: readonly { readonly importer: RegExp; readonly builtins: readonly string[] }[] = [
  { importer: /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/, builtins: ['http', 'readline'] },
  // yargs and the packages it brings (its parser, messages, config-file lookup).
  { importer: /[\\/]node_modules[\\/](?:yargs|yargs-parser|y18n|escalade)[\\/]/, builtins: ['util', 'fs'] },
];

/** `import { a, b as c } from 'node:x'` (named imports only). */
const NAMED_BUILTIN_IMPORT = /^import\s*\{([^}]*)\}\s*from\s*['"](?:node:)?([a-z_]+)['"];?/gm;

/**
 * `module`'s named imports of `builtins` as reads of `process.getBuiltinModule`'s object, which
 * read only the names imported.
 */
function withoutBuiltinImports(code: string, builtins: readonly string[]): string {
  return code.replace(NAMED_BUILTIN_IMPORT, (statement, names: string, builtin: string) => {
    if (!builtins.includes(builtin)) return statement;
    const bindings = names
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '')
      .map((n) => n.replace(/\s+as\s+/, ': '));
    return `const { ${bindings.join(', ')} } = process.getBuiltinModule('node:${builtin}');`;
  });
}

/** client-node's ObjectSerializer, whose type registry imports every generated model. */
const SERIALIZER = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]gen[\\/]models[\\/]ObjectSerializer\.js$/;

/** client-node's generated API modules: each group's RequestFactory and ResponseProcessor. */
const API_MODULE = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]gen[\\/]apis[\\/]\w+Api\.js$/;

/** string-width (cliui's, for yargs' help text), which builds an `Intl.Segmenter` at load. */
const STRING_WIDTH = /[\\/]node_modules[\\/]string-width[\\/]index\.js$/;

/** Its module-level segmenter, and what replaces it: the same segmenter, made on first use. */
const EAGER_SEGMENTER = 'const segmenter = new Intl.Segmenter();';
const LAZY_SEGMENTER =
  'let lazySegmenter; const segmenter = { segment: (s) => (lazySegmenter ??= new Intl.Segmenter()).segment(s) };';

/** The module yargs' `assert` import gets. */
const ASSERT_MODULE = '\0anyvip:yargs-assert';

/** yargs' modules. */
const YARGS = /[\\/]node_modules[\\/]yargs[\\/]/;

/** The plugin; `dist` is tsc's output folder (dispatcher-fetch.js is there). */
export function kubernetesBundlePlugin(dist = `${root}/dist`): Plugin {
  /** A client-node module that imports undici, to resolve undici from where the client would. */
  let undiciImporter: string | undefined;
  /** The models anyvip's calls reach (scripts/client-node-models.ts). */
  let models: Set<string> | undefined;
  /** The client-node API calls anyvip's code names. */
  let calls: Set<string> | undefined;
  return {
    name: 'anyvip-kubernetes',
    async buildStart() {
      calls = callNamesIn(dist);
      models = await reachableModels(clientNodeDist(root), calls);
    },
    async resolveId(source, importer) {
      if (importer === undefined) return null;
      if ((source === 'assert' || source === 'node:assert') && YARGS.test(importer)) return ASSERT_MODULE;
      if (source !== 'undici') return null;
      if (FETCH_IMPORTERS.test(importer)) {
        undiciImporter = importer;
        return FETCH_MODULE;
      }
      if (importer === FETCH_MODULE && undiciImporter !== undefined)
        return this.resolve('undici', undiciImporter, { skipSelf: true });
      return null;
    },
    load(id) {
      if (id === ASSERT_MODULE)
        return [
          "const assert = () => process.getBuiltinModule('node:assert');",
          'export function notStrictEqual(actual, expected, message) {',
          '  if (Object.is(actual, expected)) assert().notStrictEqual(actual, expected, message);',
          '}',
          'export function strictEqual(actual, expected, message) {',
          '  if (!Object.is(actual, expected)) assert().strictEqual(actual, expected, message);',
          '}',
        ].join('\n');
      if (id !== FETCH_MODULE) return null;
      const ours = JSON.stringify(`${dist}/kubernetes/dispatcher-fetch.js`);
      return [
        `import { carriedByNodeHttp, dispatcherFetch } from ${ours};`,
        'export function fetch(input, init) {',
        '  if (carriedByNodeHttp(init)) return dispatcherFetch(input, init);',
        "  return import('undici').then((undici) => undici.fetch(input, init));",
        '}',
      ].join('\n');
    },
    transform(code, id) {
      if (STRING_WIDTH.test(id)) {
        if (!code.includes(EAGER_SEGMENTER))
          throw new Error(`anyvip-kubernetes: ${id} changed; see STRING_WIDTH`);
        return { code: code.replace(EAGER_SEGMENTER, LAZY_SEGMENTER), map: null };
      }
      if (API_MODULE.test(id)) {
        if (calls === undefined) throw new Error('anyvip-kubernetes: calls not computed');
        return { code: narrowApiModule(code, parseAst(code) as never, calls), map: null };
      }
      if (SERIALIZER.test(id)) {
        if (models === undefined) throw new Error('anyvip-kubernetes: models not computed');
        return { code: narrowSerializer(code, models), map: null };
      }
      const builtins = LAZY_GETTER_BUILTINS.filter((l) => l.importer.test(id)).flatMap((l) => l.builtins);
      return builtins.length === 0 ? null : { code: withoutBuiltinImports(code, builtins), map: null };
    },
    outputOptions(options) {
      return { ...options, charset: 'ascii' };
    },
  };
}
