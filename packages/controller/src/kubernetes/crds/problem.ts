/**
 * Why an anyvip object was refused, in the words an `Accepted=False` condition uses as its
 * `reason` (CamelCase, stable: operators and alerts match on them).
 */
export type ProblemReason =
  /** A required field is missing. */
  | 'MissingField'
  /** A field has the wrong type, is out of range, or does not match its pattern or enum. */
  | 'InvalidField'
  /** A set (`x-kubernetes-list-type: set` or `map`) holds the same item twice. */
  | 'DuplicateValue'
  /** Fields that exclude or require one another (exactly one of peerAddress and autoDiscovery). */
  | 'ConflictingFields'
  /** An IP address literal that does not parse, or of the wrong family. */
  | 'InvalidAddress'
  /** A CIDR or `first-last` range that does not parse. */
  | 'InvalidRange'
  /** A BGP community (RFC 1997) or large community (RFC 8092) that does not parse or is refused. */
  | 'InvalidCommunity'
  /** A Kubernetes label selector with a bad key, value or operator. */
  | 'InvalidSelector';

/** One reason an object is refused: where (`spec.peerAddress`, `spec.families[1]`), what, and why. */
export interface Problem {
  /** Field path as the API server writes it in `details.causes[].field`. */
  readonly path: string;
  readonly message: string;
  readonly reason: ProblemReason;
}

/**
 * The verdict of a `check*` function: the object (schema defaults filled in, as the API server
 * would have) or every problem found.
 */
export type CheckResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * A JSON pointer (`/spec/families/0`) or path segments as a Kubernetes field path
 * (`spec.families[0]`); map keys that are not identifiers are bracketed (`matchLabels[kubernetes.io/os]`).
 */
export function fieldPathOf(segments: readonly string[]): string {
  let out = '';
  for (const s of segments) {
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${s}]`;
  }
  return out;
}

/** The segments of an RFC 6901 JSON pointer. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}
