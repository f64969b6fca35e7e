#!/usr/bin/env bash
# Builds the project's Dockerfile, unchanged, with podman and runs the image as it is deployed:
# read-only root filesystem, uid 1000, no capabilities, in front of the demo backend, answering
# through the proxy port and /ready, its HEALTHCHECK passing, stopping on SIGTERM within
# SHUTDOWN_TIMEOUT_MS with a request in flight that still gets its answer; then reports the image
# size. When the base image (the Dockerfile's FROM) is neither present nor pullable, it is
# assembled locally from the npm registry and the machine's Debian mirror
# (scripts/container/assemble-base.sh); later runs reuse it.
#
# Exit status: 0 when the check passed, or was skipped because podman cannot run containers on
# this machine (the line "container check skipped: <why>" says so); non-zero with "container
# check FAILED: <what>" otherwise. Installs podman, runc, netavark, iptables, curl and, when the
# base is assembled, debootstrap with apt-get when they are missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
# runc without default ulimits: what podman needs on sandboxed machines (the file says why).
export CONTAINERS_CONF="${CONTAINERS_CONF:-$repo/scripts/container/containers.conf}"
# Short, so that a sidecar that ignores SIGTERM fails the check quickly.
shutdown_ms=10000
image_tag=localhost/observability-sidecar:local
started=$SECONDS

say() { echo "--- container check: $*"; }
fail() {
  echo "container check FAILED: $*" >&2
  exit 1
}
skip() {
  echo "container check skipped: $*"
  exit 0
}
# Docker's reading of an image name without a registry: node:24 is docker.io/library/node:24.
qualify() {
  case "$1" in
  */*) case "${1%%/*}" in *.* | *:* | localhost) echo "$1" ;; *) echo "docker.io/$1" ;; esac ;;
  *) echo "docker.io/library/$1" ;;
  esac
}

tmp="$(mktemp -d "${TMPDIR:-/var/tmp}/osc-container-check.XXXXXX")"
backend="osc-check-$$-backend"
sidecar="osc-check-$$-sidecar"
cleanup() {
  # The sidecar shares the backend's namespaces, so it goes first.
  podman rm -f -t 0 "$sidecar" >/dev/null 2>&1 || true
  podman rm -f -t 0 "$backend" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Installs Debian packages quietly; the output is shown only on failure.
apt_install() {
  say "installing $*"
  {
    apt-get -o DPkg::Lock::Timeout=600 update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends "$@"
  } >"$tmp/apt.log" 2>&1
}
can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

# 1. podman, and whether it can run a container here at all. Rootful podman publishes ports with
# netavark and iptables; rootless podman brings its own network tools, so only root installs.
need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
command -v netavark >/dev/null 2>&1 || [ -x /usr/lib/podman/netavark ] || need+=(netavark)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ] && can_install && ! apt_install "${need[@]}"; then
  command -v podman >/dev/null 2>&1 ||
    skip "podman is not installed and could not be installed: $(tail -n 1 "$tmp/apt.log")"
  fail "could not install ${need[*]}: $(tail -n 1 "$tmp/apt.log")"
fi
if ! command -v podman >/dev/null 2>&1; then
  can_install || skip "podman is not installed, and installing it needs root and apt-get"
  skip "podman is not installed, and installing the podman package did not give a podman command"
fi
command -v curl >/dev/null 2>&1 || fail "curl is missing (install it, or run as root to have it installed)"
say "$(podman --version), CONTAINERS_CONF=$CONTAINERS_CONF"

# The smallest container there is: /bin/true and the libraries it loads, as a root directory.
probe="$tmp/probe-rootfs"
mkdir "$probe"
for file in /bin/true $(ldd /bin/true | grep -o '/[^ ]*'); do cp --parents -L "$file" "$probe"; done
if ! podman run --rm --rootfs "$probe" /bin/true >"$tmp/probe.log" 2>&1; then
  skip "podman cannot run a container on this machine: $(grep -v '^time=' "$tmp/probe.log" | tail -n 1)"
fi

# 2. The base image: present, pulled, or assembled.
base="$(qualify "$(awk 'toupper($1) == "FROM" { print $2; exit }' Dockerfile)")"
if podman image exists "$base"; then
  say "base $base present"
# A registry behind a firewall that drops packets would hold the pull for minutes; the real
# base is a few hundred MB and comes well within the bound.
elif timeout 300 podman pull --quiet "$base" >"$tmp/pull.log" 2>&1; then
  say "base $base pulled"
else
  reason="$(tail -n 1 "$tmp/pull.log")"
  say "cannot pull $base (${reason:-no answer within 300 s}); assembling it locally"
  if ! command -v debootstrap >/dev/null 2>&1 && ! apt_install debootstrap; then
    fail "debootstrap is missing and could not be installed: $(tail -n 1 "$tmp/apt.log")"
  fi
  # shellcheck source=scripts/ensure-node.sh
  . scripts/ensure-node.sh
  scripts/container/assemble-base.sh "$base" || fail "could not assemble $base"
fi
base_kind="$(podman image inspect --format '{{index .Labels "org.opencontainers.image.description"}}' "$base")"
case "$base_kind" in *"assembled locally"*) base_kind="locally assembled" ;; *) base_kind="pulled" ;; esac

# 3. The image, from the Dockerfile as a user builds it. Docker format keeps HEALTHCHECK.
say "podman build --format docker (${base_kind} base)"
build_started=$SECONDS
previous="$(podman image inspect --format '{{.Id}}' "$image_tag" 2>/dev/null || true)"
if ! podman build --format docker --pull=never --iidfile "$tmp/image-id" --tag "$image_tag" . >"$tmp/build.log" 2>&1; then
  tail -n 40 "$tmp/build.log" >&2
  fail "podman build of the Dockerfile failed (its last lines above)"
fi
build_s=$((SECONDS - build_started))
image="$(cat "$tmp/image-id")"
# The image this build replaced would otherwise stay behind, untagged, on every change.
if [ -n "$previous" ] && [ "$previous" != "${image#sha256:}" ]; then podman rmi "$previous" >/dev/null 2>&1 || true; fi
healthcheck="$(podman image inspect --format '{{if .HealthCheck}}{{json .HealthCheck.Test}}{{end}}' "$image")"
[ -n "$healthcheck" ] || fail "the image has no HEALTHCHECK (was it built in OCI format?)"

scripts/container/run-checks.sh "$image" "$backend" "$sidecar" "$shutdown_ms" "$tmp" || exit 1

size_mb="$(podman image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f", $1 / 1e6 }')"
say "passed in $((SECONDS - started)) s: image ${size_mb} MB, built in ${build_s} s on a ${base_kind} base"
