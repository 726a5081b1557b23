/**
 * Last-resort cleanup when the test process exits without running its hooks (a crash,
 * Ctrl-C, a worker being torn down). Normal teardown goes through `destroy()` /
 * `stop()` in afterEach; those unregister what they removed, so what is left here is
 * exactly what this process created and has not yet removed: processes by PID and
 * namespaces and directories by the exact name created. Nothing is matched by pattern.
 */

/** A synchronous undo for one resource; must not throw. */
export type EmergencyCleanup = () => void;

const pending = new Map<number, { label: string; undo: EmergencyCleanup }>();
let nextId = 1;
let installed = false;

function runAll(): void {
  // Newest first: processes are registered after the namespace they live in.
  const entries = [...pending.entries()].reverse();
  pending.clear();
  for (const [, entry] of entries) {
    try {
      entry.undo();
    } catch {
      // Best effort: one failure must not keep the rest from running.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      runAll();
      // Adding a listener removed the default "terminate" action; restore it.
      process.kill(process.pid, signal);
    });
  }
}

/**
 * Registers `undo` to run if the process exits first; returns the function that
 * unregisters it (call it once the resource has been removed normally).
 */
export function registerEmergencyCleanup(label: string, undo: EmergencyCleanup): () => void {
  install();
  const id = nextId++;
  pending.set(id, { label, undo });
  return () => {
    pending.delete(id);
  };
}

/** Labels of resources still registered; a test can assert this is empty after teardown. */
export function pendingCleanups(): string[] {
  return [...pending.values()].map((e) => e.label);
}
