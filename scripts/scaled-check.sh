#!/usr/bin/env bash
# Runs compose.yaml's `scaled` profile here, end to end, and proves it: builds the bot's image and a Redis 7
# image, starts the stand-ins of Discord and the proxy on the host (stand-ins/scaled-check.ts), runs
# `--profile scaled up -d redis rest-proxy bot-0 bot-1` on the compose network with the bots pointed at the
# REST proxy and the proxy at the fake Discord, waits for Docker to call all four healthy, then lets the
# stand-ins run the scenario (two shards, a job per shard, one process stopped mid-job and the other showing
# its result, a click on the restarted one's shard, every Discord request through the proxy), and tears it
# all down. Exits non-zero when any of that fails. Re-runnable; removes what it started.
#
#   scripts/scaled-check.sh                # output also goes to docs/scaled-check.log
#
# Needs what scripts/container-check.sh needs (Docker, npm ci on the host, a base image: BASE, else
# node:20-bookworm-slim from Docker Hub, else mjbot-base:local from scripts/container-base.sh) and a compose
# tool (docker-compose 1.29 with profiles, or docker compose). Redis: redis:7-bookworm when Docker Hub answers,
# else mjbot-redis:local, built from scripts/redis-local.Dockerfile on the base (REDIS_IMAGE chooses another).
# Not part of npm test or CI: CI has no Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/docker-engine.sh

LOG="${SCALED_CHECK_LOG:-docs/scaled-check.log}"
IMAGE="${SCALED_CHECK_IMAGE:-mjbot:check}"  # SCALED_CHECK_IMAGE, not IMAGE: CI systems often set that
OFFICIAL_REDIS="redis:7-bookworm"
LOCAL_REDIS="mjbot-redis:local"
HEALTHY_TIMEOUT_S="${HEALTHY_TIMEOUT_S:-240}"
# BOT_LOG_LEVEL=debug: the bots log at debug level (stand-ins/scaled-check.ts writes it into their .env).
SCENARIO_TIMEOUT_S="${SCENARIO_TIMEOUT_S:-600}"

mkdir -p "$(dirname "$LOG")"
exec > >(tee "$LOG") 2>&1
tee_pid=$!

t0=$(date +%s)
step() { printf '\n== %s (+%ss)\n' "$*" "$(($(date +%s) - t0))"; }
say() { printf '   %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*"; exit 1; }

project="mjbot-scaled-check-$$"
work="$(mktemp -d)"
stand_ins_pid=""
dockerd_pid=""
compose=()
composed=""
# The bots' .env and compose's own: in a directory of the run's, so a .env of the checkout is neither read nor touched.
compose_run() {
  MJBOT_IMAGE="$IMAGE" REDIS_IMAGE="$REDIS_IMAGE" "${compose[@]}" -p "$project" --project-directory "$work" \
    -f "$PWD/compose.yaml" -f "$work/override.yaml" --profile scaled "$@"
}
cleanup() {
  local code=$?
  if [ -n "$composed" ]; then
    compose_run down -v --remove-orphans -t 30 >"$work/down.log" 2>&1 || { printf '   compose down failed:\n'; sed 's/^/     /' "$work/down.log"; }
  fi
  [ -n "$stand_ins_pid" ] && kill "$stand_ins_pid" 2>/dev/null || true
  stop_docker_engine
  rm -rf "$work"
  printf '\n%s after %ss\n' "$([ "$code" -eq 0 ] && echo "scaled check passed" || echo "scaled check FAILED")" "$(($(date +%s) - t0))"
  # Every line into the log before the script ends: tee reads until its input closes.
  exec >&- 2>&-
  wait "$tee_pid" 2>/dev/null || true
  exit "$code"
}
trap cleanup EXIT

step "machine"
say "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, node $(node --version) on the host, load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "source: ${CHECK_SOURCE:-commit $(git rev-parse --short HEAD 2>/dev/null || echo '? (not a git checkout)')}"
[ -d node_modules ] || fail "node_modules is missing: run npm ci first (the stand-ins run on the host)"

step "docker engine and compose"
ensure_docker_engine
if command -v docker-compose >/dev/null; then compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then compose=(docker compose)
else fail "no compose tool (Debian: apt-get install docker-compose)"; fi
say "${compose[*]} $("${compose[@]}" version --short 2>/dev/null || "${compose[@]}" version | head -1)"

step "base image"
choose_base_image

step "images: the bot's (runtime target) and Redis"
b0=$(date +%s)
nice docker build --network host --build-arg BASE="$BASE" -t "$IMAGE" . >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log"; fail "docker build failed"; }
say "$IMAGE built in $(($(date +%s) - b0)) s ($(grep -c 'Using cache' "$work/build.log" || true) steps from the cache), $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
if [ -n "${REDIS_IMAGE:-}" ]; then
  say "REDIS_IMAGE=$REDIS_IMAGE (given)"
elif docker pull -q "$OFFICIAL_REDIS" >"$work/pull-redis.log" 2>&1; then
  REDIS_IMAGE="$OFFICIAL_REDIS"
  say "$REDIS_IMAGE pulled from Docker Hub"
else
  REDIS_IMAGE="$LOCAL_REDIS"
  say "$OFFICIAL_REDIS not to be had (Docker Hub unreachable): building $REDIS_IMAGE from scripts/redis-local.Dockerfile on $BASE"
  b0=$(date +%s)
  nice docker build --network host --build-arg BASE="$BASE" -f scripts/redis-local.Dockerfile -t "$REDIS_IMAGE" scripts >"$work/build-redis.log" 2>&1 \
    || { tail -20 "$work/build-redis.log"; fail "could not build $REDIS_IMAGE"; }
  say "$REDIS_IMAGE built in $(($(date +%s) - b0)) s, $(docker image inspect -f '{{.Size}}' "$REDIS_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
fi
say "Redis: $(docker run --rm --entrypoint redis-server "$REDIS_IMAGE" --version | cut -c1-60)"

step "stand-ins of Discord and the proxy on the host, on the Docker bridge's address"
# Containers on the compose network reach the host's address on Docker's default bridge (docker0); listening
# there, not on 0.0.0.0, keeps the stand-ins off the machine's other networks.
host_ip="$(docker network inspect bridge -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}')"
if [ -z "$host_ip" ]; then # engines that leave the default bridge's gateway out of IPAM: the bridge device's own address
  bridge_dev="$(docker network inspect bridge -f '{{index .Options "com.docker.network.bridge.name"}}')"
  host_ip="$(ip -4 -o addr show "${bridge_dev:-docker0}" 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -1)"
fi
[ -n "$host_ip" ] || fail "no address of the host on Docker's default bridge"
say "the host on Docker's default bridge: $host_ip"
node --import tsx stand-ins/scaled-check.ts --host "$host_ip" --write-env "$work/.env" --go "$work/go" --project "$project" >"$work/stand-ins.log" 2>&1 &
stand_ins_pid=$!
for _ in $(seq 150); do [ -s "$work/.env" ] && break; sleep 0.2; done
[ -s "$work/.env" ] || { cat "$work/stand-ins.log"; fail "the stand-ins did not start"; }
sed 's/^/   /' "$work/stand-ins.log"
discord_api="$(sed -n 's/^DISCORD_API_URL=//p' "$work/.env")"
# The one thing the run changes in compose.yaml: where the REST proxy sends (Discord's place, the fake here).
cat >"$work/override.yaml" <<EOF
services:
  rest-proxy:
    environment:
      DISCORD_API_URL: "$discord_api"
EOF
say "the bots' .env: $(cut -d= -f1 "$work/.env" | tr '\n' ' ')(compose.yaml's environment wins: DISCORD_API_URL is the REST proxy's)"
say "override: rest-proxy's DISCORD_API_URL=$discord_api"

step "${compose[*]} --profile scaled up -d redis rest-proxy bot-0 bot-1"
compose_run config -q || fail "compose.yaml does not validate"
u0=$(date +%s)
composed=1
compose_run up -d --no-build redis rest-proxy bot-0 bot-1 >"$work/up.log" 2>&1 || { cat "$work/up.log"; fail "compose up failed"; }
sed 's/^/   /' "$work/up.log"
say "compose up returned after $(($(date +%s) - u0)) s (it waits for Redis and the REST proxy to be healthy: depends_on)"
container() { docker ps -a -q --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=$1"; }
declare -A healthy_at=()
while :; do
  pending=0
  for s in redis rest-proxy bot-0 bot-1; do
    [ -n "${healthy_at[$s]:-}" ] && continue
    c="$(container "$s")"
    # "<health> <state> <restarts>": a bot that crashed shows as restarting (restart: unless-stopped), and fails here.
    st="$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}no-health-check{{end}} {{.State.Status}} {{.RestartCount}}' "$c" 2>/dev/null || echo missing)"
    if [ "$st" = "healthy running 0" ]; then healthy_at[$s]=$(($(date +%s) - u0)); continue; fi
    pending=1
    if [[ "$st" == unhealthy* || "$st" != *" 0" || "$st" == *" exited "* ]] || [ $(($(date +%s) - u0)) -ge "$HEALTHY_TIMEOUT_S" ]; then
      say "$s: $st (health, state, restarts) after $(($(date +%s) - u0)) s"
      [ "$st" != missing ] && docker logs --tail 20 "$c" 2>&1 | cut -c1-240 | sed 's/^/     /'
      fail "$s did not turn healthy"
    fi
  done
  [ "$pending" -eq 0 ] && break
  sleep 1
done
for s in redis rest-proxy bot-0 bot-1; do say "$s healthy ${healthy_at[$s]} s after compose up ($(docker inspect -f '{{.Config.Image}}' "$(container "$s")"))"; done
compose_run ps 2>&1 | sed 's/^/   /'
for s in bot-0 bot-1; do
  env_seen="$(docker exec "$(container "$s")" sh -c 'echo "STORE_URL=$STORE_URL DISCORD_API_URL=$DISCORD_API_URL SHARD_COUNT=$SHARD_COUNT SHARD_IDS=$SHARD_IDS"')"
  ready="$(docker exec "$(container "$s")" node -e "fetch('http://127.0.0.1:8788/readyz').then(async r=>console.log(r.status, (await r.text()).slice(0,240)),e=>console.log('no answer:', e.cause?.code ?? e.message))")"
  say "$s: $env_seen"
  say "$s /readyz: $ready"
done
say "rest-proxy: $(docker logs "$(container rest-proxy)" 2>&1 | grep -m1 'rest-proxy: listening' | cut -c1-200)"
say "redis: $(docker exec "$(container redis)" redis-cli info keyspace | tr -d '\r' | grep -v '^#' | tr '\n' ' ') clients: $(docker exec "$(container redis)" redis-cli info clients | tr -d '\r' | sed -n 's/^connected_clients://p')"

step "the scenario (stand-ins/scaled-check.ts)"
: >"$work/go"
s0=$(date +%s)
for _ in $(seq "$SCENARIO_TIMEOUT_S"); do grep -qE 'scaled: (done|FAILED)' "$work/stand-ins.log" && break; sleep 1; done
tail -n +2 "$work/stand-ins.log" | sed 's/^/   /'
grep -q 'scaled: done' "$work/stand-ins.log" || {
  for s in bot-0 bot-1 rest-proxy; do
    say "$s log (its warnings, errors and stop, last 15 lines):"
    docker logs "$(container "$s")" 2>&1 | grep -E '"level":(40|50|60)|"msg":"(stop|stopping|stopped)|rest-proxy:' | tail -15 | cut -c1-240 | sed 's/^/     /'
  done
  fail "the scenario did not finish (after $(($(date +%s) - s0)) s)"
}

step "the containers' own logs"
for s in rest-proxy bot-0 bot-1 redis; do
  c="$(container "$s")"
  lines="$(docker logs "$c" 2>&1 | wc -l)"
  # The bots log JSON (pino: level 40 warn, 50 error, 60 fatal), the REST proxy plain lines, Redis its own
  # (its start-up banner is at warning level too: only "# WARNING" lines, such as the host's vm.overcommit_memory).
  bad="$(docker logs "$c" 2>&1 | grep -cE '"level":(50|60)|rest-proxy: a request failed' || true)"
  warn="$(docker logs "$c" 2>&1 | grep -cE '"level":40|^[0-9]+:[A-Z] .* # WARNING' || true)"
  say "$s: $lines lines, $bad errors, $warn warnings, restarts $(docker inspect -f '{{.RestartCount}}' "$c")"
  docker logs "$c" 2>&1 | grep -E '"level":(40|50|60)|rest-proxy: a request failed|^[0-9]+:[A-Z] .* # WARNING' | cut -c1-200 | head -5 | sed 's/^/     /' || true
done
redis_keys="$(docker exec "$(container redis)" redis-cli dbsize | tr -d '\r')"
say "redis: $redis_keys keys, the jobs of both processes in one store"

step "teardown: ${compose[*]} down -v"
d0=$(date +%s)
compose_run down -v --remove-orphans -t 30 >"$work/down.log" 2>&1 || { cat "$work/down.log"; fail "compose down failed"; }
composed=""
sed 's/^/   /' "$work/down.log"
left="$(docker ps -a -q --filter "label=com.docker.compose.project=$project" | wc -l) containers, $(docker volume ls -q --filter "label=com.docker.compose.project=$project" | wc -l) volumes, $(docker network ls -q --filter "label=com.docker.compose.project=$project" | wc -l) networks"
say "down in $(($(date +%s) - d0)) s; left of project $project: $left"
[ "$left" = "0 containers, 0 volumes, 0 networks" ] || fail "compose down left something behind"
