import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every `anyvip` command loads `src/main.ts` and what it imports statically, standalone
 * included. The Kubernetes client (~+85 MB RSS on its own) and the CRD schemas' TypeBox
 * (~+5–18 MB) must come only through a dynamic `import()` on the Kubernetes paths (`run` in
 * Kubernetes mode, `status --cluster`), or standalone idles ~45 MB higher (docs/scale.md).
 */

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Packages only Kubernetes paths may load. */
const KUBERNETES_ONLY = ['@kubernetes/client-node', '@sinclair/typebox'];

/** Specifiers a file imports for their values at load time (no `import type`, no `import()`). */
function staticValueImports(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const node of sf.statements) {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      out.push(node.moduleSpecifier.text);
    }
  }
  return out;
}

/** Bare specifiers reached from `entry` through static value imports, each with the path to it. */
function reachedPackages(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string, path: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticValueImports(file)) {
      if (!spec.startsWith('.')) {
        if (!packages.has(spec)) packages.set(spec, `${path} -> ${spec}`);
        continue;
      }
      const target = join(dirname(file), spec.endsWith('.js') ? `${spec.slice(0, -3)}.ts` : spec);
      if (existsSync(target)) visit(target, `${path} -> ${relative(SRC, target)}`);
    }
  };
  visit(entry, relative(SRC, entry));
  return packages;
}

describe('the CLI entry point', () => {
  it('loads the Kubernetes client and the CRD schemas only on Kubernetes paths', () => {
    const reached = reachedPackages(join(SRC, 'main.ts'));
    const offending = [...reached]
      .filter(([spec]) => KUBERNETES_ONLY.some((p) => spec === p || spec.startsWith(`${p}/`)))
      .map(([, path]) => path);
    expect(offending).toEqual([]);
    // The walk itself works: the entry does reach its always-needed packages.
    expect(reached.has('winston')).toBe(true);
    // yargs too is loaded on demand: `standalone --config FILE` runs without it
    // (cli/standalone-fast-path.ts).
    expect(reached.has('yargs')).toBe(false);
  });
});
