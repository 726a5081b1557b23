/** Polls `ok` every 20 ms until it holds; throws naming `what` after `timeoutMs` (every wait bounded). */
export async function until(what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
