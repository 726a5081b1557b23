import { LocalProtocolError } from '../../src/wire/errors.js';

/** The `code` of the LocalProtocolError `f` throws, undefined if it returns; any other error is rethrown. */
export function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof LocalProtocolError) return e.code;
    throw e;
  }
  return undefined;
}
