/**
 * A long fuzzing run of the codec and the decode loop (the short run is
 * test/wire/fuzz.test.ts). Inputs that throw anything but WireError are saved
 * under test/wire/regressions/<sha256>.bin, which fuzz.test.ts replays forever.
 *
 * Usage (from packages/bgp):
 *   node --import ./scripts/ts-resolve.mjs scripts/fuzz-long.ts [ITERATIONS=1000000] [SEED=random]
 */
import { resolve } from 'node:path';
import { CORPUS_DIR } from '../test/support/corpus.js';
import { BUILTIN_SEEDS, collectSeeds, fuzz } from '../test/wire/fuzz-engine.js';

const iterations = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 0xffffffff));
const here = import.meta.dirname;
const corpusDir = CORPUS_DIR;
const regressionsDir = resolve(here, '../test/wire/regressions');

const corpusSeeds = collectSeeds(corpusDir, 500);
const seeds = corpusSeeds.length > 0 ? corpusSeeds : [...BUILTIN_SEEDS];
console.log(`fuzz-long: ${iterations} inputs from ${seeds.length} seeds, seed ${seed}`);
const report = fuzz(seeds, iterations, seed, regressionsDir, {
  onProgress: (done) => console.log(`  ${done} inputs…`),
});
console.log(
  `fuzz-long: ${report.iterations} inputs, ${report.decodes} codec decodes, ${(report.ms / 1000).toFixed(1)} s, ${report.failures.length} failures`,
);
for (const f of report.failures) console.log(`  regressions/${f.file}: ${f.reason}`);
process.exitCode = report.failures.length > 0 ? 1 : 0;
