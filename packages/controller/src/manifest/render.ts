import { stringify } from 'yaml';
import type { KubernetesObject } from './options.js';

/** Objects as one multi-document YAML stream, in order, each after a `---`. */
export function renderManifests(objects: readonly KubernetesObject[], header?: string): string {
  const head =
    header === undefined
      ? ''
      : `${header
          .split('\n')
          .map((l) => `# ${l}`.trimEnd())
          .join('\n')}\n`;
  return head + objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}
