#!/usr/bin/env bash
# Assembles a local image named like the official Node image (default
# docker.io/library/node:24-bookworm-slim) from what a machine without a container registry can
# reach: a Debian root filesystem made by debootstrap from the mirror in the machine's apt
# sources, the Node binary of the npm registry's `node` package, npm from the npm registry, and
# the machine's CA certificates (base.Containerfile says what it holds). Needs root, podman,
# debootstrap and npm; scripts/container-check.sh runs it when the base image can be neither
# found nor pulled. Usage: assemble-base.sh [image]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
image="${1:-docker.io/library/node:24-bookworm-slim}"
# npm's major version as Node 24 ships it.
npm_major="${NPM_MAJOR:-11}"
ca_bundle="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
rootfs_image="localhost/observability-sidecar-base-rootfs:latest"

fail() {
  echo "assemble-base: $*" >&2
  exit 1
}
started=$SECONDS
step() { echo "--- container base: $* ($((SECONDS - started)) s)"; }
# Runs a command with its output in a log, shown only when it fails.
logged() {
  local what="$1" log
  shift
  log="$(mktemp "${TMPDIR:-/var/tmp}/osc-base-log.XXXXXX")"
  if ! "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    fail "$what failed (its last lines above)"
  fi
  rm -f "$log"
}

[[ "$image" =~ (^|/)node:([0-9]+)-([a-z]+)-slim$ ]] ||
  fail "$image is not a node:<major>-<debian suite>-slim name; only those can be assembled here"
node_major="${BASH_REMATCH[2]}"
suite="${BASH_REMATCH[3]}"
[ "$(id -u)" = 0 ] || fail "debootstrap needs root"
for tool in podman debootstrap npm apt-get; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing"
done
[ -s "$ca_bundle" ] || fail "no CA bundle at $ca_bundle (set SSL_CERT_FILE to the machine's bundle)"

# The machine's Debian mirrors, as apt itself reads its sources (one-line and deb822 files).
# The release names tell the archive (bookworm, bookworm-updates) from the security archive.
# shellcheck disable=SC2016 # $(...) are apt's format fields.
repos="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Origin: Debian' 'Target-Of: deb' | sort -u)"
mirror="$(awk '$2 !~ /-/ { print $1; exit }' <<<"$repos")"
security="$(awk '$2 ~ /-security$/ { print $1; exit }' <<<"$repos")"
[ -n "$mirror" ] ||
  fail "no Debian mirror in the machine's apt sources (add one under /etc/apt/sources.list.d and run apt-get update)"

work="$(mktemp -d "${TMPDIR:-/var/tmp}/osc-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
ctx="$work/context"
mkdir -p "$ctx"

step "debootstrap $suite from $mirror"
# ca-certificates, which the official slim image leaves out, lets apt and update-ca-certificates
# use the machine's CA inside the image.
logged "debootstrap $suite from $mirror" \
  debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$mirror"

# What Debian's official slim images leave out, so that images built on this base have a
# comparable size: documentation, manuals and translations, now and for later apt installs.
cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
# And apt keeps no package caches or translations in an image's layers, as in Debian's images.
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/{groff,info,lintian,linda,locale,man}/* "$root"/var/cache/apt/* \
  "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/etc/hostname "$root"/etc/resolv.conf

step "node@$node_major and npm@$npm_major from the npm registry"
# The `node` package installs the real binary for this machine's architecture.
logged "npm install node@$node_major" \
  npm install --prefix "$work/node-package" --no-save --no-audit --no-fund "node@$node_major"
cp "$work/node-package/node_modules/node/bin/node" "$ctx/node"
node_version="$("$ctx/node" --version)"
logged "npm pack npm@$npm_major" npm pack --pack-destination "$work" "npm@$npm_major"
mkdir "$ctx/npm"
tar -xzf "$work"/npm-*.tgz -C "$ctx/npm" --strip-components=1
cp "$ca_bundle" "$ctx/machine-ca-bundle.crt"
{
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' "$mirror" "$suite" "$suite"
  printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  if [ -n "$security" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$security" "$suite"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  fi
} >"$ctx/debian.sources"

step "podman import and build $image (Node $node_version)"
# shellcheck disable=SC2016 # the inner shell expands its own arguments.
logged "podman import of the root filesystem" \
  bash -c 'set -o pipefail; tar -C "$1" -c . | podman import - "$2"' _ "$root" "$rootfs_image"
logged "podman build of $image" podman build --format docker --pull=never --squash \
  --build-arg ROOTFS="$rootfs_image" --build-arg NODE_VERSION="${node_version#v}" \
  --tag "$image" --file "$here/base.Containerfile" "$ctx"
podman rmi "$rootfs_image" >/dev/null
step "$image assembled"
