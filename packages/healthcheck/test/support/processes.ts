import { readFileSync } from 'node:fs';

/**
 * Whether a process is alive: it exists and is not a zombie. A killed grandchild is reparented
 * to PID 1 (or a subreaper), which may reap it late or never; a zombie runs no code.
 */
export function isAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // Field 3, after the parenthesised command name (which may itself contain spaces).
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** Polls until `pid` is dead, up to `withinMs`; returns whether it died. */
export async function diesWithin(pid: number, withinMs: number): Promise<boolean> {
  const end = Date.now() + withinMs;
  while (Date.now() < end) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return !isAlive(pid);
}
