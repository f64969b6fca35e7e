# Source this file: it puts a Node.js >= 22.12 first on PATH.
# The sidecar targets Node.js 24 LTS. When the machine's node is older, a real Node 24 binary is
# installed from the npm registry's `node` package into a cache folder and used from there.
_osc_node_ok() {
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}
if ! _osc_node_ok; then
  _osc_prefix="${NODE24_PREFIX:-$HOME/.cache/observability-sidecar/node24}"
  if [ ! -x "$_osc_prefix/node_modules/.bin/node" ]; then
    echo "installing Node.js 24 into $_osc_prefix (the machine has $(node --version 2>/dev/null || echo no node))" >&2
    npm install --prefix "$_osc_prefix" --no-save --no-audit --no-fund node@24 >/dev/null
  fi
  export PATH="$_osc_prefix/node_modules/.bin:$PATH"
fi
unset -f _osc_node_ok
unset _osc_prefix
