import { describe, expect, it } from 'vitest';
import { HealthGate } from '../../src/observe/health-gate.js';

describe('HealthGate', () => {
  it('knows nothing about a check before its first transition', () => {
    expect(new HealthGate().get('api')).toBeUndefined();
  });

  it('records transitions and whether anything changed', () => {
    const g = new HealthGate();
    expect(g.observe('api', 'up')).toBe(true);
    expect(g.observe('api', 'up')).toBe(false);
    expect(g.get('api')).toEqual({ state: 'up', everUp: true });
    expect(g.observe('api', 'down')).toBe(true);
    expect(g.get('api')).toEqual({ state: 'down', everUp: true });
  });

  it('keeps everUp false until the first up, and sticky afterwards', () => {
    const g = new HealthGate();
    g.observe('api', 'down');
    expect(g.get('api')).toEqual({ state: 'down', everUp: false });
    g.observe('api', 'up');
    g.observe('api', 'unknown');
    expect(g.get('api')).toEqual({ state: 'unknown', everUp: true });
  });

  it('forgets a removed check', () => {
    const g = new HealthGate();
    g.observe('api', 'up');
    g.forget('api');
    expect(g.lookup('api')).toBeUndefined();
  });
});
