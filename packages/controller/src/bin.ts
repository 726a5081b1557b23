#!/usr/bin/env node
/**
 * The entry of the shipped `anyvip` bundle (dist/bundle/anyvip.mjs, built by scripts/bundle.ts):
 * what the `anyvip` bin and the container image run.
 *
 * main.ts is imported dynamically on purpose: the bundler then puts it in a chunk of its own, so
 * its "invoked directly" guard (its import.meta.url against argv[1]) is false in the bundle and
 * main runs once, from here. `node dist/main.js` keeps working through that guard.
 *
 * No `module.enableCompileCache()` here, on purpose (measured, docs/container.md): a warm cache
 * saved 20-30 ms of a 150-190 ms `--help`/`validate`, under 1 % of 10,000 VIPs' start, and cost
 * ~0.5 MB of idle RSS plus ~0.7 MB written to /tmp, which in a pod is an emptyDir that often
 * lives in memory and only survives container restarts, not pod restarts.
 *
 * V8 flags the product sets on itself (engine-flags.ts) go first, before main.ts is compiled.
 */
import { applyEngineFlags } from './engine-flags.js';

applyEngineFlags();
const { runCli } = await import('./main.js');
runCli(process.argv.slice(2));
