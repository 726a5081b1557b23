// Lets `node` run the TypeScript sources directly (Node 24 strips types itself):
// source files import siblings as `./x.js` (NodeNext style), which only exist as
// `./x.ts` before a build, so a failed relative `.js` resolution retries `.ts`.
// Usage: node --import ./scripts/ts-resolve.mjs scripts/fuzz-long.ts
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (/^(\.{1,2}\/|\/|file:)/.test(specifier) && specifier.endsWith('.js')) {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw error;
    }
  },
});
