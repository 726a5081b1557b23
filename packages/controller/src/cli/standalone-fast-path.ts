import type { StandaloneArgs } from './standalone-command.js';

/**
 * `anyvip standalone --config FILE [--admin-address HOST:PORT] [--admin | --no-admin]`, parsed
 * without yargs: the one command that runs on every load-balancer host for months, so what it
 * loads is paid for all that time. yargs costs ~5 MB of idle RSS there (its ES module imports
 * of node:util, node:assert and node:fs read every export of each, and cliui's string-width
 * builds an `Intl.Segmenter`, which loads ICU data).
 *
 * Only the plain, unambiguous form is taken: anything else (`--help`, `--version`, a flag this
 * does not know, a camel-case spelling, a repeated flag, `--`, a missing `--config`) returns
 * undefined, and main.ts hands the whole command line to yargs, which parses and words errors
 * as it always has. The flags are those of standaloneCommands() and withAdminOptions();
 * test/cli/standalone-fast-path.test.ts holds the two parsers to the same answers.
 */
export function standaloneFastArgs(argv: readonly string[]): StandaloneArgs | undefined {
  if (argv[0] !== 'standalone') return undefined;
  const parsed = parseFlags(argv.slice(1));
  if (parsed === undefined) return undefined;
  const names: string[] = [];
  for (const t of parsed.tokens) {
    if (t.kind !== 'option') return undefined;
    names.push(t.name);
  }
  if (new Set(names).size !== names.length) return undefined;
  const { config, admin } = parsed.values;
  if (config === undefined) return undefined;
  return { config, adminAddress: parsed.values['admin-address'], admin };
}

/** Node's own parser, strict; undefined for anything it refuses. */
function parseFlags(args: string[]) {
  // getBuiltinModule, not an import: an ES module import of node:util reads every export,
  // and its lazy getters load modules standalone never uses (+2.7 MB).
  const { parseArgs } = process.getBuiltinModule('node:util');
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      allowNegative: true,
      tokens: true,
      options: {
        config: { type: 'string' },
        'admin-address': { type: 'string' },
        admin: { type: 'boolean' },
      },
    });
  } catch {
    return undefined;
  }
}
