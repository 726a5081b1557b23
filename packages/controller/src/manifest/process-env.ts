/**
 * The environment anyvip's process runs with where we ship it, in one place: the image's
 * `ENV` (Dockerfile, runtime stage), the generated DaemonSet's `env` (which repeats it for
 * images built elsewhere), and the benchmarks that measure what we ship (bench:footprint,
 * bench:services). test/deploy/process-env.test.ts holds the Dockerfile to it.
 *
 * Neither is a flag a user must remember: both are set for them.
 */
export const shippedProcessEnv = {
  /**
   * V8's young generation grows to 128 MB under a full Service list and stays resident;
   * 2 MB semi-spaces keep 10,000 Services near 170 MB (Kubernetes mode README).
   */
  NODE_OPTIONS: '--max-semi-space-size=2',
  /**
   * glibc gives each thread that mallocs its own 64 MB arena (up to 8 per core), and what a
   * libuv worker or V8 helper thread freed stays resident in it: Kubernetes mode idled at
   * 138 MB with the default and 120 MB with one arena. anyvip's JavaScript runs on one thread,
   * so the arenas buy no throughput here. Ignored by musl.
   */
  MALLOC_ARENA_MAX: '2',
} as const satisfies Readonly<Record<string, string>>;
