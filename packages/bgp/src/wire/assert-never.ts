/** Ends an exhaustive switch over a union: a compile error when a variant is unhandled. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
