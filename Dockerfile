# mjbot's container image. Targets:
#   runtime (default)  the bot alone: production dependencies, non-root, data volume, health check
#   playground         the bot in a browser against the built-in stand-ins (needs the dev dependencies)
#
#   docker build -t mjbot .
#   docker build --target playground -t mjbot-playground .
#
# BASE is the official Node image. Where Docker Hub cannot be reached, scripts/container-base.sh makes
# a local equivalent (Debian bookworm + Node 20) and the build takes --build-arg BASE=mjbot-base:local.
ARG BASE=node:20-bookworm-slim

# ---- deps: every dependency, with sqlite3's native module compiled ------------------------------
FROM ${BASE} AS deps
# sqlite3 has no prebuilt binary it can always download: node-gyp compiles it (python3, make, g++).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# node-gyp builds against the headers that ship with the running node when they are there (no download).
RUN prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"; \
    if [ -f "$prefix/include/node/node.h" ]; then export npm_config_nodedir="$prefix"; fi; \
    npm ci --no-audit --no-fund

# ---- prod-deps: the same tree without the dev dependencies (no second compile) -----------------
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund

# ---- playground: npm run playground (stand-ins/ need ws and the other dev dependencies) ---------
FROM ${BASE} AS playground
RUN groupadd --gid 10001 mjbot \
 && useradd --uid 10001 --gid mjbot --home-dir /app --no-create-home --shell /usr/sbin/nologin mjbot
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY commands ./commands
COPY stand-ins ./stand-ins
RUN mkdir -p data && chown mjbot:mjbot data
USER mjbot
ENV NODE_ENV=production
# The page listens on 127.0.0.1 unless told otherwise: inside a container, publish it with
# PLAYGROUND_HOST=0.0.0.0 and -p 127.0.0.1:5190:5190 (the same port on both sides: the page checks Host).
EXPOSE 5190
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "stand-ins/playground/main.ts"]

# ---- runtime: the bot (default target) ---------------------------------------------------------
FROM ${BASE} AS runtime
RUN groupadd --gid 10001 mjbot \
 && useradd --uid 10001 --gid mjbot --home-dir /app --no-create-home --shell /usr/sbin/nologin mjbot
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY commands ./commands
COPY scripts/healthcheck.js ./scripts/healthcheck.js
# STORE_URL's default, sqlite://data/mjbot.sqlite, is relative to WORKDIR: /app/data. Made and owned
# here, before VOLUME, so a new named volume starts out writable by the bot's user.
RUN mkdir -p data && chown mjbot:mjbot data
VOLUME ["/app/data"]
USER mjbot
# The health server (/healthz, /readyz, /metrics) is off unless HEALTH_PORT is set: the image sets it,
# on loopback, for its own HEALTHCHECK. A scraper outside the container needs HEALTH_HOST=0.0.0.0, a
# published port and METRICS_TOKEN (/metrics is open on a loopback address only).
ENV NODE_ENV=production \
    HEALTH_HOST=127.0.0.1 \
    HEALTH_PORT=8788
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "scripts/healthcheck.js"]
# Node itself is PID 1 (no npm, no tsx CLI in between): SIGTERM reaches src/main.ts, which stops the
# bot (interactions, poller, leases, client, store) well within docker stop's 10 s.
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=2", "--optimize-for-size", "--import", "tsx", "src/main.ts"]
