import type { ManifestOptions } from './options.js';

/** The image's non-root user (see the Dockerfile). */
export const imageUid = 65532;

/**
 * The container's security context: the image's non-root user, every capability dropped
 * but CAP_NET_ADMIN (for `ip addr` on `lo` and table routes), and a read-only root file
 * system. CAP_NET_BIND_SERVICE is added only when anyvip listens for BGP below port 1024.
 *
 * Why `allowPrivilegeEscalation` stays true: a non-root process gets no effective
 * capabilities from the pod's list (the runtime puts them in the bounding set only), so the
 * image gives `ip` the file capability `cap_net_admin+ep`, and file capabilities take effect
 * only without no_new_privs, which `allowPrivilegeEscalation: false` sets. The bounding set
 * still caps what `ip` can get at NET_ADMIN.
 *
 * Listening below 1024 needs CAP_NET_BIND_SERVICE in node itself; giving node that file
 * capability would make it refuse to start wherever the pod does not grant it (the kernel
 * rejects an exec whose forced file capabilities the bounding set lacks), so that one case
 * runs as UID 0 with the same two capabilities. Prefer a port >= 1024 on our side and the
 * router's `neighbor … port N`.
 */
export function containerSecurityContext(o: ManifestOptions): Record<string, unknown> {
  const privilegedPort = o.listenPort !== undefined && o.listenPort < 1024;
  return {
    runAsNonRoot: !privilegedPort,
    runAsUser: privilegedPort ? 0 : imageUid,
    runAsGroup: privilegedPort ? 0 : imageUid,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: true,
    capabilities: {
      drop: ['ALL'],
      add: privilegedPort ? ['NET_ADMIN', 'NET_BIND_SERVICE'] : ['NET_ADMIN'],
    },
  };
}
