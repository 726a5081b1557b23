# anyvip container image. Build (no engine runs in this repo's CI; the Dockerfile is linted by
# packages/controller/test/deploy/dockerfile.test.ts):
#   docker build -t ghcr.io/anyvip/anyvip:0.1.0 .
#   docker run --rm ghcr.io/anyvip/anyvip:0.1.0 manifest daemonset --asn 65001 --peer 10.0.0.1 --peer-asn 65000
# Runtime contract (what examples/kubernetes/ and `anyvip manifest` rely on):
#   - runs as UID/GID 65532 (non-root); ENTRYPOINT is `anyvip`, arguments are its command line;
#   - /usr/bin/ip carries the file capability cap_net_admin+ep, so the non-root process can bind
#     VIPs to lo when the pod grants NET_ADMIN (capabilities.add) and allows privilege
#     escalation (file capabilities need it); nothing else is privileged;
#   - writes nothing to the root file system (readOnlyRootFilesystem: true works); /tmp is the
#     only scratch path and should be an emptyDir/tmpfs.

# ---- build: install with the lockfile, compile, keep only production dependencies ----------
FROM node:24-bookworm-slim AS build
WORKDIR /src
# A C compiler for @anyvip/tcp-auth's Node-API addon (TCP-MD5, GTSM); node's headers come with the image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
# pnpm at the version package.json's packageManager names, from the npm registry.
RUN npm install --global --no-fund --no-audit pnpm@10.34.9
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
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
# The addon (build/tcp_auth.node) is not in the package's `files`, so deploy leaves it out: copy it in.
RUN ANYVIP_TCP_AUTH_REQUIRED=1 pnpm -r --workspace-concurrency=1 run build \
 && pnpm --filter @anyvip/controller deploy --prod --legacy /out \
 && addon_dir="$(dirname "$(find -L /out/node_modules -path '*/@anyvip/tcp-auth/package.json' | head -n 1)")" \
 && mkdir -p "$addon_dir/build" \
 && cp packages/tcp-auth/build/tcp_auth.node "$addon_dir/build/"

# ---- runtime: node, iproute2, our files; no compiler, no package manager state --------------
FROM node:24-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 libcap2-bin \
 && setcap cap_net_admin+ep /usr/bin/ip \
 && apt-get purge -y libcap2-bin \
 && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 anyvip \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin anyvip
ENV NODE_ENV=production
# A 2 MB young generation keeps 10,000 Services under 200 MB RSS (measured: 180 MB vs 306 MB with
# V8's default, which lets it grow to 128 MB in bursts and stay resident); it only works at start-up.
COPY --from=build --chown=0:0 /out /app
USER 65532:65532
WORKDIR /tmp
EXPOSE 9716
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/dist/main.js"]
CMD ["--help"]
