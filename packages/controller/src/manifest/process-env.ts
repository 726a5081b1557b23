/**
 * The environment anyvip's process runs with where we ship it, in one place: the image's
 * `ENV` (Dockerfile, runtime stage), the generated DaemonSet's `env` (which repeats it for
 * images built elsewhere), and the benchmarks that measure what we ship (bench:footprint,
 * bench:services). test/deploy/process-env.test.ts holds the Dockerfile to it.
 *
 * Nothing here is a flag a user must remember: it is set for them.
 *
 * Not here, measured: `MALLOC_ARENA_MAX`. Capping glibc's malloc arenas made Kubernetes mode
 * (100 Services, with the NODE_OPTIONS below) idle higher, not lower: 140-141 MB with 1 and
 * 144 MB with 2 against 134-136 MB unset (bench:footprint, two interleaved runs each). One
 * arena leaves freed blocks inside the brk heap, which glibc trims only from its top ([heap]
 * 26 MB against 11 MB); standalone gained ~1.5 MB, within noise.
 */
export const shippedProcessEnv = {
  /**
   * V8's young generation grows to 128 MB under a full Service list and stays resident;
   * 2 MB semi-spaces keep 10,000 Services near 170 MB (Kubernetes mode README).
   */
  NODE_OPTIONS: '--max-semi-space-size=2',
  /**
   * glibc's malloc gives the freed top of its heap back to the OS once it exceeds the trim
   * threshold, 128 KB, until the first large block (≥ 128 KB, which it maps apart: a module's
   * source, a compiler zone) is freed; from then on it raises the mmap threshold to that
   * block's size and the trim threshold to twice that, and freed memory stays resident. Setting
   * the threshold, at its default value, turns that adjustment off. Idle standalone (one peer,
   * one VIP, one check): 1.5-1.7 MB less RSS (58.5-58.7 against 60.0-60.3 MB, interleaved);
   * `glibc.malloc.mmap_threshold=65536` did the same. musl ignores it.
   */
  GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=131072',
} as const satisfies Readonly<Record<string, string>>;
