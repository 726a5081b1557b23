/**
 * The interop harness: network namespaces, managed processes, and BIRD / FRR / GoBGP /
 * ExaBGP peers with one shape. harness.interop.test.ts exercises all of it.
 *
 * ```ts
 * const lab = await createPair('router', 'speaker');           // 10.250.1.1 ↔ 10.250.1.2
 * const l = lab.link('router', 'speaker');                      // l.local = router's end
 * const bird = await startDaemon(lab, 'router', 'bird', {
 *   routerId: l.local.ipv4, asn: 65000, ecmp: true,
 *   neighbors: [{ address: l.remote.ipv4, localAddress: l.local.ipv4, asn: 65100, holdTimeSec: 3 }],
 * });
 * const speaker = await lab.spawn('speaker', process.execPath, ['speaker-main.ts', ...args]);
 * await speaker.waitForJsonLine((e) => (e as { kind?: string }).kind === 'peerUp', { timeoutMs: 10_000 });
 * await bird.waitEstablished(l.remote.ipv4);
 * await waitUntil(() => bird.kernelRoutes('10.250.200.10/32'), (rs) => rs.length === 1, { timeoutMs: 5000, what: 'VIP in FIB' });
 * await lab.destroy();                                          // in afterEach/afterAll
 * ```
 */
export { pendingCleanups, registerEmergencyCleanup } from './cleanup.js';
export {
  createLab,
  createPair,
  interopSkipReason,
  type KernelRoute,
  kernelRoutes,
  Lab,
  type LabSpec,
  type LinkEnd,
  type LinkView,
} from './netns.js';
export { BirdDaemon, birdProtocolName, parseBirdRoutes } from './peers/bird.js';
export {
  type Announcement,
  type BgpDaemon,
  canonicalAddress,
  canonicalPrefix,
  type DaemonConfig,
  type DaemonKind,
  type DaemonRoute,
  type Family,
  type NeighborConfig,
  type Origin,
  type SessionState,
} from './peers/daemon.js';
export { ExabgpDaemon } from './peers/exabgp.js';
export { FrrDaemon } from './peers/frr.js';
export { GobgpDaemon } from './peers/gobgp.js';
export {
  CommandError,
  type CommandResult,
  type LineWaitOptions,
  ManagedProcess,
  type ProcessExit,
  type RunOptions,
  runCommand,
  type SpawnOptions,
  spawnInNs,
} from './process.js';
export { makeDaemon, type NodeDaemonConfig, startDaemon } from './start-daemon.js';
export { sleep, type WaitOptions, WaitTimeoutError, waitFor, waitUntil } from './wait.js';
