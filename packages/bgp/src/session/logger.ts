/** Structured fields of one log entry: peer, prefix, reason, counts… Values must be JSON-serialisable. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The logger the speaker writes through. It is injected (the controller adapts
 * winston to it; the CLI prints events instead), so the bgp package carries no
 * logging library. Each call is one structured entry: a short constant message and
 * fields, never a message with values spliced in.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A logger that drops everything: the default. */
export const silentLogger: Logger = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
});
