/**
 * A controller stand-in for address-watch.interop.test.ts: starts an `IpMonitorWatch` on
 * network namespace argv[2], waits until it vouches (its child is subscribed), prints
 * `subscribed PID` (the child's), then leaves the way argv[3] says, never calling `close()`:
 * `exit` (process.exit(1), as a fatal start error does), `throw` (an uncaught exception), or
 * `wait` (until the test kills it with SIGKILL, which runs no hook at all).
 * With argv[4] `no-setpriv` the child is started without `setpriv` (the exit hook alone).
 * Run with `node --import ../bgp/scripts/ts-resolve.mjs`.
 */
import { execFileSync } from 'node:child_process';
import { IpMonitorWatch } from '../../../src/sinks/address-watch.js';

const [ns, how, setpriv] = process.argv.slice(2);
const watch = new IpMonitorWatch({
  changed: () => {},
  ...(ns !== undefined ? { netns: ns } : {}),
  ...(setpriv === 'no-setpriv' ? { setpriv: false } : {}),
});
const deadline = performance.now() + 10_000;
while (watch.generation('lo') === undefined) {
  if (performance.now() > deadline) {
    process.stderr.write('never subscribed\n');
    process.exit(3);
  }
  await new Promise((r) => setTimeout(r, 20));
}
const child = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
  .split('\n')
  .filter((line) => line.includes('monitor address'))
  .map((line) => line.trim().split(/\s+/)[0]);
process.stdout.write(`subscribed ${child.join(',')}\n`);
if (how === 'exit') process.exit(1);
if (how === 'throw') throw new Error('fatal start error (on purpose)');
setInterval(() => {}, 1000);
