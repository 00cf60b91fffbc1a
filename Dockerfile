# proxyctl runs its TypeScript sources through tsx (a runtime dependency, see package.json), so there is
# no compile step: the image carries node_modules without dev dependencies, src/, bin/ and package.json.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# nft for the nftables backend; the iptables package brings iptables-nft (Debian's default alternative) and
# iptables-legacy (switch with update-alternatives); conntrack clears stale entries; iproute2 for `ip`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nftables iptables conntrack iproute2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY bin/proxyctl.js ./bin/
COPY src/ ./src/
# Runs as root: the DaemonSet grants NET_ADMIN/NET_RAW, which a non-root user would not hold effectively.
ENTRYPOINT ["node", "/app/bin/proxyctl.js"]
CMD ["run"]
