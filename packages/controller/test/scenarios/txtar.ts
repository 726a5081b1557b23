/**
 * The txtar archive format (Go's golang.org/x/tools/txtar, as Cilium's scenario files use it):
 * a free-text comment (here: the script), then files, each introduced by a line `-- NAME --`.
 */
export interface Txtar {
  readonly comment: string;
  readonly files: { name: string; data: string }[];
}

const MARKER = /^-- (.+) --$/;

export function parseTxtar(text: string): Txtar {
  const lines = text.split('\n');
  const comment: string[] = [];
  const files: { name: string; data: string }[] = [];
  let current: { name: string; lines: string[] } | undefined;
  const close = (): void => {
    if (current !== undefined) files.push({ name: current.name, data: current.lines.join('\n') });
  };
  for (const line of lines) {
    const m = MARKER.exec(line);
    if (m?.[1] !== undefined) {
      close();
      current = { name: m[1], lines: [] };
    } else if (current === undefined) comment.push(line);
    else current.lines.push(line);
  }
  close();
  return {
    comment: comment.join('\n'),
    files: files.map((f) => ({ name: f.name, data: f.data.endsWith('\n') ? f.data : `${f.data}\n` })),
  };
}

export function formatTxtar(t: Txtar): string {
  const body = t.files.map((f) => `-- ${f.name} --\n${f.data.replace(/\n*$/, '\n')}`).join('');
  return `${t.comment.replace(/\n*$/, '\n')}${body}`;
}
