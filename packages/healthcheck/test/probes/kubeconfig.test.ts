import { describe, expect, it } from 'vitest';
import { HealthError } from '../../src/errors.js';
import { resolveKubeconfig } from '../../src/probes/kubeconfig.js';
import { parseKubeconfigYaml } from '../../src/probes/kubeconfig-yaml.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** The shape kubeadm writes to /etc/kubernetes/admin.conf (client-go's serializer). */
const adminConf = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64('CA PEM')}
    server: https://10.250.0.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
preferences: {}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: ${b64('CERT PEM')}
    client-key-data: ${b64('KEY PEM')}
`;

describe('kubeconfig YAML subset', () => {
  it('parses the block style client-go writes, including compact sequences', () => {
    expect(parseKubeconfigYaml(adminConf)).toMatchObject({
      apiVersion: 'v1',
      clusters: [{ cluster: { server: 'https://10.250.0.10:6443' }, name: 'kubernetes' }],
      'current-context': 'kubernetes-admin@kubernetes',
      preferences: {},
    });
  });

  it('handles comments, quoted scalars, booleans, indented sequences and JSON', () => {
    const text = [
      '# a comment',
      'a: "quoted # not a comment"  # a comment',
      "b: 'it''s'",
      'c: true',
      'd:',
      '  - x',
      '  - k: v',
      '    k2: v2',
      'e: ~',
      'f: http://h:1/p#frag',
    ].join('\n');
    expect(parseKubeconfigYaml(text)).toEqual({
      a: 'quoted # not a comment',
      b: "it's",
      c: true,
      d: ['x', { k: 'v', k2: 'v2' }],
      e: null,
      f: 'http://h:1/p#frag',
    });
    expect(parseKubeconfigYaml('{"a": [1, {"b": "c"}]}')).toEqual({ a: [1, { b: 'c' }] });
  });

  it.each([
    ['a block scalar', 'a: |\n  text'],
    ['an anchor', 'a: &x 1'],
    ['a flow mapping with content', 'a: {b: c}'],
    ['bad indentation', 'a: 1\n   b: 2'],
    ['a line without a key', 'just text'],
  ])('refuses %s with ANYVIP_HEALTH_BAD_KUBECONFIG', (_name, text) => {
    expect(() => parseKubeconfigYaml(text)).toThrow(HealthError);
  });
});

describe('resolving a kubeconfig context to credentials', () => {
  it('takes the current context, embedded CA and client certificate', () => {
    const auth = resolveKubeconfig(adminConf, '/etc/kubernetes/admin.conf');
    expect(auth.context).toBe('kubernetes-admin@kubernetes');
    expect(auth.server).toBe('https://10.250.0.10:6443');
    expect(auth.ca).toEqual({ kind: 'inline', data: Buffer.from('CA PEM') });
    expect(auth.clientCert).toEqual({ kind: 'inline', data: Buffer.from('CERT PEM') });
    expect(auth.clientKey).toEqual({ kind: 'inline', data: Buffer.from('KEY PEM') });
    expect(auth.token).toBeUndefined();
    expect(auth.insecureSkipVerify).toBe(false);
  });

  it('resolves relative file paths against the kubeconfig directory, and tokenFile', () => {
    const text = `
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority: pki/ca.crt
    tls-server-name: kubernetes
contexts:
- name: x
  context:
    cluster: c
    user: u
users:
- name: u
  user:
    tokenFile: /var/run/secrets/token
`;
    const auth = resolveKubeconfig(text, '/etc/anyvip/kubeconfig', 'x');
    expect(auth.ca).toEqual({ kind: 'file', path: '/etc/anyvip/pki/ca.crt' });
    expect(auth.token).toEqual({ kind: 'file', path: '/var/run/secrets/token' });
    expect(auth.tlsServerName).toBe('kubernetes');
  });

  it('reads an inline token and insecure-skip-tls-verify', () => {
    const json = JSON.stringify({
      'current-context': 'x',
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      clusters: [
        { name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'u', user: { token: 'abc' } }],
    });
    const auth = resolveKubeconfig(json, '/k');
    expect(auth.token).toEqual({ kind: 'inline', data: Buffer.from('abc') });
    expect(auth.insecureSkipVerify).toBe(true);
  });

  it.each([
    [
      'a missing context',
      adminConf.replace('current-context: kubernetes-admin@kubernetes', 'current-context: other'),
    ],
    ['no current context', adminConf.replace('current-context: kubernetes-admin@kubernetes\n', '')],
    [
      'an exec plugin',
      adminConf.replace('    client-certificate-data', '    exec:\n      command: aws\n    x-data'),
    ],
    ['a missing cluster', adminConf.replace('    cluster: kubernetes\n', '    cluster: nope\n')],
    ['a certificate without key', adminConf.replace(/ {4}client-key-data: .*\n/, '')],
  ])('refuses %s with ANYVIP_HEALTH_BAD_KUBECONFIG naming the file', (_name, text) => {
    try {
      resolveKubeconfig(text, '/etc/kubernetes/admin.conf');
      expect.unreachable();
    } catch (e) {
      expect((e as HealthError).code).toBe('ANYVIP_HEALTH_BAD_KUBECONFIG');
      expect((e as HealthError).message).toMatch(/^kubeconfig \/etc\/kubernetes\/admin\.conf: /);
    }
  });
});
