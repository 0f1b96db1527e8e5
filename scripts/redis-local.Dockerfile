# A local stand-in for the official redis:7-bookworm image, for machines that reach no Docker Hub
# (scripts/scaled-check.sh builds it when the pull fails): Debian bookworm's own redis-server (7.0),
# on the local base scripts/container-base.sh makes. compose.yaml takes it through REDIS_IMAGE:
#
#   docker build --network host -f scripts/redis-local.Dockerfile -t mjbot-redis:local scripts
#   REDIS_IMAGE=mjbot-redis:local docker-compose --profile scaled up -d redis rest-proxy bot-0 bot-1
#
# It behaves as the official image does where compose.yaml relies on it: `redis-server` and
# `redis-cli` on the PATH, the data in /data (a volume, the working directory), run as the user
# redis, and protected mode off (below).
ARG BASE=mjbot-base:local
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /data && chown redis:redis /data
VOLUME ["/data"]
WORKDIR /data
USER redis
# Debian's redis-server starts in protected mode when it has no password: it answers clients on
# loopback only and refuses the bot's containers ("DENIED Redis is running in protected mode").
# The official image compiles it off, since only ports published by hand are reachable from
# outside a container; the same here, for `redis-server` with whatever arguments compose gives.
ENTRYPOINT ["/bin/sh", "-c", "if [ \"$1\" = redis-server ]; then shift; exec redis-server --protected-mode no \"$@\"; fi; exec \"$@\"", "redis-entry"]
CMD ["redis-server"]
EXPOSE 6379
STOPSIGNAL SIGTERM
