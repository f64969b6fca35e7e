#!/usr/bin/env bash
# Tests the Python client as users get it: pip-installs clients/python into a throwaway virtual
# environment, offline (--no-build-isolation builds with the setuptools already installed, so no
# package index is needed), then runs its pytest suite against the installed copy, not the source
# tree. The environment sees the system's packages (--system-site-packages), so Debian's pytest,
# FastAPI and uvicorn serve the tests.
#   PYTHON=/usr/bin/python3 by default; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${PYTHON:-/usr/bin/python3}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A copy, so the build's egg-info and build/ directories never land in the working tree.
cp -r clients/python "$work/source"
rm -rf "$work/source/tests"

"$python" -m venv --system-site-packages "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --no-index --no-build-isolation --no-deps \
  --disable-pip-version-check "$work/source"
version=$("$work/venv/bin/python" -c 'import sidecar_events; print(sidecar_events.__version__)')
echo "--- python client $version installed in a virtual environment ($("$work/venv/bin/python" --version))"

cd "$work"
SIDECAR_EVENTS_TEST_INSTALLED=1 PYTHONDONTWRITEBYTECODE=1 \
  "$work/venv/bin/python" -m pytest "$root/clients/python/tests" -q "$@"
