import type { Argv, CommandModule } from 'yargs';
import { readConfigFile } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import { createIpRunner } from '../sinks/ip-runner.js';
import { evaluateHost, formatFindings } from './doctor.js';
import { hasErrors } from './finding.js';
import type { DoctorTarget, PeerTarget } from './host-facts.js';
import { type ConnectOutcome, probeTcp } from './peer-reachability.js';
import { checkPreflight } from './preflight.js';
import { readHost } from './read-host.js';

/**
 * `anyvip doctor [--config FILE] [--peer ADDR[:PORT]]... [--vip ADDR]... [--json]`: preflight
 * checks on this node. Exit 1 when a finding is an error, 2 for a bad command line or file.
 */
export function doctorCommand(setExit: (code: number) => void): CommandModule<object, DoctorArgs> {
  return {
    command: 'doctor',
    describe: 'Check this node for what VIPs need (sysctls, capabilities, kube-proxy, peers)',
    builder: (c: Argv) =>
      c
        .option('config', { type: 'string', describe: 'Configuration file: its peers, VIPs and listen port' })
        .option('peer', {
          type: 'string',
          array: true,
          default: [],
          describe: 'BGP neighbor ADDR or ADDR:PORT (repeatable)',
        })
        .option('vip', { type: 'string', array: true, default: [], describe: 'VIP address (repeatable)' })
        .option('timeout', { type: 'number', default: 1000, describe: 'TCP connect timeout per peer, ms' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the findings as JSON' }),
    handler: async (args) => {
      let target: DoctorTarget;
      let config: ControllerConfig | undefined;
      try {
        config = args.config === undefined ? undefined : await readConfigFile(args.config);
        target = await doctorTarget(args.config, args.peer, args.vip, config);
      } catch (err) {
        process.stderr.write(`anyvip: ${describeError(err)}\n`);
        setExit(2);
        return;
      }
      const facts = await readHost(target, { ip: createIpRunner({ timeoutMs: 5000 }) });
      const reach = new Map<string, ConnectOutcome>();
      await Promise.all(
        target.peers
          .filter((p) => !p.passive)
          .map(async (p) => reach.set(p.address, await probeTcp(p.address, p.port, args.timeout))),
      );
      const findings = [...checkPreflight(config), ...evaluateHost(facts, target, reach)];
      process.stdout.write(
        args.json
          ? `${JSON.stringify({ findings, errors: findings.filter((f) => f.severity === 'error').length })}\n`
          : formatFindings(findings),
      );
      setExit(hasErrors(findings) ? 1 : 0);
    },
  };
}

interface DoctorArgs {
  readonly config: string | undefined;
  readonly peer: string[];
  readonly vip: string[];
  readonly timeout: number;
  readonly json: boolean;
}

/** Peers and VIPs from the file and the flags. */
export async function doctorTarget(
  configPath: string | undefined,
  peerFlags: readonly string[],
  vipFlags: readonly string[],
  read?: ControllerConfig,
): Promise<DoctorTarget> {
  // The host preflight is a finding here (checkPreflight), not a reason to stop.
  const config = read ?? (configPath === undefined ? undefined : await readConfigFile(configPath));
  const peers: PeerTarget[] = (config?.bgp?.peers ?? []).map((p) => ({
    address: p.address,
    port: p.port,
    passive: p.passive,
  }));
  for (const text of peerFlags) peers.push(parsePeerFlag(text));
  return {
    vips: [...(config?.vips.map((v) => v.address) ?? []), ...vipFlags],
    peers,
    listenPort: config?.bgp?.listen?.port,
    loopbackDevice: config?.loopback.device ?? 'lo',
  };
}

/** `10.0.0.1`, `10.0.0.1:1179`, `fd00::1`, `[fd00::1]:1179`. */
export function parsePeerFlag(text: string): PeerTarget {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket !== null) return { address: bracket[1] ?? '', port: Number(bracket[2] ?? 179), passive: false };
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [address = '', port = '179'] = text.split(':');
    return { address, port: Number(port), passive: false };
  }
  return { address: text, port: 179, passive: false };
}
