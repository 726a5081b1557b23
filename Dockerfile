# anyvip container image. Build with any OCI builder, e.g.:
#   podman build -t ghcr.io/anyvip/anyvip:0.1.0 .      (or docker build)
#   podman run --rm ghcr.io/anyvip/anyvip:0.1.0 manifest daemonset --asn 65001 --peer 10.0.0.1 --peer-asn 65000
# CI builds it with scripts/image/image.sh (podman, a locally made base) and runs it as
# Kubernetes does in packages/controller/test/interop/container.interop.test.ts.
# Runtime contract (what examples/kubernetes/ and `anyvip manifest` rely on, docs/container.md):
#   - runs as UID 0 with every capability dropped but NET_ADMIN (capabilities: drop [ALL],
#     add [NET_ADMIN]; allowPrivilegeEscalation: false works): root keeps NET_ADMIN across
#     exec, so the `ip` anyvip runs can bind VIPs to lo; no setuid bit, no file capability;
#   - `anyvip` is on PATH and is the ENTRYPOINT: the container's arguments are its command
#     line, and `kubectl exec POD -- anyvip status` works;
#   - writes nothing to the root file system (readOnlyRootFilesystem: true works); /tmp is the
#     only scratch path and should be an emptyDir/tmpfs.

# ---- build: install with the lockfile, compile and bundle, keep only what runs -------------
FROM node:24-bookworm-slim AS build
WORKDIR /src
# A C compiler for @anyvip/tcp-auth's Node-API addon (TCP-MD5, GTSM); node's headers come with the image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
# pnpm at the version package.json's packageManager names, from the npm registry.
RUN npm install --global --no-fund --no-audit pnpm@10.34.9
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json LICENSE ./
COPY packages/clock/package.json packages/clock/
COPY packages/bgp/package.json packages/bgp/
COPY packages/healthcheck/package.json packages/healthcheck/
COPY packages/controller/package.json packages/controller/
COPY packages/tcp-auth/package.json packages/tcp-auth/
RUN pnpm install --frozen-lockfile --ignore-scripts
COPY packages/clock packages/clock
COPY packages/bgp packages/bgp
COPY packages/healthcheck packages/healthcheck
COPY packages/controller packages/controller
COPY packages/tcp-auth packages/tcp-auth
# ANYVIP_TCP_AUTH_REQUIRED=1: a failed addon build fails the image instead of shipping without it.
# What runs is the controller's minified bundle (dist/bundle: every JavaScript dependency inside,
# Kubernetes mode in chunks loaded on demand), so /out holds only that and the one package the
# bundle loads at run time: @anyvip/tcp-auth, found by Node's resolution from /app/dist/bundle
# in /app/node_modules, with its compiled addon (build/tcp_auth.node is not in its package files).
# No node_modules tree, no type declarations, no source maps.
RUN ANYVIP_TCP_AUTH_REQUIRED=1 pnpm -r --workspace-concurrency=1 run build \
 && mkdir -p /out/dist /out/node_modules/@anyvip/tcp-auth/build \
 && cp -r packages/controller/dist/bundle /out/dist/bundle \
 && rm /out/dist/bundle/graph.json \
 && cp LICENSE /out/ \
 && cp -r packages/tcp-auth/package.json packages/tcp-auth/dist /out/node_modules/@anyvip/tcp-auth/ \
 && cp packages/tcp-auth/build/tcp_auth.node /out/node_modules/@anyvip/tcp-auth/build/ \
 && find /out \( -name '*.d.ts' -o -name '*.map' \) -type f -delete

# ---- runtime: node, iproute2, our files; no compiler, no package manager ---------------------
FROM node:24-bookworm-slim AS runtime
# iproute2 binds VIPs (`ip -batch`); `ip -V` fails the build if it is missing. npm and yarn go:
# nothing installs packages at run time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 \
 && rm -rf /var/lib/apt/lists/* \
 && ip -V \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /usr/local/include/node \
      /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
# A 2 MB young generation keeps 10,000 Services under 200 MB RSS (measured: 180 MB vs 306 MB with
# V8's default, which lets it grow to 128 MB in bursts and stay resident); it only works at start-up.
# The same value is in packages/controller/src/manifest/process-env.ts (the DaemonSet's env, the
# benchmarks); a test holds them equal.
# glibc's malloc keeps trimming the freed top of its heap (process-env.ts says why, measured).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=2 \
    GLIBC_TUNABLES=glibc.malloc.trim_threshold=131072
COPY --from=build --chown=0:0 /out /app
RUN chmod 0755 /app/dist/bundle/anyvip.mjs \
 && ln -s /app/dist/bundle/anyvip.mjs /usr/local/bin/anyvip \
 && anyvip --help >/dev/null
# Root, with the capabilities the pod grants (NET_ADMIN only): see docs/container.md.
USER 0:0
WORKDIR /tmp
EXPOSE 9716
ENTRYPOINT ["/usr/local/bin/anyvip"]
CMD ["--help"]
