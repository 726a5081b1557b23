/**
 * How the lab demo writes to the terminal: numbered step headers, indented detail lines,
 * traffic shares as bars. Colour only on a terminal, and never with NO_COLOR set.
 */

const colour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const sgr =
  (code: string) =>
  (text: string): string =>
    colour ? `\u001b[${code}m${text}\u001b[0m` : text;

/** Step headers and key figures. */
export const bold = sgr('1');
/** Commands shown and secondary detail. */
export const dim = sgr('2');
/** Success. */
export const green = sgr('32');
/** Failure. */
export const red = sgr('31');
/** Worth a look, not a failure (e.g. requests that failed during a route change). */
export const yellow = sgr('33');

/** What the client counted over a window: responses by backend name, failures by code. */
export interface Tally {
  readonly ok: ReadonlyMap<string, number>;
  readonly errors: ReadonlyMap<string, number>;
}

/** Sums the client's JSON report lines. */
export function tally(lines: readonly string[]): Tally {
  const ok = new Map<string, number>();
  const errors = new Map<string, number>();
  for (const line of lines) {
    let report: { ok?: Record<string, number>; errors?: Record<string, number> };
    try {
      report = JSON.parse(line) as typeof report;
    } catch {
      continue;
    }
    for (const [k, n] of Object.entries(report.ok ?? {})) ok.set(k, (ok.get(k) ?? 0) + n);
    for (const [k, n] of Object.entries(report.errors ?? {})) errors.set(k, (errors.get(k) ?? 0) + n);
  }
  return { ok, errors };
}

function sum(m: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

/** Responses per node: a backend `node1/pod1a` counts for `node1`. */
export function perNode(t: Tally, nodes: readonly string[]): Map<string, number> {
  const out = new Map<string, number>(nodes.map((n) => [n, 0]));
  for (const [name, n] of t.ok) {
    const node = name.split('/')[0] ?? name;
    out.set(node, (out.get(node) ?? 0) + n);
  }
  return out;
}

/** Shares as `node1 42.0%` … in one line, for the summary. */
export function sharesInline(t: Tally, nodes: readonly string[]): string {
  const byNode = perNode(t, nodes);
  const total = sum(t.ok);
  return [...byNode].map(([node, n]) => `${node} ${percent(n, total)}`).join('  ');
}

function percent(n: number, total: number): string {
  return `${total === 0 ? '0.0' : ((100 * n) / total).toFixed(1)}%`;
}

/** One bar per node (and its pods, if any answered), then the error count. */
export function shareLines(t: Tally, nodes: readonly string[]): string[] {
  const byNode = perNode(t, nodes);
  const total = sum(t.ok);
  const width = 40;
  const lines: string[] = [];
  for (const [node, n] of byNode) {
    const cells = total === 0 ? 0 : Math.round((width * n) / total);
    const bar = `${'█'.repeat(cells)}${dim('·'.repeat(width - cells))}`;
    const pods = [...t.ok]
      .filter(([name]) => name.startsWith(`${node}/`))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, c]) => `${name.slice(node.length + 1)} ${c}`);
    const detail = pods.length > 0 ? `  ${dim(`(${pods.join(', ')})`)}` : '';
    lines.push(
      `${node.padEnd(6)} ${bar} ${percent(n, total).padStart(6)}  ${String(n).padStart(5)}${detail}`,
    );
  }
  const failed = sum(t.errors);
  const kinds = [...t.errors].map(([k, n]) => `${k} ${n}`).join(', ');
  lines.push(
    `${total + failed} requests, ${failed === 0 ? green('0 errors') : yellow(`${failed} errors (${kinds})`)}`,
  );
  return lines;
}

/** `1234.5` → `1235 ms`. */
export function ms(n: number): string {
  return `${Math.round(n)} ms`;
}

/** Writes a step header: `[3/8] Starting the nodes`. */
export function header(step: number, steps: number, title: string): void {
  console.log(`\n${bold(`[${step}/${steps}] ${title}`)}`);
}

/** Writes indented detail lines. */
export function say(...lines: string[]): void {
  for (const l of lines) for (const part of l.split('\n')) console.log(`      ${part}`);
}
