# Sourced by scripts/container-check.sh and scripts/scaled-check.sh (which define say, fail and $work):
# makes sure a Docker engine answers, starting dockerd when none does and this is root; sets dockerd_pid
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
