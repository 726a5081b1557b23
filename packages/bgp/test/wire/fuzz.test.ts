import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR } from '../support/corpus.js';
import { BUILTIN_SEEDS, collectSeeds, fuzz, loopMisbehaviour, misbehaviour } from './fuzz-engine.js';

const corpusDir = CORPUS_DIR;
const regressionsDir = resolve(import.meta.dirname, 'regressions');
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);

describe('fuzzing: mutated corpus messages give a value or a WireError, never another exception', () => {
  it(`survives ${ITERATIONS} mutations (bit flips, inserts, deletes, length tweaks, truncation, splices; seed ${SEED})`, () => {
    const corpusSeeds = collectSeeds(corpusDir, 120);
    const seeds = corpusSeeds.length > 0 ? corpusSeeds : [...BUILTIN_SEEDS];
    const report = fuzz(seeds, ITERATIONS, SEED, regressionsDir);
    console.log(
      `fuzz: ${report.iterations} inputs, ${report.decodes} decodes, ${seeds.length} seeds, ${(report.ms / 1000).toFixed(1)} s, ${report.failures.length} failures`,
    );
    expect(report.failures, `saved under test/wire/regressions/; replay with FUZZ_SEED=${SEED}`).toEqual([]);
  });
});

describe('fuzz regressions (test/wire/regressions/*.bin): inputs that once broke the codec', () => {
  const files = existsSync(regressionsDir)
    ? readdirSync(regressionsDir).filter((f) => f.endsWith('.bin'))
    : [];
  it('are all replayed through the codec and the decode loop', () => {
    for (const f of files) {
      const input = readFileSync(join(regressionsDir, f));
      expect(misbehaviour(input), f).toBeUndefined();
      expect(loopMisbehaviour([input]), f).toEqual([]);
    }
  });
});
