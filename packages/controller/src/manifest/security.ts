import type { ManifestOptions } from './options.js';

/**
 * The container's security context, kube-vip's model: UID 0 with every capability dropped but
 * CAP_NET_ADMIN (for `ip addr` on `lo` and table routes), no privilege escalation, a
 * read-only root file system and the runtime's default seccomp profile. CAP_NET_BIND_SERVICE
 * is added only when anyvip listens for BGP below port 1024.
 *
 * Why root: Kubernetes (containerd, CRI-O) gives a non-root container's process no effective,
 * inheritable or ambient capabilities; what the pod adds only widens the bounding set. A
 * non-root anyvip would need a file capability on `ip`, which iproute2 itself defeats (it drops
 * every capability for a non-root user unless CAP_NET_ADMIN is inheritable) and which
 * `allowPrivilegeEscalation: false` (no_new_privs) disables anyway. UID 0 keeps exactly the
 * capabilities in the bounding set across exec, so `ip` gets NET_ADMIN and nothing else;
 * without CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_SYS_ADMIN and the rest, root in the container can
 * read and write only what it owns, on a read-only root file system. In-process netlink
 * would let a non-root user with an ambient capability do it, which Kubernetes cannot grant
 * (KEP-2763 is not merged); see docs/container.md.
 */
export function containerSecurityContext(o: ManifestOptions): Record<string, unknown> {
  const privilegedPort = o.listenPort !== undefined && o.listenPort < 1024;
  return {
    runAsUser: 0,
    runAsGroup: 0,
    runAsNonRoot: false,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    seccompProfile: { type: 'RuntimeDefault' },
    capabilities: {
      drop: ['ALL'],
      add: privilegedPort ? ['NET_ADMIN', 'NET_BIND_SERVICE'] : ['NET_ADMIN'],
    },
  };
}
