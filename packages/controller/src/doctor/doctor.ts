import { checkArpOnLo } from './arp-on-lo.js';
import { checkCapabilities } from './capabilities.js';
import type { Finding, Severity } from './finding.js';
import type { DoctorTarget, HostFacts } from './host-facts.js';
import { checkKubeProxy } from './kube-proxy.js';
import { checkMultipathHash } from './multipath-hash.js';
import { type ConnectOutcome, evaluatePeerReachability } from './peer-reachability.js';
import { checkRpFilter } from './rp-filter.js';

/** Every host check, in the order they print. Pure: facts in, findings out. */
export function evaluateHost(
  facts: HostFacts,
  target: DoctorTarget,
  reachability: ReadonlyMap<string, ConnectOutcome>,
): Finding[] {
  return [
    ...checkCapabilities(facts, target),
    ...checkMultipathHash(facts),
    ...checkRpFilter(facts),
    ...checkArpOnLo(facts, target),
    ...checkKubeProxy(facts, target),
    ...evaluatePeerReachability(
      target.peers.map((peer) => ({ peer, outcome: reachability.get(peer.address) })),
    ),
  ];
}

const LABEL: Readonly<Record<Severity, string>> = {
  ok: 'ok',
  info: 'info',
  warning: 'WARNING',
  error: 'ERROR',
};

/** The findings as text, one block per finding, then a summary line. */
export function formatFindings(findings: readonly Finding[]): string {
  const lines: string[] = [];
  const idWidth = Math.max(...findings.map((f) => f.id.length), 2);
  for (const f of findings) {
    lines.push(`${LABEL[f.severity].padEnd(8)} ${f.id.padEnd(idWidth)}  ${f.seen}`);
    if (f.severity !== 'ok') lines.push(`${' '.repeat(9 + idWidth + 2)}${f.why}`);
    if (f.fix !== undefined && f.severity !== 'ok') lines.push(`${' '.repeat(9 + idWidth + 2)}fix: ${f.fix}`);
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  lines.push(
    `${count('error')} errors, ${count('warning')} warnings, ${count('info')} notes, ${count('ok')} ok`,
  );
  return `${lines.join('\n')}\n`;
}
