import { assertNever } from '../../assert-never.js';
import type { ControllerEvent } from '../../events.js';
import type { ListWatchEvent } from './list-watch.js';

/**
 * What every observer does with a {@link ListWatchEvent}: a first list and an error become
 * controller events (status, metrics, readiness), and any change of the cache asks for a pass.
 */
export function reportListWatchEvent(
  e: ListWatchEvent,
  report: (event: ControllerEvent) => void,
  changed: () => void,
): void {
  switch (e.kind) {
    case 'synced':
      report({ kind: 'kubernetesSynced', resource: e.resource, items: e.items });
      changed();
      return;
    case 'changed':
      changed();
      return;
    case 'error':
      report({ kind: 'kubernetesError', resource: e.resource, reason: e.reason, retryInMs: e.retryInMs });
      return;
    default:
      assertNever(e);
  }
}
