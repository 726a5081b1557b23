/**
 * A small Dockerfile linter for the rules that matter for anyvip's image (hadolint is not
 * reachable here). Rule ids name hadolint's equivalent where one exists. Pure: text in,
 * problems out. CLI: `node scripts/dockerfile-lint.ts [Dockerfile]` exits 1 on a problem.
 */

export interface DockerfileProblem {
  readonly rule: string;
  readonly line: number;
  readonly message: string;
}

interface Instruction {
  readonly line: number;
  readonly keyword: string;
  readonly args: string;
}

/** Instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = i + 1;
    let l = lines[i] ?? '';
    if (/^\s*(#|$)/.test(l)) continue;
    while (/\\\s*$/.test(l) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      l = `${l.replace(/\s*\\\s*$/, '')} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(l);
    if (m !== null) out.push({ line: first, keyword: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim() });
  }
  return out;
}

/** Every rule over a Dockerfile. `runtimeBase` is the image the last stage must start from. */
export function lintDockerfile(text: string, runtimeBase = 'node:24-bookworm-slim'): DockerfileProblem[] {
  const problems: DockerfileProblem[] = [];
  const add = (rule: string, line: number, message: string) => problems.push({ rule, line, message });
  const ins = parseDockerfile(text);
  const stages: string[] = [];
  let lastFrom: Instruction | undefined;
  let user: Instruction | undefined;
  for (const i of ins) {
    switch (i.keyword) {
      case 'FROM': {
        const [image = '', as, name] = i.args.split(/\s+/);
        if (!stages.includes(image) && !/[:@]/.test(image))
          add('DL3006', i.line, `pin the base image: ${image}`);
        if (image.endsWith(':latest')) add('DL3007', i.line, `do not use :latest (${image})`);
        if (as?.toUpperCase() === 'AS' && name !== undefined) stages.push(name);
        lastFrom = i;
        user = undefined;
        break;
      }
      case 'USER':
        user = i;
        break;
      case 'RUN': {
        const cmd = i.args;
        if (/(^|[;&|]\s*)sudo\s/.test(cmd)) add('DL3004', i.line, 'do not use sudo');
        if (/(^|[;&|]\s*)cd\s/.test(cmd)) add('DL3003', i.line, 'use WORKDIR instead of cd');
        if (/\b(curl|wget)\b[^|]*\|\s*(ba|z)?sh\b/.test(cmd))
          add('AV001', i.line, 'do not pipe a download into a shell');
        if (/apt-get\s+install/.test(cmd)) {
          if (!/--no-install-recommends/.test(cmd))
            add('DL3015', i.line, 'apt-get install --no-install-recommends');
          if (!/\s-y\b|--yes|--assume-yes/.test(cmd)) add('DL3014', i.line, 'apt-get install -y');
          if (!/apt-get\s+update/.test(cmd))
            add('AV002', i.line, 'apt-get update in the same RUN as install');
          if (!/rm -rf \/var\/lib\/apt\/lists/.test(cmd))
            add('DL3009', i.line, 'remove /var/lib/apt/lists in the same RUN');
        } else if (/apt-get\s+update/.test(cmd))
          add('AV002', i.line, 'apt-get update without install in the same RUN');
        // File capabilities and setuid bits do not work under Kubernetes' capability sets for
        // a non-root user, and `apt-get purge libcap2-bin` took iproute2 with it once.
        if (/\bsetcap\b|chmod\s+[ugo]*\+s\b|chmod\s+[0-7]?[4-7][0-7]{3}\b/.test(cmd))
          add('AV008', i.line, 'no file capabilities or setuid bits: the pod grants NET_ADMIN to UID 0');
        if (/apt-get\s+(purge|remove|autoremove)/.test(cmd))
          add(
            'AV009',
            i.line,
            'apt-get purge/remove/autoremove can take iproute2 with it (it did: libcap2-bin)',
          );
        if (/pnpm\s+install/.test(cmd) && !/--frozen-lockfile/.test(cmd))
          add('AV003', i.line, 'pnpm install --frozen-lockfile (the image is built from the lockfile)');
        break;
      }
      case 'ADD':
        if (!/^(--\S+\s+)*(https?:|git@)/.test(i.args)) add('DL3020', i.line, 'use COPY for local files');
        break;
      case 'COPY': {
        const from = /--from=(\S+)/.exec(i.args)?.[1];
        if (from !== undefined && !stages.includes(from) && !/^\d+$/.test(from))
          add('DL3022', i.line, `COPY --from=${from} names no earlier stage`);
        break;
      }
      case 'WORKDIR':
        if (!i.args.startsWith('/') && !i.args.startsWith('$'))
          add('DL3000', i.line, 'WORKDIR must be absolute');
        break;
      case 'ENTRYPOINT':
      case 'CMD':
        if (!i.args.startsWith('[')) add('DL3025', i.line, `${i.keyword} in exec (JSON) form`);
        // Our privilege model is root with every capability but NET_ADMIN dropped by the pod
        // (docs/container.md), not hadolint's DL3002 non-root USER: name the user explicitly.
        if (i.keyword === 'ENTRYPOINT' && user === undefined)
          add('AV007', i.line, 'the final stage must name its USER before ENTRYPOINT (docs/container.md)');
        break;
      default:
        break;
    }
  }
  if (lastFrom === undefined) add('AV004', 1, 'no FROM');
  else {
    const image = lastFrom.args.split(/\s+/)[0];
    if (image !== runtimeBase)
      add('AV004', lastFrom.line, `the runtime stage must start from ${runtimeBase}, not ${image}`);
    if (stages.length < 2) add('AV005', lastFrom.line, 'build in a separate stage (multi-stage build)');
  }
  if (!ins.some((i) => i.keyword === 'ENTRYPOINT')) add('AV006', 1, 'no ENTRYPOINT');
  return problems;
}

const self = import.meta.url === `file://${process.argv[1]}`;
if (self) {
  const { readFileSync } = await import('node:fs');
  const path = process.argv[2] ?? 'Dockerfile';
  const problems = lintDockerfile(readFileSync(path, 'utf8'));
  for (const p of problems) process.stdout.write(`${path}:${p.line} ${p.rule} ${p.message}\n`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
