/**
 * The parts of Kubernetes objects the planner reads, as minimal readonly structural types.
 * Both shapes the client hands out fit them: `@kubernetes/client-node` model classes (from
 * lists; timestamps are `Date`) and plain JSON (from watches; timestamps are strings), so
 * desired/ needs no client import and tests build objects as literals. Pure types.
 */

/** `metadata`, as far as we read it. */
export interface ClusterObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** `Date` from a list, RFC 3339 text from a watch. */
  readonly creationTimestamp?: Date | string;
}

/** One `spec.ports[]` entry (sharing an address needs disjoint ports). */
export interface ClusterServicePort {
  readonly port: number;
  readonly protocol?: string;
}

/** A Service (core/v1). */
export interface ClusterService {
  readonly metadata?: ClusterObjectMeta;
  readonly spec?: {
    readonly type?: string;
    readonly loadBalancerClass?: string;
    readonly loadBalancerIP?: string;
    readonly externalTrafficPolicy?: string;
    readonly ipFamilies?: readonly string[];
    readonly ipFamilyPolicy?: string;
    readonly ports?: readonly ClusterServicePort[];
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
  };
  readonly status?: {
    readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] };
  };
}

/** An EndpointSlice (discovery/v1); `metadata.labels['kubernetes.io/service-name']` names its Service. */
export interface ClusterEndpointSlice {
  readonly metadata?: ClusterObjectMeta;
  readonly endpoints?: readonly {
    readonly addresses?: readonly string[];
    readonly nodeName?: string;
    /** The Pod behind the endpoint (one Pod appears once per address family's slice). */
    readonly targetRef?: { readonly uid?: string; readonly name?: string; readonly namespace?: string };
    readonly conditions?: {
      readonly ready?: boolean;
      readonly serving?: boolean;
      readonly terminating?: boolean;
    };
  }[];
}

/** A Node (core/v1). */
export interface ClusterNode {
  readonly metadata?: ClusterObjectMeta;
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: {
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
    readonly addresses?: readonly { readonly type: string; readonly address: string }[];
  };
}

/** The label an EndpointSlice carries with the name of its Service. */
export const serviceNameLabel = 'kubernetes.io/service-name';

/** `namespace/name`, the key Services are known by. */
export function serviceKey(s: { readonly metadata?: ClusterObjectMeta }): string {
  return `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
}
