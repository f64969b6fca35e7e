#!/usr/bin/env bash
# Validates the monitoring and deployment assets with the tools that run them:
#   promtool check config / check rules / test rules, amtool check-config and routing,
#   docker-compose config, and every Grafana dashboard parsed with its queries checked by promtool.
# Metric names and labels are checked against a running sidecar by
# test/integration/monitoring-assets.test.ts (npm test).
#
# Installs the Debian packages prometheus (promtool), prometheus-alertmanager (amtool) and
# docker-compose when a tool is missing and apt-get is usable. Takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
if ! command -v docker-compose >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1; then
  missing+=(docker-compose)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "--- installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "validate-monitoring: missing ${missing[*]} (Debian packages); install them or run as root with apt-get" >&2
    exit 1
  fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "--- promtool check config (rules loaded from the repository)"
# The config names the rules by their path inside the Prometheus container.
sed "s#/etc/prometheus/rules/#$repo/monitoring/prometheus-rules/#" monitoring/prometheus/prometheus.yml >"$tmp/prometheus.yml"
grep -q "$repo/monitoring/prometheus-rules/" "$tmp/prometheus.yml" || {
  echo "monitoring/prometheus/prometheus.yml no longer loads /etc/prometheus/rules/" >&2
  exit 1
}
promtool check config "$tmp/prometheus.yml"

echo "--- promtool check rules"
promtool check rules monitoring/prometheus-rules/*.yml

echo "--- promtool test rules"
promtool test rules monitoring/prometheus-rules/tests/*.yml

echo "--- amtool check-config"
amtool check-config monitoring/alertmanager/alertmanager.yml
for route in critical:critical warning:warning info:info-digest unknown:warning; do
  severity=${route%%:*}
  receiver=${route#*:}
  amtool config routes test --config.file=monitoring/alertmanager/alertmanager.yml \
    --verify.receivers="$receiver" "severity=$severity" alertname=RoutingCheck >/dev/null 2>&1 || {
    echo "alertmanager.yml: severity=$severity does not reach receiver $receiver" >&2
    exit 1
  }
done
echo "  severities reach their receivers"

echo "--- docker-compose config"
if command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker-compose.yml config -q
else
  docker compose -f docker-compose.yml config -q
fi
echo "  docker-compose.yml is valid"

echo "--- Grafana dashboards"
# Each dashboard must parse; its queries, with Grafana's variables replaced, go through promtool as
# recording rules (JSON is YAML), which checks their PromQL syntax.
node - "$tmp/dashboard-queries.yml" monitoring/grafana/dashboards/*.json <<'EOF'
const fs = require('node:fs');
const [out, ...files] = process.argv.slice(2);
const rules = [];
for (const file of files) {
  const before = rules.length;
  let dashboard;
  try {
    dashboard = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`${file}: ${error.message}`);
    process.exit(1);
  }
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'expr' || key === 'definition') && typeof value === 'string' && value.trim()) {
        const expr = value
          .replace(/\$\{?__(rate_interval|interval|range|auto)(_ms|_s)?\}?/g, '5m')
          .replace(/^label_values\((.*),\s*(\w+)\)$/s, 'count by ($2) ($1)');
        rules.push({ record: `dashboard_query_${rules.length}`, expr, labels: { dashboard: file } });
      } else {
        walk(value);
      }
    }
  };
  walk(dashboard);
  console.log(`  ${file}: "${dashboard.title}", ${rules.length - before} queries`);
}
fs.writeFileSync(out, JSON.stringify({ groups: [{ name: 'dashboards', rules }] }));
EOF
promtool check rules "$tmp/dashboard-queries.yml" >/dev/null
echo "  every dashboard query is valid PromQL"

echo "--- monitoring assets are valid"
