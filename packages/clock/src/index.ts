/**
 * @anyvip/clock: the one time contract of anyvip. `@anyvip/bgp` (protocol timers,
 * BFD), `@anyvip/healthcheck` (probe intervals and timeouts) and the controller all
 * take a {@link Clock}; production passes {@link systemClock}, tests a
 * {@link FakeClock}. A package of its own so that neither library depends on the other.
 */
export { type Clock, systemClock, type TimerHandle } from './clock.js';
export { FakeClock } from './fake-clock.js';
