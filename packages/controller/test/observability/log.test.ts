import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bgpLogger, createLogger, logEvent } from '../../src/observability/log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', stream }) };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('log', () => {
  it('writes one JSON object per event, with vip, peer and reason as fields', async () => {
    const { lines, logger } = capture();
    logEvent(logger, {
      kind: 'applied',
      sink: 'bgp',
      action: 'remove',
      key: '10.250.255.1/32',
      what: 'withdrawn',
      vip: '10.250.255.1/32',
      health: 'down',
    });
    logEvent(logger, {
      kind: 'peerDown',
      peer: '10.250.0.1',
      reason: 'received CEASE/ADMINISTRATIVE_SHUTDOWN',
    });
    logEvent(logger, {
      kind: 'configRejected',
      source: '/etc/anyvip.yaml',
      code: 'ANYVIP_CONFIG_INVALID',
      reason: 'vips[0].address: bad',
    });
    await settle();
    expect(lines.map(({ timestamp: _, ...rest }) => rest)).toEqual([
      {
        level: 'info',
        message: 'withdrawn',
        sink: 'bgp',
        action: 'remove',
        vip: '10.250.255.1/32',
        health: 'down',
      },
      {
        level: 'warn',
        message: 'peer down',
        peer: '10.250.0.1',
        reason: 'received CEASE/ADMINISTRATIVE_SHUTDOWN',
      },
      {
        level: 'error',
        message: 'configuration refused; the previous one stays in force',
        source: '/etc/anyvip.yaml',
        code: 'ANYVIP_CONFIG_INVALID',
        reason: 'vips[0].address: bad',
      },
    ]);
    expect(typeof lines[0]?.timestamp).toBe('string');
  });

  it('logs a pools ConfigMap key that does not parse as a warning with its code, key and reason', async () => {
    const { lines, logger } = capture();
    logEvent(logger, {
      kind: 'poolRejected',
      configMap: 'kube-system/anyvip-pools',
      key: 'blue',
      code: 'ANYVIP_POOL_INVALID',
      reason: 'blue: "10.250.300.0/24" is not a CIDR or an A-B range',
    });
    await settle();
    expect(lines.map(({ timestamp: _, ...rest }) => rest)).toEqual([
      {
        level: 'warn',
        message: 'pools ConfigMap key refused; that pool is ignored',
        configMap: 'kube-system/anyvip-pools',
        key: 'blue',
        code: 'ANYVIP_POOL_INVALID',
        reason: 'blue: "10.250.300.0/24" is not a CIDR or an A-B range',
      },
    ]);
  });

  it('logs a BFD session going down as a warning with the RFC 5880 diagnostic as reason, probes at debug', async () => {
    const { lines, logger } = capture();
    logEvent(logger, {
      kind: 'bfdStateChanged',
      peer: '10.250.0.1',
      from: 'up',
      to: 'down',
      diagnostic: 'CONTROL_DETECTION_TIME_EXPIRED',
      bgpStopped: true,
    });
    logEvent(logger, {
      kind: 'probeResult',
      check: 'web',
      probe: 'http',
      ok: false,
      latencyMs: 80.04,
      reason: 'timeout',
    });
    await settle();
    expect(lines.map(({ timestamp: _, ...rest }) => rest)).toEqual([
      {
        level: 'warn',
        message: 'bfd down',
        peer: '10.250.0.1',
        from: 'up',
        reason: 'CONTROL_DETECTION_TIME_EXPIRED',
        bgpStopped: true,
      },
      {
        level: 'debug',
        message: 'probe',
        check: 'web',
        probe: 'http',
        ok: false,
        latencyMs: 80,
        reason: 'timeout',
      },
    ]);
  });

  it('adapts to @anyvip/bgp’s Logger, marking its lines component: bgp', async () => {
    const { lines, logger } = capture();
    bgpLogger(logger).info('session established', { peer: '10.250.0.1' });
    await settle();
    expect(lines[0]).toMatchObject({
      level: 'info',
      message: 'session established',
      peer: '10.250.0.1',
      component: 'bgp',
    });
  });

  it('drops a line below the level before formatting it, and follows a level changed later (reload)', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
        done();
      },
    });
    const logger = createLogger({ level: 'warn', stream });
    let formatted = 0;
    const fields = {
      get vip() {
        formatted++;
        return '10.250.255.1/32';
      },
    };
    logger.info('announced', fields);
    logger.log('debug', 'reconciled', fields);
    bgpLogger(logger).info('state change', { peer: '10.250.0.1' });
    logger.warn('healthcheck down', { check: 'web' });
    await settle();
    expect(formatted).toBe(0);
    expect(lines.map((l) => l.message)).toEqual(['healthcheck down']);
    logger.level = 'info';
    logger.info('announced', { vip: '10.250.255.1/32' });
    bgpLogger(logger).info('state change', { peer: '10.250.0.1' });
    await settle();
    expect(lines.slice(1)).toMatchObject([
      { level: 'info', message: 'announced', vip: '10.250.255.1/32' },
      { level: 'info', message: 'state change', peer: '10.250.0.1', component: 'bgp' },
    ]);
  });
});
