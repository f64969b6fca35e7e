#!/usr/bin/env bash
# Installs the Debian packages the test suites run for real, when missing:
#   openssl                  certificates for the certificate-expiry tests
#   prometheus, prometheus-alertmanager, docker-compose
#                            promtool, amtool and compose validation; Prometheus in the e2e test
#   nginx-light              nginx in the e2e test (deploy/nginx/nginx.conf)
#   python3-fastapi, python3-uvicorn, python3-websockets
#                            the FastAPI backend of the e2e test, and the Python client's ASGI tests
#   python3-sentry-sdk       Sentry's Python SDK in the e2e backend that continues the sidecar's trace
#   chromium                 the status page opened in a real browser (test/integration/status-page.test.ts)
#   python3-pytest, python3-venv, python3-setuptools
#                            the Python client's tests, run against the package installed offline
#                            into a virtual environment (scripts/test-python-client.sh)
# One `apt-get update`, one `apt-get install`; nothing happens when everything is there.
set -euo pipefail

need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v amtool >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
[ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
/usr/bin/python3 -c 'import fastapi' >/dev/null 2>&1 || need+=(python3-fastapi)
/usr/bin/python3 -c 'import uvicorn' >/dev/null 2>&1 || need+=(python3-uvicorn)
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || need+=(python3-websockets)
/usr/bin/python3 -c 'import sentry_sdk' >/dev/null 2>&1 || need+=(python3-sentry-sdk)
/usr/bin/python3 -c 'import pytest' >/dev/null 2>&1 || need+=(python3-pytest)
/usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
/usr/bin/python3 -c 'import setuptools' >/dev/null 2>&1 || need+=(python3-setuptools)

if [ ${#need[@]} -eq 0 ]; then
  echo "--- system packages present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
  echo "install-system-deps: missing Debian packages: ${need[*]} (run as root with apt-get, or install them)" >&2
  exit 1
fi
echo "--- installing ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The e2e test starts nginx itself; a packaged nginx must not hold port 80 or run as a service.
if command -v systemctl >/dev/null 2>&1; then systemctl stop nginx prometheus prometheus-alertmanager >/dev/null 2>&1 || true; fi
