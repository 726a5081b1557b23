import { formatIpv4Bytes } from '../address.js';
import { AttrFlag, AttrType } from '../constants.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import { ipv4OrThrow } from './next-hop.js';
import type { ClusterListAttribute } from './path-attribute.js';

/**
 * CLUSTER_LIST (type 10, RFC 4456 §8): optional non-transitive, a list of 4-octet
 * CLUSTER_IDs. A length that is not a non-zero multiple of 4 is treat-as-withdraw
 * (RFC 7606 §7.10).
 */
export const clusterListCodec: AttributeCodec<ClusterListAttribute> = {
  code: AttrType.CLUSTER_LIST,
  kind: 'clusterList',
  name: 'CLUSTER_LIST',
  flags: AttrFlag.OPTIONAL,
  decode(attr, at) {
    const n = attr.length - at;
    if (n === 0 || n % 4 !== 0) {
      throw attributeLengthError(
        attr,
        'treatAsWithdraw',
        `CLUSTER_LIST length ${n} is not a non-zero multiple of 4`,
      );
    }
    const ids: string[] = [];
    for (let p = at; p < attr.length; p += 4) ids.push(formatIpv4Bytes(attr, p));
    return { kind: 'clusterList', flags: attr[0]!, ids };
  },
  encode(w, a) {
    for (const id of a.ids) w.u32(ipv4OrThrow(id, 'CLUSTER_ID'));
  },
};
