import { dirname } from 'node:path';
import type { ControllerConfig } from './config/schema.js';

// getBuiltinModule, not an ES module import of node:fs: that reads every export, and the
// `promises` getter loads fs/promises with readline and the REPL history (~1.2 MB RSS).
const { mkdirSync, readFileSync, rmSync, writeFileSync } = process.getBuiltinModule('node:fs');

/** Where a planned restart leaves its mark unless `bgp.restartStateFile` says otherwise. */
export const DEFAULT_RESTART_STATE_FILE = '/run/anyvip/graceful-restart';

/**
 * The mark a planned restart (SIGUSR2) leaves for the next process, so that it sets the
 * Graceful Restart R bit (RFC 4724 §3: "the BGP speaker has restarted"). It holds the
 * time it was written; a mark older than the longest advertised restart time is stale
 * (the routers have given up on us by then) and ignored.
 */
export function writeRestartMark(file: string, nowMs: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ closedForRestartAtMs: nowMs })}\n`);
}

/**
 * Reads and removes the mark; true when it is younger than the longest restart time of
 * the peers with Graceful Restart. A missing or unreadable mark is false.
 */
export function takeRestartMark(config: ControllerConfig, nowMs: number): boolean {
  const bgp = config.bgp;
  if (bgp === undefined) return false;
  const file = bgp.restartStateFile ?? DEFAULT_RESTART_STATE_FILE;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  const maxRestartSec = Math.max(0, ...bgp.peers.map((p) => p.gracefulRestart?.restartTimeSec ?? 0));
  try {
    const at = (JSON.parse(text) as { closedForRestartAtMs?: unknown }).closedForRestartAtMs;
    return typeof at === 'number' && nowMs - at >= 0 && nowMs - at <= maxRestartSec * 1000;
  } catch {
    return false;
  }
}
