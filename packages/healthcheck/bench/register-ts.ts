/**
 * Lets Node run the package's TypeScript sources directly (Node 24 strips types by default):
 * `src/` imports siblings as `./x.js`, as NodeNext wants, so a `.js` specifier that does not
 * exist next to a `.ts` importer is retried as `.ts`. Used only by the benchmark:
 * `node --import ./bench/register-ts.ts bench/checks.bench.ts`.
 */
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (err) {
      if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw err;
    }
  },
});
