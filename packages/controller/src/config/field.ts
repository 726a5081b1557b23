import { parseDuration } from '@anyvip/healthcheck';
import { invalidConfig } from '../errors.js';

/**
 * Readers for one configuration field each: they take the raw value (parsed YAML or JSON) and
 * its path (`bgp.peers[0].asn`), and return a typed value or throw `ANYVIP_CONFIG_INVALID`
 * naming that path and saying what was expected and what was found.
 */

/** A parsed YAML mapping. */
export type RawObject = { readonly [key: string]: unknown };

/** `input` as a mapping. */
export function object(input: unknown, path: string): RawObject {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidConfig(`must be a mapping, got ${describe(input)}`, path);
  }
  return input as RawObject;
}

/** Refuses keys outside `keys`: a typo must not be silently ignored. */
export function known(o: RawObject, path: string, keys: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!keys.includes(key)) {
      throw invalidConfig(`unknown field (expected one of: ${keys.join(', ')})`, join(path, key));
    }
  }
}

/** `path.key`, or `key` at the top. */
export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Whether a field is absent (missing or YAML `null`/`~`). */
export function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function list(input: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(input)) throw invalidConfig(`must be a list, got ${describe(input)}`, path);
  return input;
}

export function string(input: unknown, path: string): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw invalidConfig(`must be a non-empty string, got ${describe(input)}`, path);
  }
  return input.trim();
}

export function boolean(input: unknown, path: string): boolean {
  if (typeof input !== 'boolean') throw invalidConfig(`must be true or false, got ${describe(input)}`, path);
  return input;
}

/** An integer in [min, max]. */
export function integer(input: unknown, path: string, min: number, max: number): number {
  if (typeof input !== 'number' || !Number.isInteger(input)) {
    throw invalidConfig(`must be an integer, got ${describe(input)}`, path);
  }
  if (input < min || input > max) throw invalidConfig(`must be in [${min}, ${max}], got ${input}`, path);
  return input;
}

/** A duration (`"100ms"`, `"2s"`, `"1m30s"`, or a number of milliseconds), in ms. */
export function durationMs(input: unknown, path: string): number {
  if (typeof input !== 'string' && typeof input !== 'number') {
    throw invalidConfig(`must be a duration such as "100ms" or "2s", got ${describe(input)}`, path);
  }
  try {
    return parseDuration(input);
  } catch (err) {
    throw invalidConfig(err instanceof Error ? err.message : String(err), path);
  }
}

/**
 * Whole seconds, as BGP timers are (RFC 4271 §4.2): a number of seconds (`9`) or a duration
 * string (`"9s"`, `"1m30s"`) that is a whole number of seconds.
 */
export function seconds(input: unknown, path: string, min: number, max: number): number {
  const value = typeof input === 'number' ? input : durationMs(input, path) / 1000;
  if (!Number.isInteger(value))
    throw invalidConfig(`must be a whole number of seconds, got ${describe(input)}`, path);
  if (value < min || value > max)
    throw invalidConfig(`must be in [${min}, ${max}] seconds, got ${value}`, path);
  return value;
}

/** One of `choices`. */
export function oneOf<T extends string>(input: unknown, path: string, choices: readonly T[]): T {
  if (typeof input !== 'string' || !(choices as readonly string[]).includes(input)) {
    throw invalidConfig(`must be one of ${choices.join(', ')}, got ${describe(input)}`, path);
  }
  return input as T;
}

/** A list of strings, each checked by `check` (which throws with a reason). */
export function stringList(input: unknown, path: string, check?: (text: string) => void): readonly string[] {
  return list(input, path).map((item, i) => {
    const p = `${path}[${i}]`;
    const text = typeof item === 'number' ? String(item) : string(item, p);
    if (check !== undefined) {
      try {
        check(text);
      } catch (err) {
        throw invalidConfig(err instanceof Error ? err.message : String(err), p);
      }
    }
    return text;
  });
}

/** A short description of a raw value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}
