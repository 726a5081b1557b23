import { parseIpv4 } from '@anyvip/bgp/wire';
import { canonicalAddress } from '../address/ip-range.js';
import type { BgpConfig, FamilyName, PeerConfig } from '../config/schema.js';
import type { ClusterNode } from './cluster.js';
import { compareCodeUnits } from './code-unit-order.js';
import type {
  FabricCondition,
  FabricObject,
  FabricSecret,
  NodeNetwork,
  NodeWarning,
  PeerSpec,
} from './fabric.js';
import { matchesSelector } from './label-selector.js';
import { checkWithLastGood, type LastGood, lastGoodKey, refused, type Verdict } from './last-good.js';
import { onLinkNextHop } from './on-link-next-hop.js';

/**
 * This node's BGP speaker and peer set in Kubernetes mode (pure):
 *
 * - peers: every AnyvipPeer whose `nodeSelector` matches this Node's labels (by name), then the
 *   kube-vip node annotations (`<prefix>/peer-ip` + `peer-asn`, named `node-annotation`), then
 *   the `--peer` flags, so a small cluster still runs on flags alone. A peer address is taken
 *   once: the first of that order wins (an object overrides a flag during a migration);
 * - our AS: node label or annotation `anyvip.io/asn` > kube-vip `<prefix>/node-asn` > the
 *   matched peers' `myASN` > `--asn` (one speaker has one AS: matched peers that disagree on
 *   `myASN` keep the first by name, the others are left out here with a Warning on the Node);
 * - router id: annotation `anyvip.io/router-id` > the matched peers' `routerID` > `--router-id`
 *   > the Node's first IPv4 address;
 * - another family over a session (IPv6 VIPs over IPv4 and the reverse): `nextHop.<family>`,
 *   else (a directly connected peer) this node's address of that family on the session's
 *   interface, else the Node's address of that family.
 *
 * Objects that are wrong for every node (bad address, missing Secret) get Accepted=False and
 * are never used; problems only this node has (no default gateway of a family) are Node
 * warnings, and only that peer is left out here.
 */

export interface NodePeersInput {
  /** `--asn`, `--router-id`, `--peer…` (undefined in table mode). */
  readonly flags: BgpConfig | undefined;
  readonly nodeName: string;
  /** This node's Node object (labels, annotations, addresses); undefined: not seen. */
  readonly node: ClusterNode | undefined;
  /** Undefined: the AnyvipPeer CRD is not installed. */
  readonly peers: readonly FabricObject<PeerSpec>[] | undefined;
  readonly secrets: ReadonlyMap<string, FabricSecret>;
  /** Secrets being listed: a peer naming one waits (no condition yet). */
  readonly pendingSecrets?: ReadonlySet<string>;
  readonly network: NodeNetwork | undefined;
  /** kube-vip's annotation prefix (`kube-vip.io`). */
  readonly kubeVipPrefix: string;
  /** The last accepted spec of each object (by `lastGoodKey`), kept in force while its newer spec is refused. */
  readonly lastGood: ReadonlyMap<string, LastGood>;
}

export interface NodePeersPlan {
  /** Undefined: no AS or no router id can be found for this node (a Node warning says why). */
  readonly speaker: { readonly asn: number; readonly routerId: string } | undefined;
  /** By canonical address. */
  readonly peers: ReadonlyMap<string, PeerConfig>;
  /** The labels of the object each peer came from, for advertisements' `peerSelector` (others: none). */
  readonly peerLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** One per AnyvipPeer (the same on every node). */
  readonly conditions: readonly FabricCondition[];
  readonly nodeWarnings: readonly NodeWarning[];
  /** The accepted specs in force now, for the next computation. */
  readonly lastGood: ReadonlyMap<string, LastGood>;
}

/** Node label or annotation with this node's AS (AS-per-rack designs). */
export const nodeAsnKey = 'anyvip.io/asn';
/** Node annotation overriding the router id (IPv6-only nodes). */
export const nodeRouterIdKey = 'anyvip.io/router-id';
/** Node annotation naming the Secret (anyvip's namespace, key `password`) of the node-annotation peer. */
export const nodePeerPasswordSecretKey = 'anyvip.io/peer-password-secret';
/** The name node-annotation peers are reported under. */
export const nodeAnnotationSource = 'node-annotation';

const maxAsn = 0xffffffff;

export function computeNodePeers(input: NodePeersInput): NodePeersPlan {
  const warnings: NodeWarning[] = [];
  const conditions: FabricCondition[] = [];
  const labels = input.node?.metadata?.labels ?? {};
  const annotations = input.node?.metadata?.annotations ?? {};

  // Cluster-wide checks first (the same on every node), then this node's selection.
  const usable: { readonly o: FabricObject<PeerSpec>; readonly password: PeerConfig['password'] }[] = [];
  const lastGood = new Map<string, LastGood>();
  for (const given of [...(input.peers ?? [])].sort((a, b) => compareCodeUnits(a.name, b.name))) {
    const checked = checkWithLastGood('AnyvipPeer', given, input.lastGood, (o) =>
      checkPeer(o, input.secrets, input.pendingSecrets),
    );
    conditions.push(checked.condition);
    if (checked.used === undefined) continue;
    const { o, verdict } = checked.used;
    lastGood.set(lastGoodKey('AnyvipPeer', o), { generation: o.generation, spec: o.spec });
    if (matchesSelector(o.spec.nodeSelector, labels)) usable.push({ o, password: verdict.password });
  }

  const asn = nodeAsn(input, labels, annotations, usable, warnings);
  const routerId = nodeRouterId(input, annotations, usable, warnings);

  const peers = new Map<string, PeerConfig>();
  const peerLabels = new Map<string, Readonly<Record<string, string>>>();
  const take = (p: PeerConfig, from: string, objectLabels: Readonly<Record<string, string>> = {}): void => {
    const earlier = peers.get(p.address);
    if (earlier !== undefined) {
      warnings.push({
        reason: 'DuplicatePeer',
        message: `peer ${p.address} from ${from} is already ${earlier.source ?? 'a flag peer'}; ${from} is not used on node ${input.nodeName}`,
      });
      return;
    }
    peers.set(p.address, p);
    peerLabels.set(p.address, objectLabels);
  };
  for (const { o, password } of usable) {
    if (
      o.spec.myASN !== undefined &&
      asn !== undefined &&
      o.spec.myASN !== asn.value &&
      asn.from === 'myASN'
    ) {
      warnings.push({
        reason: 'ConflictingASN',
        message: `AnyvipPeer ${o.name} asks for myASN ${o.spec.myASN}, but node ${input.nodeName} speaks as AS ${asn.value} (${asn.by}); not peering with it here`,
      });
      continue;
    }
    const p = peerOfObject(o, password, input, warnings);
    if (p !== undefined) take(p, `AnyvipPeer/${o.name}`, o.labels);
  }
  for (const p of annotationPeers(input, annotations, warnings)) take(p, nodeAnnotationSource);
  // A flag peer that an object or annotation also names is theirs now (a migration), silently.
  for (const p of input.flags?.peers ?? [])
    if (!peers.has(p.address)) {
      peers.set(p.address, p);
      peerLabels.set(p.address, {});
    }

  return {
    speaker: asn === undefined || routerId === undefined ? undefined : { asn: asn.value, routerId },
    peers,
    peerLabels,
    conditions,
    nodeWarnings: warnings,
    lastGood,
  };
}

type PeerVerdict = Verdict<{ readonly password: PeerConfig['password'] }>;

/** What is wrong with an AnyvipPeer wherever it is used (beyond what the schema check saw). */
function checkPeer(
  o: FabricObject<PeerSpec>,
  secrets: ReadonlyMap<string, FabricSecret>,
  pendingSecrets: ReadonlySet<string> | undefined,
): PeerVerdict {
  if (o.invalid !== undefined) return refused(o.invalidReason ?? 'InvalidSpec', o.invalid);
  const s = o.spec;
  if ((s.peerAddress === undefined) === (s.autoDiscovery === undefined))
    return refused('InvalidSpec', 'give exactly one of peerAddress and autoDiscovery');
  if (s.peerAddress !== undefined && canonicalAddress(s.peerAddress) === undefined)
    return refused(
      'InvalidAddress',
      `peerAddress ${JSON.stringify(s.peerAddress)} is not an IPv4 or IPv6 address`,
    );
  if (s.autoDiscovery !== undefined) {
    if (s.autoDiscovery.mode !== 'DefaultGateway')
      return refused('InvalidSpec', 'autoDiscovery.mode must be DefaultGateway');
    if (s.autoDiscovery.family !== 'ipv4' && s.autoDiscovery.family !== 'ipv6')
      return refused('InvalidSpec', 'autoDiscovery.family must be ipv4 or ipv6');
  }
  if (!isAsn(s.peerASN)) return refused('InvalidSpec', 'peerASN must be 1-4294967295');
  if (s.myASN !== undefined && !isAsn(s.myASN)) return refused('InvalidSpec', 'myASN must be 1-4294967295');
  const hold = s.holdTimeSeconds ?? 90;
  if (!Number.isInteger(hold) || hold < 0 || hold > 65535 || (hold > 0 && hold < 3))
    return refused('InvalidTimers', `holdTimeSeconds must be 0 or 3-65535 (RFC 4271 §4.2), got ${hold}`);
  const keepalive = s.keepaliveTimeSeconds;
  // The speaker refuses the same (RFC 4271 §4.4: a hold time of 0 sends no KEEPALIVE at all).
  if (keepalive !== undefined && (!Number.isInteger(keepalive) || keepalive < 1 || keepalive >= hold))
    return refused(
      'InvalidTimers',
      hold === 0
        ? 'keepaliveTimeSeconds needs a non-zero holdTimeSeconds (RFC 4271 §4.4)'
        : 'keepaliveTimeSeconds must be 1 or more and less than holdTimeSeconds',
    );
  if (s.sourceAddress !== undefined && s.sourceInterface !== undefined)
    return refused('InvalidSpec', 'give at most one of sourceAddress and sourceInterface');
  if (s.sourceAddress !== undefined && canonicalAddress(s.sourceAddress) === undefined)
    return refused('InvalidAddress', `sourceAddress ${JSON.stringify(s.sourceAddress)} is not an address`);
  for (const f of ['ipv4', 'ipv6'] as const) {
    const nh = s.nextHop?.[f];
    if (nh !== undefined && familyOf(canonicalAddress(nh)) !== f)
      return refused('InvalidAddress', `nextHop.${f} ${JSON.stringify(nh)} is not an ${f} address`);
  }
  for (const f of s.families ?? [])
    if (f !== 'ipv4' && f !== 'ipv6')
      return refused('InvalidSpec', `families: unknown family ${JSON.stringify(f)}`);
  if (s.families !== undefined && s.families.length === 0)
    return refused('InvalidSpec', 'families must not be empty');
  if (s.routerID !== undefined && !isRouterId(s.routerID))
    return refused(
      'InvalidRouterID',
      `routerID ${JSON.stringify(s.routerID)} is not a non-zero dotted quad (RFC 6286)`,
    );
  if (s.ttlSecurity !== undefined && s.ebgpMultihop !== undefined)
    return refused('InvalidSpec', 'ttlSecurity (GTSM sends TTL 255) excludes ebgpMultihop');
  let password: PeerConfig['password'];
  const ref = s.passwordSecretRef;
  if (ref !== undefined) {
    const secret = ref.name === undefined ? undefined : secrets.get(ref.name);
    if (secret === undefined && pendingSecrets?.has(ref.name ?? '') === true)
      return refused('SecretPending', `Secret ${JSON.stringify(ref.name)} is being read`, true);
    if (secret === undefined)
      return refused(
        'SecretNotFound',
        `Secret ${JSON.stringify(ref.name ?? '')} not found in anyvip's namespace`,
      );
    password = secret.keys.get(ref.key ?? 'password');
    if (password === undefined)
      return refused(
        'SecretNotFound',
        `Secret ${secret.name} has no key ${JSON.stringify(ref.key ?? 'password')}`,
      );
  }
  return { kind: 'ok', password };
}

/** An accepted AnyvipPeer as a peer of this node; undefined (with a warning) when the node cannot. */
function peerOfObject(
  o: FabricObject<PeerSpec>,
  password: PeerConfig['password'],
  input: NodePeersInput,
  warnings: NodeWarning[],
): PeerConfig | undefined {
  const s = o.spec;
  const source = `AnyvipPeer/${o.name}`;
  let address = s.peerAddress === undefined ? undefined : canonicalAddress(s.peerAddress);
  if (s.autoDiscovery !== undefined) {
    const family = s.autoDiscovery.family === 'ipv6' ? 'ipv6' : 'ipv4';
    address = input.network?.defaultGateway[family];
    if (address !== undefined && /^fe[89ab]/i.test(address)) {
      // A link-local gateway (as router advertisements give) needs the interface to reach it,
      // which a peer address cannot carry yet: say so rather than try a session that cannot connect.
      warnings.push({
        reason: 'LinkLocalGateway',
        message: `${source}: node ${input.nodeName}'s ipv6 default gateway ${address} is link-local; give the router a global address on the link (or use peerAddress)`,
      });
      return undefined;
    }
    if (address === undefined) {
      warnings.push({
        reason: 'NoDefaultGateway',
        message: `${source}: node ${input.nodeName} has no ${family} default gateway${input.network === undefined ? ' (routes not read yet)' : ''}; not peering by autoDiscovery`,
      });
      return undefined;
    }
  }
  if (address === undefined) return undefined;
  const session = familyOf(address) ?? 'ipv4';
  let localAddress = s.sourceAddress === undefined ? undefined : canonicalAddress(s.sourceAddress);
  if (s.sourceInterface !== undefined) {
    localAddress = input.network?.interfaces.get(s.sourceInterface)?.find((a) => familyOf(a) === session);
    if (localAddress === undefined) {
      warnings.push({
        reason: 'NoSourceAddress',
        message: `${source}: interface ${s.sourceInterface} has no ${session} address on node ${input.nodeName}`,
      });
      return undefined;
    }
  }
  if (s.passive === true && input.flags?.listen === undefined) {
    warnings.push({
      reason: 'PassiveWithoutListen',
      message: `${source} is passive, but anyvip on node ${input.nodeName} does not listen (--listen-port)`,
    });
    return undefined;
  }
  const nextHops = otherFamilyNextHops(
    source,
    session,
    (s.families ?? [session]) as FamilyName[],
    s.nextHop,
    // A multihop peer is not on a link of ours: no interface tells its next hop.
    s.ebgpMultihop === undefined ? { peerAddress: address, localAddress } : undefined,
    input,
    warnings,
  );
  if (nextHops === undefined) return undefined;
  return {
    address,
    asn: s.peerASN ?? 0,
    port: s.port ?? 179,
    holdTimeSec: s.holdTimeSeconds ?? 90,
    ...(s.keepaliveTimeSeconds !== undefined ? { keepaliveTimeSec: s.keepaliveTimeSeconds } : {}),
    localAddress,
    passive: s.passive ?? false,
    multihop: s.ebgpMultihop,
    families: s.families === undefined ? undefined : nextHops.families,
    nextHopSelf: nextHops.nextHopSelf,
    connectRetrySec: s.connectRetryTimeSeconds,
    passwordFile: undefined,
    passwordFingerprint: password?.fingerprint,
    ttlSecurity: s.ttlSecurity === undefined ? undefined : { hops: s.ttlSecurity.hops ?? 1 },
    ...(s.bfd !== undefined
      ? {
          bfd: {
            minTxMs: s.bfd.minTxMs ?? 300,
            minRxMs: s.bfd.minRxMs ?? 300,
            multiplier: s.bfd.multiplier ?? 3,
            multihop: undefined,
          },
        }
      : {}),
    ...(s.gracefulRestart?.enabled === true
      ? {
          gracefulRestart: {
            restartTimeSec: s.gracefulRestart.restartTimeSeconds ?? 120,
            notification: false,
          },
        }
      : {}),
    source,
    ...(password !== undefined ? { password } : {}),
  };
}

/**
 * Families carried over a session of the other family need a next hop of that family:
 * `nextHop.<family>`; else, for a directly connected peer, this node's address of that family
 * on the session's interface (what the peer can reach, as BIRD and FRR choose theirs); else
 * the Node's address of it. A family with none is dropped here (Node warning); a peer left
 * with no family is not used.
 */
function otherFamilyNextHops(
  source: string,
  session: FamilyName,
  families: readonly FamilyName[],
  explicit: PeerSpec['nextHop'],
  direct: { readonly peerAddress: string; readonly localAddress: string | undefined } | undefined,
  input: NodePeersInput,
  warnings: NodeWarning[],
): { readonly families: readonly FamilyName[]; readonly nextHopSelf: PeerConfig['nextHopSelf'] } | undefined {
  const kept: FamilyName[] = [];
  const nextHopSelf: { ipv4?: string; ipv6?: string } = {};
  for (const f of families) {
    if (f === session) {
      kept.push(f);
      continue;
    }
    const given = explicit?.[f];
    const nh =
      given !== undefined
        ? canonicalAddress(given)
        : ((direct === undefined
            ? undefined
            : onLinkNextHop(input.network, direct.peerAddress, direct.localAddress, f)) ??
          nodeAddress(input.node, f));
    if (nh === undefined) {
      warnings.push({
        reason: 'NoNextHop',
        message: `${source}: node ${input.nodeName} has no ${f} address for ${f} routes over the ${session} session; set nextHop.${f}`,
      });
      continue;
    }
    nextHopSelf[f] = nh;
    kept.push(f);
  }
  if (kept.length === 0) return undefined;
  return { families: kept, nextHopSelf: Object.keys(nextHopSelf).length === 0 ? undefined : nextHopSelf };
}

/** kube-vip's node annotations: `<prefix>/peer-ip` (comma-separated) + `peer-asn`, `src-ip`, `peer-multi-hop`. */
function annotationPeers(
  input: NodePeersInput,
  annotations: Readonly<Record<string, string>>,
  warnings: NodeWarning[],
): PeerConfig[] {
  const prefix = input.kubeVipPrefix;
  const at = (key: string): string | undefined => annotations[`${prefix}/${key}`];
  if (at('bgp-pass') !== undefined)
    warnings.push({
      reason: 'PasswordAnnotationIgnored',
      message: `${prefix}/bgp-pass is ignored (a base64 annotation is readable by anyone who can read Nodes); name a Secret with ${nodePeerPasswordSecretKey}`,
    });
  const ips = at('peer-ip');
  if (ips === undefined || ips.trim() === '') return [];
  const asnText = at('peer-asn');
  const asn = asnText === undefined ? undefined : parseAsn(asnText);
  if (asn === undefined) {
    warnings.push({
      reason: 'InvalidNodeAnnotation',
      message: `${prefix}/peer-ip needs ${prefix}/peer-asn (1-4294967295), got ${JSON.stringify(asnText ?? '')}`,
    });
    return [];
  }
  const src = at('src-ip');
  const localAddress = src === undefined ? undefined : canonicalAddress(src);
  if (src !== undefined && localAddress === undefined) {
    warnings.push({
      reason: 'InvalidNodeAnnotation',
      message: `${prefix}/src-ip ${JSON.stringify(src)} is not an address`,
    });
    return [];
  }
  const hop = at('peer-multi-hop');
  let multihop: number | undefined;
  if (hop === 'true') multihop = 255;
  else if (hop !== undefined && hop !== 'false') {
    const n = Number(hop);
    if (!Number.isInteger(n) || n < 1 || n > 255) {
      warnings.push({
        reason: 'InvalidNodeAnnotation',
        message: `${prefix}/peer-multi-hop must be true, false or a TTL 1-255`,
      });
      return [];
    }
    multihop = n;
  }
  let password: PeerConfig['password'];
  const secretName = annotations[nodePeerPasswordSecretKey];
  if (secretName !== undefined) {
    // Still being listed: no peer yet, and nothing to warn about.
    if (input.pendingSecrets?.has(secretName) === true) return [];
    password = input.secrets.get(secretName)?.keys.get('password');
    if (password === undefined) {
      warnings.push({
        reason: 'SecretNotFound',
        message: `${nodePeerPasswordSecretKey}: Secret ${JSON.stringify(secretName)} with key "password" not found in anyvip's namespace; not peering by node annotation`,
      });
      return [];
    }
  }
  // The flags' session settings (hold time, BFD, GR) apply to annotation peers as to flag peers.
  const template = input.flags?.peers[0];
  const out: PeerConfig[] = [];
  for (const text of ips.split(',')) {
    const address = canonicalAddress(text.trim());
    if (address === undefined) {
      warnings.push({
        reason: 'InvalidNodeAnnotation',
        message: `${prefix}/peer-ip ${JSON.stringify(text.trim())} is not an address`,
      });
      continue;
    }
    out.push({
      address,
      asn,
      port: 179,
      holdTimeSec: template?.holdTimeSec ?? 90,
      ...(template?.keepaliveTimeSec !== undefined ? { keepaliveTimeSec: template.keepaliveTimeSec } : {}),
      localAddress,
      passive: false,
      multihop,
      families: undefined,
      nextHopSelf: undefined,
      connectRetrySec: template?.connectRetrySec,
      passwordFile: undefined,
      passwordFingerprint: password?.fingerprint,
      ttlSecurity: undefined,
      ...(template?.bfd !== undefined ? { bfd: template.bfd } : {}),
      ...(template?.gracefulRestart !== undefined ? { gracefulRestart: template.gracefulRestart } : {}),
      source: nodeAnnotationSource,
      ...(password !== undefined ? { password } : {}),
    });
  }
  return out;
}

interface NodeAsn {
  readonly value: number;
  readonly from: 'node' | 'myASN' | 'flag';
  /** Words for messages. */
  readonly by: string;
}

function nodeAsn(
  input: NodePeersInput,
  labels: Readonly<Record<string, string>>,
  annotations: Readonly<Record<string, string>>,
  usable: readonly { readonly o: FabricObject<PeerSpec> }[],
  warnings: NodeWarning[],
): NodeAsn | undefined {
  const candidates: [string | undefined, string][] = [
    [labels[nodeAsnKey], `node label ${nodeAsnKey}`],
    [annotations[nodeAsnKey], `node annotation ${nodeAsnKey}`],
    [annotations[`${input.kubeVipPrefix}/node-asn`], `node annotation ${input.kubeVipPrefix}/node-asn`],
  ];
  for (const [text, by] of candidates) {
    if (text === undefined) continue;
    const value = parseAsn(text);
    if (value !== undefined) return { value, from: 'node', by };
    warnings.push({
      reason: 'InvalidNodeAnnotation',
      message: `${by}: ${JSON.stringify(text)} is not an AS number`,
    });
  }
  const first = usable.find((u) => u.o.spec.myASN !== undefined);
  if (first?.o.spec.myASN !== undefined)
    return { value: first.o.spec.myASN, from: 'myASN', by: `myASN of AnyvipPeer ${first.o.name}` };
  if (input.flags !== undefined) return { value: input.flags.asn, from: 'flag', by: '--asn' };
  warnings.push({
    reason: 'NoASN',
    message: `node ${input.nodeName} has no AS: set --asn, myASN or ${nodeAsnKey}`,
  });
  return undefined;
}

function nodeRouterId(
  input: NodePeersInput,
  annotations: Readonly<Record<string, string>>,
  usable: readonly { readonly o: FabricObject<PeerSpec> }[],
  warnings: NodeWarning[],
): string | undefined {
  const annotated = annotations[nodeRouterIdKey];
  if (annotated !== undefined) {
    if (isRouterId(annotated)) return annotated;
    warnings.push({
      reason: 'InvalidNodeAnnotation',
      message: `${nodeRouterIdKey}: ${JSON.stringify(annotated)} is not a non-zero dotted quad (RFC 6286)`,
    });
  }
  const fromPeer = usable.find((u) => u.o.spec.routerID !== undefined)?.o.spec.routerID;
  if (fromPeer !== undefined) return fromPeer;
  if (input.flags?.routerId !== undefined) return input.flags.routerId;
  const v4 = nodeAddress(input.node, 'ipv4');
  if (v4 !== undefined) return v4;
  warnings.push({
    reason: 'NoRouterID',
    message: `node ${input.nodeName} has no IPv4 address for a router id: set ${nodeRouterIdKey} or routerID`,
  });
  return undefined;
}

/** The Node's first address of a family: InternalIP, else ExternalIP. */
export function nodeAddress(node: ClusterNode | undefined, family: FamilyName): string | undefined {
  const addresses = node?.status?.addresses ?? [];
  for (const type of ['InternalIP', 'ExternalIP']) {
    for (const a of addresses) {
      if (a.type !== type) continue;
      const c = canonicalAddress(a.address);
      if (c !== undefined && familyOf(c) === family) return c;
    }
  }
  return undefined;
}

function familyOf(address: string | undefined): FamilyName | undefined {
  if (address === undefined) return undefined;
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

function isAsn(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= maxAsn;
}

function isRouterId(text: string): boolean {
  const v = parseIpv4(text);
  return v !== undefined && v !== 0;
}

/** `65010`, or asdot `1.10` (RFC 5396). */
function parseAsn(text: string): number | undefined {
  const t = text.trim();
  const dot = /^(\d{1,5})\.(\d{1,5})$/.exec(t);
  if (dot !== null) {
    const v = Number(dot[1]) * 65536 + Number(dot[2]);
    return Number(dot[1]) <= 0xffff && Number(dot[2]) <= 0xffff && v > 0 ? v : undefined;
  }
  if (!/^\d{1,10}$/.test(t)) return undefined;
  const n = Number(t);
  return isAsn(n) ? n : undefined;
}
