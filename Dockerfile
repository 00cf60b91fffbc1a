# Three stages: production node_modules; the compiled CLI (dist/, by `npm run build`, which `npm ci` runs
# as the prepare script); and the final image, which runs the compiled code — no TypeScript at run time.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src/ ./src/
# bin/build-kube-client.js bundles the client-node classes the daemon uses into dist/vendor/.
COPY bin/build-kube-client.js ./bin/
RUN npm ci --no-audit --no-fund

FROM node:24-bookworm-slim
# nft for the nftables backend; the iptables package brings iptables-nft (Debian's default alternative) and
# iptables-legacy (switch with update-alternatives); conntrack clears stale entries; iproute2 for `ip`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nftables iptables conntrack iproute2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
# glibc keeps one malloc arena per thread and returns little of it; two arenas cut the daemon's resident
# memory by about 10% at 10k services (measured: 328 -> 293 MB) at no measurable cost.
ENV MALLOC_ARENA_MAX=2
# Node reads sockets in 64 KB buffers; glibc's default puts them on the brk heap, which a list of 20k objects
# leaves fragmented (~5 MB never returned). From 64 KB, allocations are mmap'd and returned when freed.
ENV MALLOC_MMAP_THRESHOLD_=65536
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin/proxyctl.js ./bin/
# Runs as root: the DaemonSet grants NET_ADMIN/NET_RAW, which a non-root user would not hold effectively.
# A 4 MB young generation (node's default grows to 16 MB x 2) keeps the long-lived daemon ~30 MB smaller at
# 10k services, first sync no slower (BENCHMARKS.md). Heap sizes are read once at start: only a node flag
# works, not v8.setFlagsFromString. `npm run bench` runs the daemon with these flags and ENV values.
ENTRYPOINT ["node", "--max-semi-space-size=4", "/app/bin/proxyctl.js"]
CMD ["run"]
