#!/usr/bin/env bash
# Runs a built sidecar image as it is deployed and checks it from outside, for
# scripts/container-check.sh, which removes the two containers afterwards.
# Usage: run-checks.sh <image> <backend container name> <sidecar container name>
#        <SHUTDOWN_TIMEOUT_MS> <scratch dir>
#
# The backend is the demo backend the image ships (docker-compose.yml's default backend). The
# sidecar joins its network and process namespaces, as in a Kubernetes pod or the compose file:
# it reaches the backend at 127.0.0.1:8000 without container DNS, and the ports, published by
# the container that owns the network namespace, go to free loopback ports of the machine, so
# nothing clashes with what else runs there.
set -euo pipefail
image="$1" backend="$2" sidecar="$3" shutdown_ms="$4" tmp="$5"

say() { echo "--- container check: $*"; }
fail() {
  echo "container check FAILED: $*" >&2
  if podman container exists "$sidecar"; then
    echo "--- the sidecar's last log lines:" >&2
    podman logs --tail 20 "$sidecar" >&2 2>&1 || true
  fi
  exit 1
}
now_ms() { date +%s%3N; }

# Containers are read-only and run as uid 1000, as deploy/kubernetes and docker-compose.yml run
# them. podman's own messages (such as the missing systemd timer for HEALTHCHECK) go to a log.
podman run --detach --name "$backend" --read-only --user 1000 --no-healthcheck \
  --publish 127.0.0.1::8080 --publish 127.0.0.1::9464 --env PORT=8000 \
  "$image" node dist/examples/demo/serve-backend.js >/dev/null 2>>"$tmp/podman.log" ||
  fail "could not start the demo backend container: $(tail -n 1 "$tmp/podman.log")"
# The sidecar joins the backend's namespaces: a backend that died at start would surface as an
# obscure runtime error there, so its own exit is reported first, with its output.
sleep 0.5
[ "$(podman inspect --format '{{.State.Running}}' "$backend")" = true ] ||
  fail "the demo backend container exited at start: $(podman logs --tail 5 "$backend" 2>&1 | tr '\n' ' ')"
podman run --detach --name "$sidecar" --network "container:$backend" --pid "container:$backend" \
  --read-only --user 1000 --cap-drop ALL --security-opt no-new-privileges \
  --env UPSTREAM_URL=http://127.0.0.1:8000 --env SHUTDOWN_TIMEOUT_MS="$shutdown_ms" \
  "$image" >/dev/null 2>>"$tmp/podman.log" ||
  fail "could not start the sidecar container: $(tail -n 1 "$tmp/podman.log")"
proxy="$(podman port "$backend" 8080/tcp)"
admin="$(podman port "$backend" 9464/tcp)"

# /ready answers 200 once the sidecar listens and has seen the backend answer.
started_ms="$(now_ms)"
status=000
while [ "$(($(now_ms) - started_ms))" -lt 30000 ]; do
  status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$admin/ready" || true)"
  [ "$status" = 200 ] && break
  [ "$(podman inspect --format '{{.State.Running}}' "$sidecar")" = true ] ||
    fail "the sidecar exited before it was ready"
  sleep 0.2
done
[ "$status" = 200 ] || fail "/ready on the admin port answered $status, not 200, for 30 s"
say "/ready 200 after $(($(now_ms) - started_ms)) ms"

expected='{"id":7,"name":"User 7","plan":"basic"}'
answer="$(curl -sS --max-time 5 "http://$proxy/api/users/7" 2>&1 || true)"
[ "$answer" = "$expected" ] ||
  fail "GET /api/users/7 through the proxy port answered '$answer', not the backend's '$expected'"
say "the proxy port answers with the backend's response"

# Checked from inside: the code's files and the home directory are there but cannot be written,
# and no process of the container runs as root.
write="$(podman exec "$sidecar" touch /home/node/write-probe 2>&1 || true)"
case "$write" in *"Read-only file system"*) ;; *) fail "writing to the root filesystem did not fail as read-only: '$write'" ;; esac
# The host's view of the sidecar's processes (tini and node): real, effective, saved and
# filesystem uid all 1000.
pids="$(podman top "$sidecar" hpid | grep -E '^[0-9]+$' || true)"
[ -n "$pids" ] || fail "podman top found no process of the sidecar"
for pid in $pids; do
  uids="$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")"
  [ "$uids" = "1000 1000 1000 1000" ] || fail "process $pid of the sidecar runs with uids $uids, not 1000"
done
say "read-only root filesystem, processes as uid 1000"

# The image's own HEALTHCHECK command, run once now: its periodic timer needs systemd, which
# CI machines may not run.
podman healthcheck run "$sidecar" >"$tmp/health.log" 2>&1 ||
  fail "the image's HEALTHCHECK failed: $(grep -v '^time=' "$tmp/health.log" | tail -n 1)"
say "HEALTHCHECK passes"

# SIGTERM with a request in flight: the request gets its answer, the sidecar exits 0 before
# SHUTDOWN_TIMEOUT_MS, well before podman's own deadline would kill it.
curl -sS --max-time 30 "http://$proxy/api/slow?ms=2000" >"$tmp/in-flight" 2>&1 &
in_flight=$!
waited=0
until curl -s --max-time 2 "http://$admin/metrics" |
  awk '/^http_server_active_requests[{ ]/ { n += $NF } END { exit !(n >= 1) }'; do
  waited=$((waited + 1))
  [ "$waited" -lt 50 ] || fail "the slow request never showed in http_server_active_requests"
  sleep 0.1
done
stop_started="$(now_ms)"
podman stop --time $((shutdown_ms / 1000 + 5)) "$sidecar" >/dev/null 2>>"$tmp/podman.log" ||
  fail "podman stop failed: $(tail -n 1 "$tmp/podman.log")"
stop_ms=$(($(now_ms) - stop_started))
wait "$in_flight" || true
read -r exit_code finished_ms < <(podman inspect --format '{{.State.ExitCode}} {{.State.FinishedAt.UnixMilli}}' "$sidecar")
# From the signal to the container's exit; podman stop returns a little later, once it has
# cleaned up.
exit_ms=$((finished_ms - stop_started))
[ "$exit_code" = 0 ] || fail "the sidecar exited with $exit_code on SIGTERM (137: killed after the stop timeout)"
[ "$exit_ms" -lt "$shutdown_ms" ] || fail "the sidecar exited $exit_ms ms after SIGTERM, not under SHUTDOWN_TIMEOUT_MS=$shutdown_ms"
[ "$(cat "$tmp/in-flight")" = '{"slept_ms":2000}' ] ||
  fail "the request in flight at SIGTERM got '$(cat "$tmp/in-flight")', not its answer"
say "SIGTERM: exited 0 after $exit_ms ms (podman stop: $stop_ms ms; SHUTDOWN_TIMEOUT_MS=$shutdown_ms), the request in flight answered"
