import { loadConfigFile } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { AnyvipError, describeError } from '../errors.js';

/** What a read of the file gave: a valid configuration, or why not. */
export type FileSourceEvent =
  | { readonly kind: 'config'; readonly config: ControllerConfig }
  | { readonly kind: 'error'; readonly error: AnyvipError };

/** Where SIGHUP comes from; `process` in production. */
export interface SignalSource {
  on(signal: 'SIGHUP', listener: () => void): unknown;
  off(signal: 'SIGHUP', listener: () => void): unknown;
}

/**
 * Standalone mode's source: the configuration file, read at start and again on every SIGHUP.
 * It observes and never decides: each read yields a validated configuration or an error, and
 * the runtime chooses what to do with it (apply as a diff, or refuse and keep the old one).
 * Reads are serialised; SIGHUPs that arrive during a read cause one more read after it.
 */
export class FileSource {
  readonly path: string;
  readonly #signals: SignalSource;
  readonly #load: (path: string) => Promise<ControllerConfig>;
  #reading: Promise<void> | undefined;
  #again = false;

  constructor(
    path: string,
    deps: {
      readonly signals?: SignalSource;
      readonly load?: (path: string) => Promise<ControllerConfig>;
    } = {},
  ) {
    this.path = path;
    this.#signals = deps.signals ?? process;
    this.#load = deps.load ?? loadConfigFile;
  }

  /** Reads and validates the file. @throws AnyvipError */
  read(): Promise<ControllerConfig> {
    return this.#load(this.path);
  }

  /** Reads the file and reports the outcome; never throws. */
  async poll(): Promise<FileSourceEvent> {
    try {
      return { kind: 'config', config: await this.read() };
    } catch (err) {
      const error =
        err instanceof AnyvipError ? err : new AnyvipError('ANYVIP_CONFIG_UNREADABLE', describeError(err));
      return { kind: 'error', error };
    }
  }

  /** Calls `listener` with the outcome of a read after each SIGHUP; returns an unsubscribe. */
  watch(listener: (event: FileSourceEvent) => void): () => void {
    const onHup = (): void => {
      if (this.#reading !== undefined) {
        this.#again = true;
        return;
      }
      this.#reading = (async () => {
        do {
          this.#again = false;
          listener(await this.poll());
        } while (this.#again);
      })().finally(() => {
        this.#reading = undefined;
      });
    };
    this.#signals.on('SIGHUP', onHup);
    return () => {
      this.#signals.off('SIGHUP', onHup);
    };
  }
}
