/**
 * Starting a daemon inside a lab node in one call, with teardown tied to the lab.
 */
import { assertNever } from '../../../src/wire/assert-never.js';
import type { Lab } from './netns.js';
import { BirdDaemon } from './peers/bird.js';
import type { BgpDaemon, DaemonConfig, DaemonKind } from './peers/daemon.js';
import { ExabgpDaemon } from './peers/exabgp.js';
import { FrrDaemon } from './peers/frr.js';
import { GobgpDaemon } from './peers/gobgp.js';

/** DaemonConfig without the fields the lab fills in. */
export type NodeDaemonConfig = Omit<DaemonConfig, 'ns' | 'dir'>;

interface DaemonClasses {
  bird: BirdDaemon;
  frr: FrrDaemon;
  gobgp: GobgpDaemon;
  exabgp: ExabgpDaemon;
}

/** Makes (without starting) a daemon of `kind`. */
export function makeDaemon<K extends DaemonKind>(kind: K, config: DaemonConfig): DaemonClasses[K];
export function makeDaemon(kind: DaemonKind, config: DaemonConfig): BgpDaemon {
  switch (kind) {
    case 'bird':
      return new BirdDaemon(config);
    case 'frr':
      return new FrrDaemon(config);
    case 'gobgp':
      return new GobgpDaemon(config);
    case 'exabgp':
      return new ExabgpDaemon(config);
    default:
      return assertNever(kind);
  }
}

/**
 * Starts a daemon of `kind` in `node` of `lab`; `lab.destroy()` stops it. If it fails
 * to start, what it started is stopped before the error is rethrown.
 */
export async function startDaemon<K extends DaemonKind>(
  lab: Lab,
  node: string,
  kind: K,
  config: NodeDaemonConfig,
): Promise<DaemonClasses[K]> {
  const d = makeDaemon(kind, { ...config, ns: lab.nsOf(node), dir: lab.dir });
  lab.onDestroy(() => d.stop());
  try {
    await d.start();
  } catch (err) {
    const tail = d.logTail();
    await d.stop();
    throw new Error(
      `${kind} in ${node} failed to start: ${err instanceof Error ? err.message : String(err)}\n${tail}`,
    );
  }
  return d;
}
