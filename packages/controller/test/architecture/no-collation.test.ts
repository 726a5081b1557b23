import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * No locale-dependent string handling in the running code: `localeCompare`, `Intl.*`,
 * `toLocale*` and `normalize` sort or print differently by node locale (the desired state must
 * be the same on every node), and they load ICU data into the process (+3 MB of RSS each kind).
 * Sort with desired/code-unit-order.ts.
 */

const packages = fileURLToPath(new URL('../../../', import.meta.url));
const ICU =
  /\.localeCompare\(|\bIntl\.|\.toLocale(?:String|DateString|TimeString|LowerCase|UpperCase)\(|\.normalize\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('no ICU on the running path', () => {
  it('the controller, the speaker and the checks never collate, format by locale or normalize', () => {
    const hits = ['controller', 'bgp', 'healthcheck'].flatMap((p) =>
      sources(join(packages, p, 'src')).flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(packages, file)}:${i + 1}` }))
          .filter(({ line }) => !/^\s*(\*|\/\/|\/\*)/.test(line) && ICU.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      ),
    );
    expect(hits).toEqual([]);
  });
});
