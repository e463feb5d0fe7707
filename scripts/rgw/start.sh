#!/usr/bin/env bash
# Start a throwaway single-node Ceph RGW (1 mon, 1 memstore OSD, 1 radosgw) on 127.0.0.1.
# Idempotent: if ours is already running, it just prints the environment again.
# Creates the bucket `manifest-lab`. Prints `export` lines (endpoint, bucket, region, fixed test
# credentials, and MANIFEST_LAB_RGW_STARTED=1 if this call started it) on stdout; progress on stderr.
# Installs Debian's ceph-mon, ceph-osd, radosgw, ceph-common and curl if missing (needs root).
# Stop it with scripts/rgw/stop.sh (by PID, in reverse start order).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${RGW_DIR:-$ROOT/.rgw}
PORT=${RGW_PORT:-7480}
ACCESS_KEY=manifestlabtest
SECRET_KEY=manifestlabtestsecret
BUCKET=manifest-lab
log() { printf 'rgw: %s\n' "$*" >&2; }
die() { printf 'rgw: %s\n' "$*" >&2; exit 1; }

STARTED=0
print_env() {
  cat <<ENV
export MANIFEST_LAB_RGW_STARTED=$STARTED
export MANIFEST_LAB_S3_ENDPOINT=http://127.0.0.1:$PORT
export MANIFEST_LAB_S3_BUCKET=$BUCKET
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
ENV
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# The bucket the README's examples use: an S3 CreateBucket, SigV4-signed by curl (idempotent).
create_bucket() {
  curl -sf -o /dev/null -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" -u "$ACCESS_KEY:$SECRET_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "http://127.0.0.1:$PORT/$BUCKET"
}
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# One start at a time (parallel test runs may race here).
mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"  # daemons below get 9>&- so they do not hold the lock
flock 9

# Already running (ours)?
if [ -f "$DIR/pids" ]; then
  running=1
  while read -r name pid; do alive "$pid" || running=0; done < "$DIR/pids"
  if [ "$running" = 1 ] && [ -f "$DIR/ready" ] && port_busy "$PORT"; then
    create_bucket || die "the running gateway on 127.0.0.1:$PORT refused to create bucket $BUCKET; stop it with scripts/rgw/stop.sh and run again."
    log "already running on 127.0.0.1:$PORT with bucket $BUCKET (state in $DIR)"
    print_env
    exit 0
  fi
  log "stale state in $DIR; cleaning up"
  "$(dirname "$0")/stop.sh" >&2 || true
fi

if ! command -v radosgw >/dev/null 2>&1 || ! command -v ceph-mon >/dev/null 2>&1 || ! command -v ceph-osd >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "Ceph RGW is not installed and installing it needs root: run as root, or apt-get install ceph-mon ceph-osd radosgw ceph-common curl yourself."
  log "installing ceph-mon ceph-osd radosgw ceph-common curl (Debian packages, ~60 MB)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends ceph-mon ceph-osd radosgw ceph-common curl >&2
fi

for p in "$PORT" 3300 6789; do
  if port_busy "$p"; then die "port 127.0.0.1:$p is busy; stop whatever listens there (or set RGW_PORT for the gateway) and run again."; fi
done

rm -rf "$DIR"
mkdir -p "$DIR"/{run,log,crash,mon,osd,rgw}
FSID=$(cat /proc/sys/kernel/random/uuid)
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
CONF="$DIR/ceph.conf"
cat > "$CONF" <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
ms mon client mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail crit = 0
osd objectstore = memstore
memstore device bytes = 1073741824
run dir = $DIR/run
admin socket = $DIR/run/\$cluster-\$name.asok
log file = $DIR/log/\$cluster-\$name.log
crash dir = $DIR/crash
keyring = $DIR/keyring
[mon]
mon data = $DIR/mon/\$cluster-\$id
paxos propose interval = 0.05
paxos min wait = 0.01
[osd]
osd data = $DIR/osd/\$cluster-\$id
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw data = $DIR/rgw
CONF

cleanup_on_failure() {
  log "start failed; stopping what was started (logs in $DIR/log)"
  "$(dirname "$0")/stop.sh" --keep >&2 || true
}
# On any failure — an error or a `die` — stop what was started; disarmed once ready.
trap cleanup_on_failure EXIT

: > "$DIR/pids"
wait_for() { # description, tries, command...
  local what=$1 tries=$2; shift 2
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "timed out waiting for $what (see $DIR/log)"
}

ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]' "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
ceph-mon -c "$CONF" -i a -f >/dev/null 2>&1 9>&- &
echo "mon $!" >> "$DIR/pids"
wait_for "the monitor" 300 ceph -c "$CONF" --connect-timeout 2 mon stat

OSD_ID=$(ceph -c "$CONF" --connect-timeout 10 osd new "$OSD_UUID")
mkdir -p "$DIR/osd/ceph-$OSD_ID"
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >/dev/null 2>&1
ceph-osd -c "$CONF" -i "$OSD_ID" -f >/dev/null 2>&1 9>&- &
echo "osd $!" >> "$DIR/pids"
osd_up() { ceph -c "$CONF" --connect-timeout 2 osd dump | grep -q "^osd.$OSD_ID up"; }
wait_for "the OSD" 300 osd_up

radosgw -c "$CONF" -n client.rgw.a -f >/dev/null 2>&1 9>&- &
echo "rgw $!" >> "$DIR/pids"
wait_for "the gateway on 127.0.0.1:$PORT" 600 port_busy "$PORT"

radosgw-admin -c "$CONF" -n client.admin user create --uid=test --display-name=Test \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
wait_for "bucket $BUCKET to be created" 100 create_bucket
touch "$DIR/ready"
trap - EXIT
STARTED=1
log "running on 127.0.0.1:$PORT with bucket $BUCKET (state in $DIR; stop with scripts/rgw/stop.sh)"
print_env
