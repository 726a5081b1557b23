import { describe, expect, it } from 'vitest';
import {
  formatTable,
  type JsonReport,
  type PassOutcome,
  passRates,
} from '../../../../scripts/interop-repeat.js';

const root = '/repo';
const file = '/repo/packages/bgp/test/interop/x.interop.test.ts';

function pass(tests: Record<string, string>, fileStatus = 'passed', message?: string): PassOutcome {
  const report: JsonReport = {
    testResults: [
      {
        name: file,
        status: fileStatus,
        ...(message !== undefined ? { message } : {}),
        assertionResults: Object.entries(tests).map(([title, status]) => ({
          ancestorTitles: ['suite'],
          title,
          status,
        })),
      },
    ],
  };
  return { kind: 'report', report };
}

const key = (t: string) => `packages/bgp/test/interop/x.interop.test.ts › suite › ${t}`;

describe('interop-repeat pass rates', () => {
  it('counts each test over every pass, worst first', () => {
    const rates = passRates(
      [
        pass({ a: 'passed', b: 'passed' }),
        pass({ a: 'failed', b: 'passed' }, 'failed'),
        pass({ a: 'passed', b: 'passed' }),
      ],
      root,
    );
    expect(rates).toEqual([
      { key: key('a'), passed: 2, runs: 3, failedIn: [2] },
      { key: key('b'), passed: 3, runs: 3, failedIn: [] },
    ]);
  });

  it('counts a test skipped or absent in one pass as not passed there, never as a pass', () => {
    const rates = passRates([pass({ a: 'passed' }), pass({ a: 'skipped' }), pass({})], root);
    expect(rates).toEqual([{ key: key('a'), passed: 1, runs: 3, failedIn: [2, 3] }]);
  });

  it('reports a test that no pass ran as skipped, not as a failure', () => {
    const rates = passRates([pass({ a: 'skipped' }), pass({ a: 'skipped' })], root);
    expect(rates).toEqual([{ key: key('a'), passed: 0, runs: 0, failedIn: [] }]);
    expect(formatTable(rates)).toContain('skipped');
  });

  it('fails every test of a pass that left no report, and a file that failed outside its tests', () => {
    const rates = passRates(
      [
        pass({ a: 'passed' }),
        { kind: 'noReport', reason: 'killed after 30 min' },
        pass({ a: 'skipped' }, 'failed', 'Error: Hook timed out'),
      ],
      root,
    );
    expect(rates).toEqual([
      {
        key: 'packages/bgp/test/interop/x.interop.test.ts › (file)',
        passed: 1,
        runs: 3,
        failedIn: [2, 3],
      },
      { key: key('a'), passed: 1, runs: 3, failedIn: [2, 3] },
    ]);
  });

  it('prints file › test and passed/runs', () => {
    const text = formatTable([{ key: key('a'), passed: 19, runs: 20, failedIn: [7] }]);
    expect(text.split('\n')[1]).toMatch(/x\.interop\.test\.ts › suite › a\s+19\/20\s+7$/);
  });
});
