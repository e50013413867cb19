#!/usr/bin/env bash
# Installs and starts the system parts the tests need: pcscd with the vpcd virtual reader, Chromium,
# Mosquitto and PostgreSQL, and the engines of the multi-node cluster (NATS; Patroni with etcd and
# HAProxy; pg_partman), which the cluster tests start themselves on their own ports. Idempotent: it only installs what is missing and only starts what is down.
# Without root or apt-get it changes nothing and prints the exact command to run instead.
set -euo pipefail

# fonts-wqy-microhei: a CJK font, without which Chinese on the kiosk and console renders as boxes.
packages=(pcscd libpcsclite-dev vsmartcard-vpcd chromium fonts-wqy-microhei)
command -v mosquitto >/dev/null 2>&1 || packages+=(mosquitto)
command -v pg_ctlcluster >/dev/null 2>&1 || packages+=(postgresql)
# The cluster (`npm run cluster`): started per test or command, never as system services.
packages+=(nats-server patroni etcd-server etcd-client haproxy postgresql-15-partman)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

can_install=false
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then can_install=true; fi

if [ ${#missing[@]} -gt 0 ]; then
  if $can_install; then
    echo "[system-deps] installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "[system-deps] missing packages: ${missing[*]}" >&2
    echo "[system-deps] run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() { # name, check command, start command
  local name=$1 check=$2 cmd=$3
  if eval "$check"; then return 0; fi
  if $can_install; then
    echo "[system-deps] starting $name"
    eval "$cmd"
  else
    echo "[system-deps] $name is not running; run: sudo $cmd" >&2
    exit 1
  fi
}

# pcscd reads /etc/reader.conf.d/vpcd at start-up and then exposes "Virtual PCD 00 00" and "00 01".
start pcscd "pgrep -x pcscd >/dev/null" "setsid -f pcscd"
start mosquitto "port_open 1883" "mosquitto -d -c /etc/mosquitto/mosquitto.conf"
start postgresql "port_open 5432" \
  "pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql | sort -V | tail -n 1) main start"

for _ in $(seq 1 50); do
  if port_open 35963 && port_open 1883 && port_open 5432; then
    echo "[system-deps] ready: pcscd+vpcd (127.0.0.1:35963, :35964), mosquitto :1883, postgresql :5432"
    exit 0
  fi
  sleep 0.2
done
echo "[system-deps] a service did not come up: vpcd :35963, mosquitto :1883 or postgresql :5432" >&2
exit 1
