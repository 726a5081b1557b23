#!/usr/bin/env node
/**
 * The entry of the shipped `anyvip` bundle (dist/bundle/anyvip.mjs, built by scripts/bundle.ts):
 * what the `anyvip` bin and the container image run.
 *
 * main.ts is imported dynamically on purpose: the bundler then puts it in a chunk of its own, so
 * its "invoked directly" guard (its import.meta.url against argv[1]) is false in the bundle and
 * main runs once, from here. `node dist/main.js` keeps working through that guard.
 */
const { runCli } = await import('./main.js');
runCli(process.argv.slice(2));
