#!/usr/bin/env bash
# Stop the RGW started by scripts/rgw/start.sh: by PID, gateway first, then OSD, then monitor;
# SIGTERM, then SIGKILL after 5 s. Removes its state directory unless --keep is given.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${RGW_DIR:-$ROOT/.rgw}
[ -f "$DIR/pids" ] || { printf 'rgw: not running (no %s)\n' "$DIR/pids" >&2; exit 0; }
for name in rgw osd mon; do
  pid=$(awk -v n="$name" '$1 == n { print $2 }' "$DIR/pids")
  [ -n "$pid" ] || continue
  # Only ever signal our own daemons: a pid file can outlive them (a reboot reuses pids).
  case "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" in
    *ceph-mon*|*ceph-osd*|*radosgw*) ;;
    *) continue ;;
  esac
  kill -TERM "$pid" 2>/dev/null || continue
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
done
if [ "${1:-}" != "--keep" ]; then rm -rf "$DIR"; else rm -f "$DIR/pids"; fi
printf 'rgw: stopped\n' >&2
