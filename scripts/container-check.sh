#!/usr/bin/env bash
# Proves the container image here: builds it, runs the bot in it against the stand-ins of Discord
# and the proxy on this machine, waits for Docker to call it healthy, runs one /imagine through it,
# stops it and checks it stopped in time; builds and opens the playground target; validates
# compose.yaml. Exits non-zero when any of that fails. Re-runnable; removes what it started.
#
#   scripts/container-check.sh             # output also goes to docs/container-check.log
#
# Needs: Docker (dockerd is started here when it is installed but not running and we are root),
# the project's dependencies on the host (npm ci: the stand-ins run on the host), and a base image:
# BASE if set, else node:20-bookworm-slim when Docker Hub answers, else mjbot-base:local, made once by
# scripts/container-base.sh (debootstrap; a few minutes) and reused after.
# Containers run with --network host: the stand-ins listen on the host's 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/docker-engine.sh

LOG="${CONTAINER_CHECK_LOG:-docs/container-check.log}"
IMAGE="${IMAGE:-mjbot:check}"
PLAYGROUND_IMAGE="${PLAYGROUND_IMAGE:-mjbot-playground:check}"
HEALTHY_TIMEOUT_S="${HEALTHY_TIMEOUT_S:-120}"
STOP_TIMEOUT_S=10 # docker stop's default grace period: SIGTERM, then SIGKILL after this long

mkdir -p "$(dirname "$LOG")"
exec > >(tee "$LOG") 2>&1

t0=$(date +%s)
step() { printf '\n== %s (+%ss)\n' "$*" "$(($(date +%s) - t0))"; }
say() { printf '   %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*"; exit 1; }

run_id="$$"
bot="mjbot-check-$run_id"
pg="mjbot-check-playground-$run_id"
volume="mjbot-check-data-$run_id"
work="$(mktemp -d)"
stand_ins_pid=""
dockerd_pid=""
made_env=""
cleanup() {
  local code=$?
  docker rm -f "$bot" "$pg" >/dev/null 2>&1 || true
  docker volume rm "$volume" >/dev/null 2>&1 || true
  [ -n "$stand_ins_pid" ] && kill "$stand_ins_pid" 2>/dev/null || true
  [ -n "$made_env" ] && rm -f .env
  stop_docker_engine
  rm -rf "$work"
  printf '\n%s after %ss\n' "$([ "$code" -eq 0 ] && echo "container check passed" || echo "container check FAILED")" "$(($(date +%s) - t0))"
}
trap cleanup EXIT

step "machine"
say "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, node $(node --version) on the host"
say "source: ${CHECK_SOURCE:-commit $(git rev-parse --short HEAD 2>/dev/null || echo '? (not a git checkout)')}"
[ -d node_modules ] || fail "node_modules is missing: run npm ci first (the stand-ins run on the host)"

step "docker engine"
ensure_docker_engine

step "base image"
choose_base_image
say "$(docker run --rm --network host "$BASE" sh -c 'echo "node $(node --version), npm $(npm --version), $(. /etc/os-release; echo "$PRETTY_NAME")"')"

step "docker build (runtime target, the default)"
b0=$(date +%s)
docker build --network host --build-arg BASE="$BASE" -t "$IMAGE" . >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log"; fail "docker build failed"; }
grep -E '^Step [0-9]+/[0-9]+ :|CACHED|^#[0-9]+ \[' "$work/build.log" | sed 's/^/   /' | cut -c1-150 || true
say "built $IMAGE in $(($(date +%s) - b0)) s, $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"

step "image facts"
inspect() { docker image inspect -f "$1" "$IMAGE"; }
user="$(inspect '{{.Config.User}}')"
say "user: $user (uid $(docker run --rm --network host "$IMAGE" id -u))"
[ -n "$user" ] && [ "$user" != "root" ] && [ "$(docker run --rm --network host "$IMAGE" id -u)" != "0" ] || fail "the image runs as root"
say "volumes: $(inspect '{{json .Config.Volumes}}'), stop signal: $(inspect '{{.Config.StopSignal}}')"
say "healthcheck: $(inspect '{{json .Config.Healthcheck.Test}}') every $(inspect '{{.Config.Healthcheck.Interval}}')"
say "cmd: $(inspect '{{json .Config.Cmd}}')"
[ "$(inspect '{{.Config.StopSignal}}')" = "SIGTERM" ] || fail "STOPSIGNAL is not SIGTERM"
# Production dependencies only: the packages only tests and tools use must not be in the image (ws
# is there: discord.js's own gateway client needs it), nor the stand-ins or the tests.
dev_present="$(docker run --rm --network host "$IMAGE" sh -c 'for p in vitest typescript playwright-core; do [ -e "node_modules/$p" ] && echo "$p"; done; ls -d stand-ins test bench 2>/dev/null' || true)"
[ -z "$dev_present" ] || fail "the runtime image holds dev dependencies or test code: $dev_present"
say "$(docker run --rm --network host "$IMAGE" sh -c 'ls -d node_modules/* node_modules/@*/* | grep -v "/@[^/]*$" | wc -l') packages, none of vitest, typescript, playwright-core; no stand-ins/, test/, bench/"
docker run --rm --network host "$IMAGE" node -e "require('sqlite3'); console.log('   sqlite3 native module loads')" \
  || fail "sqlite3 does not load in the image"

step "compose.yaml"
if command -v docker-compose >/dev/null; then compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then compose=(docker compose)
else compose=(); fi
if [ ${#compose[@]} -eq 0 ]; then
  fail "no compose tool (Debian: apt-get install docker-compose)"
fi
# compose reads the bot's settings from .env: validate with .env.example's when there is no .env.
if [ ! -e .env ]; then cp .env.example .env; made_env=1; fi
"${compose[@]}" -f compose.yaml config -q || fail "compose.yaml does not validate"
"${compose[@]}" -f compose.yaml --profile playground config --services | tr '\n' ' ' | sed 's/^/   services (with the playground profile): /'
echo
say "$("${compose[@]}" version --short 2>/dev/null || "${compose[@]}" version | head -1): compose.yaml validates"
if [ -n "$made_env" ]; then rm -f .env; made_env=""; fi

step "stand-ins of Discord and the proxy on the host"
node --import tsx stand-ins/serve.ts --write-env "$work/bot.env" --imagine >"$work/stand-ins.log" 2>&1 &
stand_ins_pid=$!
for _ in $(seq 100); do [ -s "$work/bot.env" ] && break; sleep 0.2; done
[ -s "$work/bot.env" ] || { cat "$work/stand-ins.log"; fail "the stand-ins did not start"; }
sed 's/^/   /' "$work/stand-ins.log"
health_port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"

step "bot container: docker run --network host (SQLite store on a named volume)"
docker volume create "$volume" >/dev/null
docker run -d --name "$bot" --network host --env-file "$work/bot.env" \
  -e HEALTH_HOST=127.0.0.1 -e HEALTH_PORT="$health_port" \
  -v "$volume:/app/data" "$IMAGE" >/dev/null || fail "docker run failed"
say "started $bot, health server expected on 127.0.0.1:$health_port (HEALTH_HOST / HEALTH_PORT)"
r0=$(date +%s)
status=""
while :; do
  status="$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$bot" 2>/dev/null || echo gone)"
  running="$(docker inspect -f '{{.State.Running}}' "$bot" 2>/dev/null || echo false)"
  [ "$status" = healthy ] && break
  if [ "$status" = unhealthy ] || [ "$running" != true ] || [ $(($(date +%s) - r0)) -ge "$HEALTHY_TIMEOUT_S" ]; then
    say "health: $status, running: $running after $(($(date +%s) - r0)) s"
    docker inspect -f '{{range .State.Health.Log}}   probe exit {{.ExitCode}}: {{.Output}}{{end}}' "$bot" 2>/dev/null | tail -5 || true
    say "bot log (last 20 lines):"
    docker logs --tail 20 "$bot" 2>&1 | cut -c1-240 | sed 's/^/     /'
    fail "the container did not turn healthy"
  fi
  sleep 1
done
say "healthy $(($(date +%s) - r0)) s after docker run"
docker inspect -f '{{range .State.Health.Log}}   probe exit {{.ExitCode}} {{.Output}}{{end}}' "$bot" | tail -2
ready="$(docker run --rm --network host "$IMAGE" node -e "fetch('http://127.0.0.1:$health_port/readyz').then(async r=>console.log(r.status, (await r.text()).slice(0,300)),e=>console.log('no answer:', e.cause?.code ?? e.message))")"
say "/readyz: $ready"

step "one /imagine through the bot in the container"
for _ in $(seq 120); do grep -qE 'imagine: (done|FAILED)' "$work/stand-ins.log" && break; sleep 1; done
grep -E 'logged in|imagine:' "$work/stand-ins.log" | sed 's/^/   /' || true
grep -q 'imagine: done' "$work/stand-ins.log" || { docker logs --tail 20 "$bot" 2>&1 | cut -c1-240; fail "/imagine did not finish through the container"; }

step "npm run deploy-commands in a container of the image (the stand-in answers the PUT)"
deployed="$(docker run --rm --network host --env-file "$work/bot.env" -e NPM_CONFIG_UPDATE_NOTIFIER=false "$IMAGE" npm run --silent deploy-commands 2>&1)" \
  || { echo "$deployed"; fail "deploy-commands failed in the image"; }
say "$deployed"

step "docker stop (SIGTERM, SIGKILL after ${STOP_TIMEOUT_S} s)"
s0=$(date +%s%N)
docker stop -t "$STOP_TIMEOUT_S" "$bot" >/dev/null
stop_ms=$((($(date +%s%N) - s0) / 1000000))
exit_code="$(docker inspect -f '{{.State.ExitCode}}' "$bot")"
oom_killed="$(docker inspect -f '{{.State.OOMKilled}}' "$bot")"
say "stopped in ${stop_ms} ms, exit code $exit_code"
docker logs --tail 4 "$bot" 2>&1 | cut -c1-200 | sed 's/^/     /'
[ "$exit_code" != 137 ] && [ "$oom_killed" = false ] || fail "the bot did not stop on SIGTERM within ${STOP_TIMEOUT_S} s (killed)"
[ "$exit_code" = 0 ] || fail "the bot exited with $exit_code on SIGTERM"
say "data volume after the run: $(docker run --rm --network host -v "$volume:/app/data" "$IMAGE" sh -c 'ls -ln /app/data | tail -n +2 | awk "{print \$3\":\"\$4, \$5, \$9}" | tr "\n" ";"')"

step "playground target"
b0=$(date +%s)
docker build --network host --build-arg BASE="$BASE" --target playground -t "$PLAYGROUND_IMAGE" . >"$work/build-playground.log" 2>&1 \
  || { tail -40 "$work/build-playground.log"; fail "docker build --target playground failed"; }
say "built $PLAYGROUND_IMAGE in $(($(date +%s) - b0)) s, $(docker image inspect -f '{{.Size}}' "$PLAYGROUND_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
pg_port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
docker run -d --name "$pg" --network host -e PLAYGROUND_PORT="$pg_port" "$PLAYGROUND_IMAGE" >/dev/null
page=""
for _ in $(seq 60); do
  page="$(node -e "fetch('http://127.0.0.1:$pg_port/api/commands').then(r=>r.ok?r.json():Promise.reject(r.status)).then(c=>console.log(c.map(x=>'/'+x.name).join(' ')),()=>{})" 2>/dev/null || true)"
  [ -n "$page" ] && break
  sleep 1
done
[ -n "$page" ] || { docker logs --tail 20 "$pg" 2>&1; fail "the playground did not answer"; }
say "playground answers on 127.0.0.1:$pg_port, commands: $page"
docker stop -t "$STOP_TIMEOUT_S" "$pg" >/dev/null
say "playground stopped, exit code $(docker inspect -f '{{.State.ExitCode}}' "$pg")"
