#!/usr/bin/env bash
# Make sure Debian's Chromium is installed at /usr/bin/chromium (the report site's browser tests
# drive it through playwright-core). Installs it with apt-get when missing: as root directly, else
# through sudo (GitHub Actions runners). Prints the executable's path on stdout; progress on stderr.
# One install at a time: parallel test runs may call this together.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
log() { printf 'chromium: %s\n' "$*" >&2; }
die() { printf 'chromium: %s\n' "$*" >&2; exit 1; }

if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    die "Chromium is not installed at $CHROMIUM and installing it needs root: run as root, or apt-get install chromium yourself."
  fi
  ROOT=$(cd "$(dirname "$0")/../.." && pwd)
  exec 9>"$ROOT/.chromium.lock"
  flock 9
  if [ ! -x "$CHROMIUM" ]; then
    log "installing Debian's chromium (~100 MB)"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq >&2
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
  fi
  [ -x "$CHROMIUM" ] || die "apt-get install chromium finished but $CHROMIUM is missing; install Chromium so that $CHROMIUM exists."
fi
echo "$CHROMIUM"
