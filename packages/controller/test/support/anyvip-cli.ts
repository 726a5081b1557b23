import { fileURLToPath } from 'node:url';

/**
 * The shipped `anyvip` command line: the minified bundle's entry (dist/bundle/anyvip.mjs, built
 * by `pnpm run build`), which the `anyvip` bin and the container image run.
 */
export const ANYVIP_BUNDLE = fileURLToPath(new URL('../../dist/bundle/anyvip.mjs', import.meta.url));

/**
 * The `anyvip` every interop test, benchmark and the lab spawn: the bundle, so they test what
 * ships. `ANYVIP_CLI=/path/to/main.js` runs them against another build instead (the unbundled
 * dist/main.js, or another checkout's), e.g. to tell a bundling fault from a code fault.
 */
export const ANYVIP_CLI = process.env.ANYVIP_CLI ?? ANYVIP_BUNDLE;
