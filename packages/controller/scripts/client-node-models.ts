/**
 * Which of client-node's generated models anyvip's calls can reach, computed from the real
 * client: the types its response processors deserialize and its request factories serialize
 * for the calls anyvip's code names, and everything their `attributeTypeMap`s reference, to the
 * end. scripts/bundle-kubernetes.ts keeps only these in ObjectSerializer's type registry; the
 * serializer passes a type it does not know through unchanged (no Date for a timestamp), so a
 * missing type would change what a call returns: test/architecture/client-node-models.test.ts
 * checks the closure against the real client and the shipped bundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** client-node's dist folder, as the controller package resolves it. */
export function clientNodeDist(fromDir: string): string {
  const require = createRequire(join(fromDir, 'package.json'));
  return join(dirname(require.resolve('@kubernetes/client-node/package.json')), 'dist');
}

/** ObjectSerializer's `typeMap`: type name → model class name, read from its source. */
export function typeMapOf(serializerSource: string): Map<string, string> {
  const body = /^let typeMap = \{\n([\s\S]*?)\n\};/m.exec(serializerSource)?.[1];
  if (body === undefined) throw new Error('client-node ObjectSerializer.js: no typeMap found');
  return new Map([...body.matchAll(/^\s*"(\w+)": (\w+),?$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

/**
 * The calls anyvip's compiled code (`dist`, tsc's output) can make: every identifier that
 * could name a client-node API method (list…, read…, create…, replace…, patch…, delete…).
 * More than the calls is harmless (a larger registry); fewer is not.
 */
export function callNamesIn(dist: string): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.js') || file.startsWith('bundle')) continue;
    const code = readFileSync(join(dist, file), 'utf8');
    for (const m of code.matchAll(/\b((?:list|read|create|replace|patch|delete)[A-Z]\w*)\b/g))
      names.add((m[1] as string).replace(/WithHttpInfo$/, ''));
  }
  return names;
}

interface ModelClass {
  readonly attributeTypeMap?: readonly { readonly type: string }[];
  readonly mapping?: Record<string, string>;
}

/** Type names (typeMap keys) a type string names: `Array<V1Service>`, `{ [key: string]: V1X; }`. */
function typesIn(type: string, typeMap: ReadonlyMap<string, string>): string[] {
  return [...type.matchAll(/\w+/g)].map((m) => m[0]).filter((t) => typeMap.has(t));
}

/**
 * The typeMap keys reachable from `calls` through client-node's request factories and response
 * processors (every `*Api.js` in gen/apis), plus V1ObjectMeta (serializer.js's KubernetesObject,
 * which Watch's and ListWatch's objects go through) and V1Status (API errors).
 */
export async function reachableModels(dist: string, calls: ReadonlySet<string>): Promise<Set<string>> {
  const typeMap = typeMapOf(readFileSync(join(dist, 'gen/models/ObjectSerializer.js'), 'utf8'));
  const roots = new Set(['V1ObjectMeta', 'V1Status']);
  for (const file of readdirSync(join(dist, 'gen/apis'))) {
    const api = /^(\w+Api)\.js$/.exec(file)?.[1];
    if (api === undefined) continue;
    const module = (await import(pathToFileURL(join(dist, 'gen/apis', file)).href)) as Record<
      string,
      { prototype: Record<string, unknown> } | undefined
    >;
    const factory = module[`${api}RequestFactory`]?.prototype;
    const processor = module[`${api}ResponseProcessor`]?.prototype;
    for (const call of calls) {
      for (const method of [factory?.[call], processor?.[`${call}WithHttpInfo`]]) {
        if (typeof method !== 'function') continue;
        // Every type name in the method: its (de)serialize calls name them in string literals.
        for (const t of typesIn(String(method), typeMap)) roots.add(t);
      }
    }
  }
  const reached = new Set<string>();
  const queue = [...roots];
  for (let type = queue.shift(); type !== undefined; type = queue.shift()) {
    if (reached.has(type)) continue;
    const className = typeMap.get(type);
    if (className === undefined) continue;
    reached.add(type);
    const module = (await import(pathToFileURL(join(dist, 'gen/models', `${className}.js`)).href)) as Record<
      string,
      ModelClass | undefined
    >;
    const model = module[className];
    for (const a of model?.attributeTypeMap ?? []) queue.push(...typesIn(a.type, typeMap));
    for (const t of Object.values(model?.mapping ?? {})) queue.push(...typesIn(t, typeMap));
  }
  return reached;
}

/**
 * ObjectSerializer.js with only `keep`'s models: their re-exports, imports and typeMap entries
 * (by type name and by class name).
 */
export function narrowSerializer(source: string, keep: ReadonlySet<string>): string {
  const typeMap = typeMapOf(source);
  const keptClasses = new Set([...keep].map((t) => typeMap.get(t)).filter((c) => c !== undefined));
  return source
    .replace(/^export \* from '\.\.\/models\/(\w+)\.js';\n/gm, (line, c: string) =>
      keptClasses.has(c) ? line : '',
    )
    .replace(/^import \{ (\w+) \} from '\.\.\/models\/\1\.js';\n/gm, (line, c: string) =>
      keptClasses.has(c) ? line : '',
    )
    .replace(/^(\s*)"(\w+)": (\w+),?\n/gm, (line, _s: string, t: string, c: string) =>
      typeMap.get(t) === c && !keep.has(t) ? '' : line,
    );
}

/** A node of the ESTree client-node's API modules parse to (the fields read here). */
interface AstNode {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly body?: AstNode | readonly AstNode[];
  readonly declaration?: AstNode | null;
  readonly key?: { readonly type: string; readonly name?: string };
  readonly kind?: string;
}

/**
 * A generated `*Api.js` module (gen/apis) with only `keep`'s methods in its RequestFactory and
 * ResponseProcessor classes (`name` and `nameWithHttpInfo`; constructors stay). Each class holds
 * every call of its API group; CoreV1Api's are ~0.4 MB of minified source for the ten anyvip
 * makes. The kept methods are the client's code, unchanged.
 */
export function narrowApiModule(
  source: string,
  program: { readonly body: readonly AstNode[] },
  keep: ReadonlySet<string>,
): string {
  const cuts: [number, number][] = [];
  for (const statement of program.body) {
    const cls = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (cls?.type !== 'ClassDeclaration' || cls.body === undefined || Array.isArray(cls.body)) continue;
    for (const member of (cls.body as AstNode).body as readonly AstNode[]) {
      if (member.type !== 'MethodDefinition' || member.kind !== 'method') continue;
      const name = member.key?.type === 'Identifier' ? member.key.name : undefined;
      if (name === undefined) continue;
      if (keep.has(name) || keep.has(name.replace(/WithHttpInfo$/, ''))) continue;
      cuts.push([member.start, member.end]);
    }
  }
  let out = '';
  let at = 0;
  for (const [start, end] of cuts.sort((a, b) => a[0] - b[0])) {
    out += source.slice(at, start);
    at = end;
  }
  return out + source.slice(at);
}
