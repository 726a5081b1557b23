import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintDockerfile, parseDockerfile } from '../../../../scripts/dockerfile-lint.js';

const root = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));

describe('Dockerfile', () => {
  it('passes the linter (scripts/dockerfile-lint.ts; no Docker engine runs here)', async () => {
    expect(lintDockerfile(await readFile(root('Dockerfile'), 'utf8'))).toEqual([]);
  });

  it('runs as UID 0 (the pod drops every capability but NET_ADMIN), keeps iproute2, puts anyvip on PATH', async () => {
    const ins = parseDockerfile(await readFile(root('Dockerfile'), 'utf8'));
    const runtime = ins.slice(ins.findLastIndex((i) => i.keyword === 'FROM'));
    expect(runtime.find((i) => i.keyword === 'USER')?.args).toBe('0:0');
    const run = runtime
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join(' ');
    expect(run).toContain('install -y --no-install-recommends iproute2');
    expect(run).toContain('ip -V');
    expect(run).not.toMatch(/setcap|libcap2-bin|purge/);
    expect(run).toContain('ln -s /app/dist/bundle/anyvip.mjs /usr/local/bin/anyvip');
    expect(runtime.find((i) => i.keyword === 'ENTRYPOINT')?.args).toBe('["/usr/local/bin/anyvip"]');
    // The real proof is container.interop.test.ts, which builds and runs the image.
  });

  it('builds the TCP-MD5/GTSM addon or fails, and carries it into /out (it is not in the package files)', async () => {
    const ins = parseDockerfile(await readFile(root('Dockerfile'), 'utf8'));
    const build = ins.slice(
      0,
      ins.findLastIndex((i) => i.keyword === 'FROM'),
    );
    const run = build
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join(' ');
    expect(run).toContain('ANYVIP_TCP_AUTH_REQUIRED=1 pnpm -r');
    expect(run).toContain('cp packages/tcp-auth/build/tcp_auth.node');
    expect(build.some((i) => i.keyword === 'COPY' && i.args === 'packages/tcp-auth packages/tcp-auth')).toBe(
      true,
    );
  });

  it('the linter catches what it is for', () => {
    const bad = [
      'FROM node:latest',
      'RUN apt-get install curl',
      'RUN cd /x && sudo make',
      'ADD . /src',
      'WORKDIR src',
      'RUN pnpm install',
      'COPY --from=builder /out /app',
      'RUN setcap cap_net_admin+ep /usr/bin/ip && apt-get purge -y libcap2-bin',
      'ENTRYPOINT node main.js',
    ].join('\n');
    expect(
      lintDockerfile(bad)
        .map((p) => p.rule)
        .sort(),
    ).toEqual(
      [
        'AV002',
        'AV003',
        'AV004',
        'AV005',
        'AV007',
        'AV008',
        'AV009',
        'DL3000',
        'DL3003',
        'DL3004',
        'DL3007',
        'DL3009',
        'DL3014',
        'DL3015',
        'DL3020',
        'DL3022',
        'DL3025',
      ].sort(),
    );
  });

  it('joins continuation lines and skips comments inside them', () => {
    const ins = parseDockerfile('FROM a:1 AS b\nRUN x \\\n # note\n && y\n');
    expect(ins).toEqual([
      { line: 1, keyword: 'FROM', args: 'a:1 AS b' },
      { line: 2, keyword: 'RUN', args: 'x && y' },
    ]);
  });
});
