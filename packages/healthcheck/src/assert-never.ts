/** Compile-time exhaustiveness check: the last branch of every switch over a union. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
