#!/usr/bin/env bash
# Makes a local stand-in for the official Node image (default tag mjbot-base:local) where Docker Hub
# cannot be reached: a minimal Debian bookworm made with debootstrap from Debian's own mirror, with
# this machine's Node and npm copied in (bookworm's own nodejs is 18, below the bot's engines).
#
#   scripts/container-base.sh [tag]        # then: docker build --build-arg BASE=mjbot-base:local .
#
# Needs root, Docker and debootstrap (installed with apt-get when missing). Takes a few minutes.
# The Dockerfile must not rely on anything only this base has: like node:20-bookworm-slim it holds
# Debian, node, npm and Node's headers, and nothing else the build needs.
set -euo pipefail

TAG="${1:-mjbot-base:local}"
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

say() { printf '[container-base] %s\n' "$*"; }
die() { printf '[container-base] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
command -v docker >/dev/null || die "docker is not installed"
if ! command -v debootstrap >/dev/null; then
  say "installing debootstrap (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap </dev/null >/dev/null
fi

# The machine's Node: its install prefix holds bin/node, bin/npm, lib/node_modules/npm and include/node
# (the headers node-gyp compiles sqlite3 against), wherever it was installed (/usr, /usr/local, …).
node_bin="$(readlink -f "$(command -v node)")" || die "node is not installed"
prefix="$(dirname "$(dirname "$node_bin")")"
version="$("$node_bin" --version)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "node $version is below 20.19 (package.json engines)"
for p in bin/node lib/node_modules/npm include/node; do
  [ -e "$prefix/$p" ] || die "$prefix/$p is missing: cannot copy this machine's Node"
done

rootfs="$(mktemp -d /var/tmp/mjbot-base.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT

say "debootstrap $SUITE (minbase) from $MIRROR into $rootfs"
debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 \
  || { tail -20 "$rootfs.log" >&2; rm -f "$rootfs.log"; die "debootstrap failed"; }
rm -f "$rootfs.log"

say "node $version and npm $(npm --version) from $prefix → /usr/local"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/local/lib/node_modules" "$rootfs/usr/local/include"
cp -a "$node_bin" "$rootfs/usr/local/bin/node"
cp -a "$prefix/lib/node_modules/npm" "$rootfs/usr/local/lib/node_modules/"
cp -a "$prefix/include/node" "$rootfs/usr/local/include/"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# Certificate authorities this machine adds to Debian's (an egress proxy's, here): npm inside the
# build must trust what this machine trusts. Node reads them through NODE_EXTRA_CA_CERTS.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
  chroot "$rootfs" update-ca-certificates >/dev/null 2>&1 || die "update-ca-certificates failed in the new root"
fi

# Keep the image small, as the slim image does.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

say "docker import → $TAG"
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${version#v}" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  --message "mjbot local base: debian $SUITE + node $version" \
  - "$TAG" >/dev/null
docker run --rm --network host "$TAG" sh -c 'echo "node $(node --version), npm $(npm --version), $(. /etc/os-release; echo "$PRETTY_NAME")"' \
  | sed 's/^/[container-base] /'
say "done: $TAG"
