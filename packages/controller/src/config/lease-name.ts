/**
 * The lease name of one instance: `anyvip` without a class, else `anyvip-` and the class
 * made a DNS label (`example.com/blue` → `anyvip-example-com-blue`), with a hash suffix when
 * too long or when the cleaning changed it, so two classes never share a lease.
 */
export function leaseNameFor(loadBalancerClass: string | undefined): string {
  if (loadBalancerClass === undefined || loadBalancerClass === '') return 'anyvip';
  const cleaned = loadBalancerClass
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = `anyvip-${cleaned}`;
  const lossless = cleaned === loadBalancerClass && name.length <= 63;
  if (lossless) return name;
  // Loaded here, not imported: only Kubernetes mode needs a lease name, and crypto costs
  // +3 MB of RSS in every process that loads it.
  const { createHash } = process.getBuiltinModule('node:crypto');
  const hash = createHash('sha256').update(loadBalancerClass).digest('hex').slice(0, 8);
  return `${name.slice(0, 63 - 9).replace(/-+$/, '')}-${hash}`;
}
