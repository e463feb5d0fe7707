#!/usr/bin/env bash
# Run a command with the project's throwaway Ceph RGW available (for the S3 tests), then stop
# the RGW by PID if this script started it. Usage: scripts/rgw/with-rgw.sh <command> [args...]
set -uo pipefail
here=$(dirname "$0")
env_lines=$("$here/start.sh") || { echo "rgw: could not start Ceph RGW (see above)" >&2; exit 1; }
eval "$env_lines"
cleanup() {
  if [ "${MANIFEST_LAB_RGW_STARTED:-0}" = 1 ] && [ -z "${MANIFEST_LAB_KEEP_RGW:-}" ]; then "$here/stop.sh"; fi
}
# Stop it however the command ends: success, failure, Ctrl-C or a CI timeout.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$@"
