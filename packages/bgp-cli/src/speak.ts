import {
  type AddPeerOptions,
  BgpSpeaker,
  type BgpSpeakerOptions,
  canonicalAddress,
  type FamilyName,
  formatSpeakerEvent,
  ipv4Prefix,
  LocalProtocolError,
  type Prefix,
  parseIpv4,
  type RouteAttributesInput,
} from '@anyvip/bgp';
import type { Argv, CommandModule } from 'yargs';

/** What `anyvip-bgp speak` takes, after parsing. */
export interface SpeakOptions {
  readonly localAsn: number;
  readonly routerId: string;
  readonly peer: string;
  readonly peerAsn: number;
  readonly port: number;
  readonly localAddress?: string;
  readonly passive: boolean;
  readonly holdTimeSec: number;
  readonly announce: readonly string[];
  readonly nextHop?: string;
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly med?: number;
  readonly localPref?: number;
  /** Announce this many distinct IPv4 /32s, counting up from {@link generateBase}. */
  readonly generate: number;
  readonly generateBase: string;
  readonly ipv4: boolean;
  readonly ipv6: boolean;
  /** Close with Cease after this many seconds. */
  readonly durationSec?: number;
  /** Close with Cease once End-of-RIB went out for every family. */
  readonly exitAfterEor: boolean;
  /** Listen for the peer on this port (always when passive; 179 by default then). */
  readonly listenPort?: number;
  readonly listenAddress?: string;
  /** Period of `updates-received` lines, in milliseconds. */
  readonly statsIntervalMs: number;
  /** File holding the TCP-MD5 key (RFC 2385); there is no password flag, so the key never shows in `ps`. */
  readonly passwordFile?: string;
  /** GTSM (RFC 5082): `true` for a directly connected router, `{ hops }` for one further away. */
  readonly ttlSecurity?: boolean | { readonly hops: number };
  /** BFD to the router (RFC 5880); absent: off. */
  readonly bfd?: {
    readonly minTxMs: number;
    readonly minRxMs: number;
    readonly multiplier: number;
    readonly multihop: boolean;
  };
  /** Advertise Graceful Restart (RFC 4724); absent: off. */
  readonly gracefulRestart?: { readonly restartTimeSec: number; readonly restarting: boolean };
}

/** Where JSON Lines go. */
export interface LineWriter {
  write(line: string): unknown;
}

/** `count` IPv4 /32s from `base` upwards, built lazily. */
function* generatedPrefixes(base: number, count: number): Generator<Prefix> {
  for (let i = 0; i < count; i++) yield ipv4Prefix(base + i, 32);
}

/**
 * Runs one BGP session from the options and prints events as JSON Lines until the
 * duration ends, End-of-RIB went out (with `exitAfterEor`), or `stop` resolves;
 * then closes with Cease / Administrative Shutdown. Throws LocalProtocolError for
 * bad options. `speaker` lets tests inject a transport and a clock.
 */
export async function runSpeak(
  options: SpeakOptions,
  out: LineWriter,
  extra: {
    readonly speaker?: Partial<BgpSpeakerOptions>;
    readonly stop?: Promise<string>;
    /** Resolves when the run should end as a planned restart (`closeForRestart`, RFC 4724). */
    readonly restart?: Promise<string>;
  } = {},
): Promise<void> {
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
  const print = (line: Record<string, unknown>): void => {
    out.write(`${JSON.stringify({ t: elapsed(), ...line })}\n`);
  };
  const peer = canonicalAddress(options.peer);
  if (peer === undefined)
    throw new LocalProtocolError('ANYVIP_BAD_ARGUMENT', `--peer is not an address: ${options.peer}`);
  const families: FamilyName[] = [];
  if (options.ipv4) families.push('ipv4');
  if (options.ipv6) families.push('ipv6');
  if (families.length === 0)
    throw new LocalProtocolError('ANYVIP_BAD_ARGUMENT', 'no family: give --ipv4 or --ipv6');
  const base = parseIpv4(options.generateBase);
  if (base === undefined)
    throw new LocalProtocolError(
      'ANYVIP_BAD_ARGUMENT',
      `--generate-base is not IPv4: ${options.generateBase}`,
    );
  if (!Number.isInteger(options.generate) || options.generate < 0 || base + options.generate > 0x100000000) {
    throw new LocalProtocolError(
      'ANYVIP_BAD_ARGUMENT',
      `--generate ${options.generate} does not fit above ${options.generateBase}`,
    );
  }

  const speaker = new BgpSpeaker({
    localAsn: options.localAsn,
    routerId: options.routerId,
    ...extra.speaker,
  });
  let finish: (reason: string) => void = () => {};
  const finished = new Promise<string>((resolve) => {
    finish = resolve;
  });
  const eorPending = new Set<string>();
  let negotiatedFamilies = 0;
  speaker.on('*', (e) => {
    const line = formatSpeakerEvent(e);
    if (line !== undefined) print(line);
    if (e.kind === 'peerUp') {
      negotiatedFamilies = e.negotiated.families.length;
      eorPending.clear();
    }
    if (e.kind === 'eorSent' && options.exitAfterEor) {
      eorPending.add(`${e.afi}/${e.safi}`);
      if (eorPending.size >= negotiatedFamilies) finish('anyvip-bgp speak: End-of-RIB sent');
    }
  });

  const attributes: RouteAttributesInput = {
    ...(options.nextHop !== undefined ? { nextHop: options.nextHop } : {}),
    ...(options.communities.length > 0 ? { communities: options.communities } : {}),
    ...(options.largeCommunities.length > 0 ? { largeCommunities: options.largeCommunities } : {}),
    ...(options.med !== undefined ? { med: options.med } : {}),
    ...(options.localPref !== undefined ? { localPref: options.localPref } : {}),
  };
  try {
    for (const prefix of options.announce) speaker.announce({ prefix, ...attributes });
    if (options.generate > 0) {
      const t = performance.now();
      speaker.announceMany(generatedPrefixes(base, options.generate), attributes);
      print({
        event: 'generated',
        count: options.generate,
        ms: Math.round((performance.now() - t) * 10) / 10,
      });
    }

    const listenPort = options.listenPort ?? (options.passive ? 179 : undefined);
    if (listenPort !== undefined) {
      await speaker.listen({
        port: listenPort,
        ...(options.listenAddress !== undefined ? { host: options.listenAddress } : {}),
      });
    }
    const peerOptions: AddPeerOptions = {
      address: peer,
      remoteAsn: options.peerAsn,
      port: options.port,
      passive: options.passive,
      holdTimeSec: options.holdTimeSec,
      families,
      ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
      ...(options.passwordFile !== undefined ? { passwordFile: options.passwordFile } : {}),
      ...(options.ttlSecurity !== undefined ? { ttlSecurity: options.ttlSecurity } : {}),
      ...(options.bfd !== undefined ? { bfd: options.bfd } : {}),
      ...(options.gracefulRestart !== undefined ? { gracefulRestart: options.gracefulRestart } : {}),
    };
    speaker.addPeer(peerOptions);
  } catch (e) {
    await speaker.close('anyvip-bgp speak: bad options');
    throw e;
  }

  let lastUpdates = 0;
  const stats = setInterval(() => {
    const info = speaker.peers()[0];
    if (info === undefined || info.updatesReceived === lastUpdates) return;
    lastUpdates = info.updatesReceived;
    print({
      event: 'updates-received',
      peer: info.address,
      updates: info.updatesReceived,
      prefixes: info.prefixesReceived,
    });
  }, options.statsIntervalMs);
  const timers: NodeJS.Timeout[] = [];
  if (options.durationSec !== undefined) {
    timers.push(setTimeout(() => finish('anyvip-bgp speak: duration elapsed'), options.durationSec * 1000));
  }
  void extra.stop?.then(finish);
  let restart = false;
  void extra.restart?.then((r) => {
    restart = true;
    finish(r);
  });

  const reason = await finished;
  clearInterval(stats);
  for (const t of timers) clearTimeout(t);
  const info = speaker.peers()[0];
  if (info !== undefined && info.updatesReceived !== lastUpdates) {
    print({
      event: 'updates-received',
      peer: info.address,
      updates: info.updatesReceived,
      prefixes: info.prefixesReceived,
    });
  }
  if (restart) await speaker.closeForRestart(reason);
  else await speaker.close(reason);
  print({ event: 'closed', reason, ...(restart ? { restart: true } : {}) });
}

/** The yargs arguments of `speak`. */
interface SpeakArgs {
  'local-asn': number;
  'router-id': string;
  peer: string;
  'peer-asn': number;
  port: number;
  'local-address': string | undefined;
  passive: boolean;
  'hold-time': number;
  announce: string[];
  'next-hop': string | undefined;
  community: string[];
  'large-community': string[];
  med: number | undefined;
  'local-pref': number | undefined;
  generate: number;
  'generate-base': string;
  ipv4: boolean | undefined;
  ipv6: boolean;
  duration: number | undefined;
  'exit-after-eor': boolean;
  'listen-port': number | undefined;
  'listen-address': string | undefined;
  'stats-interval': number;
  'password-file': string | undefined;
  'ttl-security': boolean;
  'ttl-security-hops': number | undefined;
  bfd: boolean;
  'bfd-min-tx': number;
  'bfd-min-rx': number;
  'bfd-multiplier': number;
  'bfd-multihop': boolean;
  'graceful-restart': boolean;
  'restart-time': number;
  restarting: boolean;
}

/** Reads a signal into a stop reason, once. */
function interrupted(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(`anyvip-bgp speak: ${signal}`);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

/** `anyvip-bgp speak`: peers with one router and prints JSON Lines events. */
export const speakCommand: CommandModule<object, SpeakArgs> = {
  command: 'speak',
  describe: 'Peer with one router, announce routes, print events as JSON Lines',
  builder: (y: Argv<object>): Argv<SpeakArgs> =>
    y
      .option('local-asn', { type: 'number', demandOption: true, describe: 'Our AS number' })
      .option('router-id', {
        type: 'string',
        demandOption: true,
        describe: 'Our BGP Identifier (dotted quad)',
      })
      .option('peer', { type: 'string', demandOption: true, describe: "The router's address" })
      .option('peer-asn', { type: 'number', demandOption: true, describe: "The router's AS number" })
      .option('port', { type: 'number', default: 179, describe: "The router's TCP port" })
      .option('local-address', { type: 'string', describe: 'Source address to connect from' })
      .option('passive', { type: 'boolean', default: false, describe: 'Wait for the router to connect' })
      .option('hold-time', { type: 'number', default: 90, describe: 'Hold Time to offer, seconds' })
      .option('bfd', {
        type: 'boolean',
        default: false,
        describe: 'Run BFD to the router (RFC 5880, UDP 3784)',
      })
      .option('bfd-min-tx', { type: 'number', default: 300, describe: 'BFD desired min TX interval, ms' })
      .option('bfd-min-rx', { type: 'number', default: 300, describe: 'BFD required min RX interval, ms' })
      .option('bfd-multiplier', { type: 'number', default: 3, describe: 'BFD detect multiplier' })
      .option('bfd-multihop', {
        type: 'boolean',
        default: false,
        describe: 'BFD multihop (RFC 5883, UDP 4784)',
      })
      .option('graceful-restart', {
        type: 'boolean',
        default: false,
        describe: 'Advertise Graceful Restart (RFC 4724); SIGUSR2 then closes for a restart',
      })
      .option('restart-time', { type: 'number', default: 120, describe: 'Graceful Restart time, seconds' })
      .option('restarting', {
        type: 'boolean',
        default: false,
        describe: 'Set the Restart State (R) bit: this run restarts one closed for a restart',
      })
      .option('announce', {
        type: 'string',
        array: true,
        default: [],
        describe: 'Prefix to announce (repeatable)',
      })
      .option('next-hop', {
        type: 'string',
        describe: 'Next hop of announced routes (default: our session address)',
      })
      .option('community', {
        type: 'string',
        array: true,
        default: [],
        describe: 'Community, e.g. 65000:100 (repeatable)',
      })
      .option('large-community', {
        type: 'string',
        array: true,
        default: [],
        describe: 'Large community, e.g. 65000:1:2 (repeatable)',
      })
      .option('med', { type: 'number', describe: 'MULTI_EXIT_DISC of announced routes' })
      .option('local-pref', { type: 'number', describe: 'LOCAL_PREF of announced routes (iBGP)' })
      .option('generate', { type: 'number', default: 0, describe: 'Announce N distinct IPv4 /32s' })
      .option('generate-base', { type: 'string', default: '10.0.0.0', describe: 'First generated address' })
      .option('ipv4', {
        type: 'boolean',
        describe: 'Offer IPv4 unicast (default unless only --ipv6 is wanted)',
      })
      .option('ipv6', { type: 'boolean', default: false, describe: 'Offer IPv6 unicast' })
      .option('duration', { type: 'number', describe: 'Close with Cease after S seconds and exit' })
      .option('exit-after-eor', {
        type: 'boolean',
        default: false,
        describe: 'Close and exit once End-of-RIB is sent',
      })
      .option('listen-port', {
        type: 'number',
        describe: 'Listen for the router on this port (default 179 if passive)',
      })
      .option('listen-address', { type: 'string', describe: 'Address to listen on' })
      .option('stats-interval', {
        type: 'number',
        default: 1000,
        describe: 'Milliseconds between updates-received lines',
      })
      .option('password-file', {
        type: 'string',
        describe: 'File holding the TCP-MD5 key (RFC 2385; one trailing newline dropped)',
      })
      .option('ttl-security', {
        type: 'boolean',
        default: false,
        describe: 'GTSM (RFC 5082): send TTL 255, accept only TTL 255 (a directly connected router)',
      })
      .option('ttl-security-hops', {
        type: 'number',
        describe: 'GTSM for a router N hops away: accept TTL 256-N and up (implies --ttl-security)',
      }),
  handler: async (args) => {
    const announce = args.announce;
    const ipv6 = args.ipv6 || announce.some((p) => p.includes(':'));
    // With --ipv6 alone on an IPv6 peer, IPv4 is left out unless asked for.
    const ipv4 =
      args.ipv4 ?? !(args.ipv6 && args.peer.includes(':') && !announce.some((p) => !p.includes(':')));
    await runSpeak(
      {
        localAsn: args['local-asn'],
        routerId: args['router-id'],
        peer: args.peer,
        peerAsn: args['peer-asn'],
        port: args.port,
        ...(args['local-address'] !== undefined ? { localAddress: args['local-address'] } : {}),
        passive: args.passive,
        holdTimeSec: args['hold-time'],
        announce,
        ...(args['next-hop'] !== undefined ? { nextHop: args['next-hop'] } : {}),
        communities: args.community,
        largeCommunities: args['large-community'],
        ...(args.med !== undefined ? { med: args.med } : {}),
        ...(args['local-pref'] !== undefined ? { localPref: args['local-pref'] } : {}),
        generate: args.generate,
        generateBase: args['generate-base'],
        ipv4: ipv4 || args.generate > 0,
        ipv6,
        ...(args.duration !== undefined ? { durationSec: args.duration } : {}),
        exitAfterEor: args['exit-after-eor'],
        ...(args['listen-port'] !== undefined ? { listenPort: args['listen-port'] } : {}),
        ...(args['listen-address'] !== undefined ? { listenAddress: args['listen-address'] } : {}),
        statsIntervalMs: args['stats-interval'],
        ...(args['password-file'] !== undefined ? { passwordFile: args['password-file'] } : {}),
        ...(args['ttl-security-hops'] !== undefined
          ? { ttlSecurity: { hops: args['ttl-security-hops'] } }
          : args['ttl-security']
            ? { ttlSecurity: true }
            : {}),
        ...(args.bfd
          ? {
              bfd: {
                minTxMs: args['bfd-min-tx'],
                minRxMs: args['bfd-min-rx'],
                multiplier: args['bfd-multiplier'],
                multihop: args['bfd-multihop'],
              },
            }
          : {}),
        ...(args['graceful-restart']
          ? { gracefulRestart: { restartTimeSec: args['restart-time'], restarting: args.restarting } }
          : {}),
      },
      process.stdout,
      {
        stop: interrupted(),
        restart: new Promise((resolve) =>
          process.once('SIGUSR2', () => resolve('anyvip-bgp speak: SIGUSR2 (planned restart)')),
        ),
      },
    );
  },
};
