/**
 * @anyvip/controller: feeds `@anyvip/bgp` with health-gated VIPs (standalone, routing-table
 * and Kubernetes modes). The controller itself is built in the controller issue; this
 * module only fixes the package's place in the workspace.
 */
export const controllerPackage = '@anyvip/controller' as const;
