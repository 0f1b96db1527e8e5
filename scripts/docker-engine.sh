# Sourced by scripts/container-check.sh and scripts/scaled-check.sh (which define say, fail and $work).
# ensure_docker_engine: makes sure a Docker engine answers, starting dockerd when none does and this is root; sets dockerd_pid
# to the engine started here (empty otherwise), which the caller stops at its end.
ensure_docker_engine() {
  dockerd_pid=""
  command -v docker >/dev/null || fail "docker is not installed (Debian: apt-get install docker.io)"
  if ! docker info >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v dockerd >/dev/null; then
      say "no engine answers: starting dockerd (log: $work/dockerd.log; stopped at the end)"
      dockerd >"$work/dockerd.log" 2>&1 &
      dockerd_pid=$!
      for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    fi
    docker info >/dev/null 2>&1 || fail "no Docker engine answers (dockerd not running, and not started here)"
  fi
  say "client $(docker version -f '{{.Client.Version}}'), engine $(docker version -f '{{.Server.Version}}')"
}

# Stops the engine ensure_docker_engine started (nothing when it found one running).
stop_docker_engine() {
  if [ -n "${dockerd_pid:-}" ]; then
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
    printf '   the dockerd started here is stopped\n'
  fi
}

# Sets BASE, the image the bot's is built on: $BASE when given, else the official Node image when Docker
# Hub answers, else mjbot-base:local (made by scripts/container-base.sh from Debian's packages, or reused).
choose_base_image() {
  local official="node:20-bookworm-slim" local_base="mjbot-base:local" b0
  if [ -n "${BASE:-}" ]; then
    say "BASE=$BASE (given)"
  elif docker pull -q "$official" >"$work/pull.log" 2>&1; then
    BASE="$official"
    say "$BASE pulled from Docker Hub"
  else
    say "Docker Hub unreachable: $(tail -1 "$work/pull.log" | cut -c1-160)"
    BASE="$local_base"
    if docker image inspect "$BASE" >/dev/null 2>&1; then
      say "reusing $BASE (made $(docker image inspect -f '{{.Created}}' "$BASE" | cut -c1-19); docker rmi it to make it anew)"
    else
      say "making $BASE with scripts/container-base.sh"
      b0=$(date +%s)
      nice scripts/container-base.sh "$BASE" || fail "could not make the local base image"
      say "base made in $(($(date +%s) - b0)) s"
    fi
  fi
}
