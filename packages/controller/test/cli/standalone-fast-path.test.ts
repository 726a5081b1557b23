import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { withAdminOptions } from '../../src/cli/admin-options.js';
import { standaloneFastArgs } from '../../src/cli/standalone-fast-path.js';

/** What yargs makes of `standalone`'s flags (the options standaloneCommands() declares). */
function viaYargs(argv: readonly string[]) {
  const parsed = withAdminOptions(
    yargs([...argv.slice(1)])
      .option('config', { type: 'string', demandOption: true })
      .strict(),
  ).parseSync();
  return { config: parsed.config, adminAddress: parsed['admin-address'], admin: parsed.admin };
}

describe('anyvip standalone without yargs: the plain form only, the same answers', () => {
  const taken: readonly (readonly string[])[] = [
    ['standalone', '--config', '/etc/anyvip.yaml'],
    ['standalone', '--config=/etc/anyvip.yaml'],
    ['standalone', '--config', 'a.yaml', '--admin-address', '127.0.0.1:9000'],
    ['standalone', '--admin-address=[::1]:9716', '--config', 'a.yaml'],
    ['standalone', '--config', 'a.yaml', '--no-admin'],
    ['standalone', '--config', 'a.yaml', '--admin'],
    ['standalone', '--config', 'a.yaml', '--admin-address', ''],
  ];
  it.each(taken)('%s … is parsed as yargs parses it', (...argv) => {
    const fast = standaloneFastArgs(argv);
    expect(fast).toBeDefined();
    expect(fast).toEqual(viaYargs(argv));
  });

  const left: readonly (readonly string[])[] = [
    ['standalone'],
    ['standalone', '--help'],
    ['standalone', '--version'],
    ['standalone', '--config'],
    ['standalone', '--config', 'a.yaml', '--bogus'],
    ['standalone', '--config', 'a.yaml', 'extra'],
    ['standalone', '--config', 'a.yaml', '--config', 'b.yaml'],
    ['standalone', '--adminAddress', '127.0.0.1:9000', '--config', 'a.yaml'],
    ['standalone', '--config', 'a.yaml', '--admin=false'],
    ['standalone', '--config', 'a.yaml', '--'],
    ['standalone', '-c', 'a.yaml'],
    ['validate', '--config', 'a.yaml'],
    ['run', '--node-name', 'n1'],
    [],
  ];
  it.each(left)('%s … is left to yargs', (...argv) => {
    expect(standaloneFastArgs(argv)).toBeUndefined();
  });
});
