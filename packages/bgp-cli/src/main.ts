#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type DecodeOptions, decodeInput, type InputFormat } from '@anyvip/bgp/decode';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { bunzip2 } from './bunzip2.js';
import { speakCommand } from './speak.js';

/** Where decoded records go: JSON Lines, batched into large writes, honouring back-pressure. */
export interface LineSink {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

const BATCH_CHARS = 1 << 16;

/** Writes every record of `records` as one JSON line to `out`. Returns how many records were written. */
export async function writeJsonLines(records: Iterable<object>, out: LineSink): Promise<number> {
  let batch = '';
  let count = 0;
  for (const r of records) {
    batch += `${JSON.stringify(r)}\n`;
    count++;
    if (batch.length >= BATCH_CHARS) {
      const ok = out.write(batch);
      batch = '';
      if (!ok) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
  }
  if (batch.length > 0) out.write(batch);
  return count;
}

async function readInput(file: string | undefined): Promise<Uint8Array> {
  if (file !== undefined && file !== '-') return readFileSync(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const formats: readonly InputFormat[] = ['auto', 'hex', 'raw', 'pcap', 'mrt'];

/**
 * The `anyvip-bgp` command line. `decode` turns captures, MRT dumps, raw BGP
 * streams or hex into JSON Lines, one object per message; further subcommands
 * (`speak`: one BGP session from flags) join it here.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  await yargs(argv as string[])
    .scriptName('anyvip-bgp')
    .command(
      'decode [file]',
      'Decode BGP messages (pcap/pcapng, MRT, raw stream, hex; .gz/.bz2) to JSON Lines',
      (y) =>
        y
          .positional('file', {
            type: 'string',
            describe: 'Input file, or - for standard input',
            default: '-',
          })
          .option('format', {
            type: 'string',
            choices: formats,
            default: 'auto',
            describe: 'Input format (auto detects pcap/pcapng, MRT, raw BGP, hex text)',
          })
          .option('port', {
            type: 'number',
            array: true,
            default: [179],
            describe: 'TCP port(s) carrying BGP in captures',
          })
          .option('asn-size', {
            type: 'string',
            choices: ['auto', '2', '4'],
            default: 'auto',
            describe: 'AS number size for sessions whose OPENs are not in the input',
          })
          .option('add-path', {
            type: 'string',
            choices: ['auto', 'on', 'off'],
            default: 'auto',
            describe: 'ADD-PATH for sessions whose OPENs are not in the input',
          }),
      async (args) => {
        let input: Uint8Array;
        try {
          input = await readInput(args.file);
        } catch (e) {
          process.stderr.write(
            `anyvip-bgp: cannot read ${args.file}: ${e instanceof Error ? e.message : String(e)}\n`,
          );
          exitCode = 2;
          return;
        }
        const options: DecodeOptions = {
          format: args.format as InputFormat,
          ports: args.port,
          asnSize: args['asn-size'] === '2' ? 2 : args['asn-size'] === '4' ? 4 : 'auto',
          addPath: args['add-path'] as 'auto' | 'on' | 'off',
          bunzip2,
        };
        await writeJsonLines(decodeInput(input, options), process.stdout);
      },
    )
    .command(speakCommand)
    .demandCommand(1, 'Name a command: decode')
    .strict()
    .help()
    .parseAsync();
  return exitCode;
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(hideBin(process.argv)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`anyvip-bgp: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
