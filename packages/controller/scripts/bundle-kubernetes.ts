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
 * - **client-node's `node:http` imports** (watch.js reads `STATUS_CODES`). An ES import of
 *   node:http reads every export of the module, and three of them (WebSocket, CloseEvent,
 *   MessageEvent) are lazy getters that load Node's bundled undici, which requires http2, tls,
 *   crypto, zlib, worker_threads and assert at once (~13 MB). client-node's imports of it get
 *   http's plain exports through `process.getBuiltinModule` instead, as anyvip's own code does.
 * - **ASCII output** (`charset: 'ascii'`). V8 keeps every loaded module's source text on its
 *   heap, one byte a character while it is all Latin-1 and two bytes once one character is
 *   not: two emoji in undici and a few typographic characters doubled ~2 MB of chunks. Escaped,
 *   every chunk reads as one-byte.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'rolldown';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** client-node's modules that import undici's `fetch` and get dispatcher-fetch's instead. */
const FETCH_IMPORTERS =
  /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/](?:watch|gen[\\/]http[\\/]isomorphic-fetch)\.js$/;

/** The glue module those imports get: ours for our dispatcher, undici's (a chunk of its own) otherwise. */
const FETCH_MODULE = '\0anyvip:client-node-fetch';

/** The module client-node's `node:http` imports get: http's data exports, no lazy getter read. */
const HTTP_MODULE = '\0anyvip:client-node-http';

/** A client-node module (its dist folder). */
const CLIENT_NODE = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/;

/** node:http's exports that are plain values (the accessors are the lazy getters, and maxHeaderSize/globalAgent). */
function httpDataExports(): string[] {
  const http = process.getBuiltinModule('node:http');
  return Object.entries(Object.getOwnPropertyDescriptors(http))
    .filter(([name, d]) => 'value' in d && /^[A-Za-z]\w*$/.test(name))
    .map(([name]) => name);
}

/** The plugin; `dist` is tsc's output folder (dispatcher-fetch.js is there). */
export function kubernetesBundlePlugin(dist = `${root}/dist`): Plugin {
  /** A client-node module that imports undici, to resolve undici from where the client would. */
  let undiciImporter: string | undefined;
  return {
    name: 'anyvip-kubernetes',
    async resolveId(source, importer) {
      if (importer === undefined) return null;
      if ((source === 'node:http' || source === 'http') && CLIENT_NODE.test(importer)) return HTTP_MODULE;
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
      if (id === HTTP_MODULE) {
        const names = httpDataExports();
        return [
          "const http = process.getBuiltinModule('node:http');",
          `export const { ${names.join(', ')} } = http;`,
          'export default http;',
        ].join('\n');
      }
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
    outputOptions(options) {
      return { ...options, charset: 'ascii' };
    },
  };
}
