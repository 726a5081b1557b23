import { formatDuration } from '../duration.js';

/** The outcome of one probe run. */
export interface ProbeResult {
  /** The target passed this probe. */
  readonly ok: boolean;
  /** From the start of the run to its outcome, on the check's monotonic clock. */
  readonly latencyMs: number;
  /** Human-readable and stable enough to alert on: `HTTP 503 (expected 200-399)`, `exit 2: …`. */
  readonly reason: string;
}

/**
 * One way of asking a target whether it is healthy. `run` never throws: every fault (refused,
 * reset, bad status, timeout) is a result with `ok: false` and a reason. When `signal` aborts,
 * the probe stops at once: sockets are destroyed, process groups killed, and the promise
 * settles promptly.
 */
export interface Probe {
  /** Short and unique within a check: `http https://127.0.0.1:6443/livez`, `tcp 127.0.0.1:80`. */
  readonly name: string;
  run(signal: AbortSignal): Promise<ProbeResult>;
}

/** The abort reason a check uses when a probe overruns its timeout. */
export class ProbeTimeout extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`timeout after ${formatDuration(timeoutMs)}`);
    this.name = 'ProbeTimeout';
    this.timeoutMs = timeoutMs;
  }
}

/** The abort reason a check uses when it is stopped while a probe runs. */
export class CheckStopped extends Error {
  constructor() {
    super('check stopped');
    this.name = 'CheckStopped';
  }
}

/** Why `signal` aborted, for a reason string: `timeout after 2s`, `check stopped`, `aborted`. */
export function describeAbort(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof ProbeTimeout || reason instanceof CheckStopped) return reason.message;
  return 'aborted';
}

/**
 * A Node error as a short reason: the message, prefixed with its code when the message does not
 * already name it (`CERT_HAS_EXPIRED: certificate has expired`, `connect ECONNREFUSED 127.0.0.1:1`).
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  // OpenSSL errors carry a raw error-queue line as message and the readable part as `reason`.
  const reason: unknown = (err as { reason?: unknown }).reason;
  const message = typeof reason === 'string' && err.message.includes(':error:') ? reason : err.message;
  if (typeof code === 'string' && !message.includes(code)) return `${code}: ${message}`;
  return message;
}

/** Collapses output or a body to one short line for a reason. */
export function snippet(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
