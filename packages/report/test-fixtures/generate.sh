#!/usr/bin/env bash
# Regenerates the test fixtures with the manifest-lab CLI (build first: `pnpm build` at the root).
# Everything but `crash` runs in virtual time, so the same code gives the same files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cli="$here/../../../apps/runner/bin/manifest-lab.js"
out="$here/lab"
rm -rf "$out"
mkdir -p "$out"
cd "$here"
node "$cli" sweep --config tiny-sweep.json --out "$out/tiny" > /dev/null
node "$cli" baseline --duration-s 20 --num-readers 1 --reader-rate 1 --writer-rate 0.5 --replicas 2 --out "$out/baseline" > /dev/null
node "$cli" chaos --scenarios baseline,latency-200,blocking --chaos-duration-s 40 --num-writers 2 --writer-rate 0.5 \
  --num-readers 1 --reader-rate 1 --min-write-attempts 0 --out "$out/nested/chaos" > /dev/null
node "$cli" chaos --scenarios two-compactors --hazard-seeds 2 --out "$out/hazards" > /dev/null
# The crash is a real kill -9 in real time, on a scratch directory removed afterwards.
scratch="$(mktemp -d)"
(cd "$scratch" && node "$cli" crash --backend fs --dir objects --out "$out/crash" > /dev/null)
rm -rf "$scratch"
