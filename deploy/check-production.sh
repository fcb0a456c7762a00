#!/usr/bin/env bash
# The production path, run in a clean folder as far as this machine allows (README "Deploying"):
# a copy of the tracked files, `npm ci --omit=dev` (production dependencies only), then `npm start`
# with no token (the local chat answers a question), `--help`, and the deployment files' checks.
# Docker is not run: this machine has no Docker engine (its client only).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git ls-files -z | xargs -0 cp --parents -t "$work"
cd "$work"

echo "production install: npm ci --omit=dev in $work"
npm ci --omit=dev --prefer-offline --no-audit --no-fund >/dev/null
test ! -e node_modules/vitest || { echo "FAIL: a dev dependency was installed"; exit 1; }

echo "npm start without a token: the local chat answers"
answer=$(printf 'kho khan\n' | BOT_TOKEN= LOG_LEVEL=warn npm start 2>&1)
grep -q "khó khăn, hạn chế" <<<"$answer" || { echo "FAIL: no answer from the local chat"; echo "$answer"; exit 1; }
node dist/cli/start.js --help | grep -q "usage: npm start" || { echo "FAIL: start --help"; exit 1; }

echo "deployment files"
for f in Dockerfile compose.yaml deploy/hoibao.service; do test -s "$f" || { echo "FAIL: $f missing"; exit 1; }; done
# The Dockerfile copies only what exists, runs as a non-root user, declares the volumes and a health check.
grep -q '^USER ' Dockerfile && grep -q '^HEALTHCHECK ' Dockerfile && grep -q '^VOLUME ' Dockerfile || { echo "FAIL: Dockerfile needs USER, VOLUME and HEALTHCHECK"; exit 1; }
for path in $(sed -n 's/^COPY \(--from=[a-z]* \)\{0,1\}\([^ ]*\) .*/\2/p' Dockerfile | grep -v '^/'); do
  test -e "$path" || { echo "FAIL: the Dockerfile copies $path, which does not exist"; exit 1; }
done
if command -v systemd-analyze >/dev/null 2>&1; then systemd-analyze verify deploy/hoibao.service 2>&1 | grep -v "not found\|No such file" || true; fi
echo "production path: ok (Docker build not run: no Docker engine here)"
