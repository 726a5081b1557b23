import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * The import graph of a source tree, as the floors test reads it: every import, export-from
 * and dynamic `import()` of every `.ts` file (TypeScript's own pre-processor finds them, so
 * comments and strings never count), plus the identifiers that mean I/O or time.
 */

/** One file's facts. */
export interface SourceFile {
  /** Path relative to the tree's root, with `/`. */
  readonly path: string;
  /** Relative imports resolved against the root (`wire/header.ts`); `.js` written as `.ts`. */
  readonly local: readonly string[];
  /** Bare specifiers: packages and `node:` builtins. */
  readonly external: readonly string[];
  /** Uses of timers, clocks and the console, as `name@line`. */
  readonly ambient: readonly string[];
}

/** Globals that read the clock or schedule work: the edges own them, behind a Clock. */
const AMBIENT_CALLS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval']);
const AMBIENT_MEMBERS = new Set([
  'Date.now',
  'performance.now',
  'process.hrtime',
  'console.log',
  'console.error',
]);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function ambientUses(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const line = (n: ts.Node): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && AMBIENT_CALLS.has(n.expression.text))
      out.push(`${n.expression.text}@${line(n)}`);
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression)) {
      const name = `${n.expression.text}.${n.name.text}`;
      if (AMBIENT_MEMBERS.has(name)) out.push(`${name}@${line(n)}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Reads every `.ts` file under `root`. */
export function readTree(root: string): SourceFile[] {
  return walk(root).map((abs) => {
    const text = readFileSync(abs, 'utf8');
    const path = relative(root, abs).split(sep).join('/');
    const local: string[] = [];
    const external: string[] = [];
    for (const i of ts.preProcessFile(text, true, true).importedFiles) {
      const spec = i.fileName;
      if (!spec.startsWith('.')) {
        external.push(spec);
        continue;
      }
      const target = normalize(join(dirname(path), spec))
        .split(sep)
        .join('/');
      local.push(target.endsWith('.js') ? `${target.slice(0, -3)}.ts` : target);
    }
    return { path, local, external, ambient: ambientUses(abs, text) };
  });
}

/** The floor a path is on: its first folder, or the file itself for files at the root. */
export function floorOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(0, slash);
}

/**
 * Strongly connected components of more than one node (Tarjan), each sorted: the import
 * cycles between the graph's nodes. A self-edge is not a cycle (a folder imports itself).
 */
export function cyclesOf(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const nodes = new Set<string>([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])]);
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (w === v) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!idx.has(v)) strong(v);
  return out;
}

/** Floor → floors it imports (its own included), over local imports. */
export function floorGraph(files: readonly SourceFile[]): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const f of files) {
    const from = floorOf(f.path);
    let set = g.get(from);
    if (set === undefined) {
      set = new Set();
      g.set(from, set);
    }
    for (const t of f.local) set.add(floorOf(t));
  }
  return g;
}
