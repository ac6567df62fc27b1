#!/usr/bin/env bash
# Installs the system tools genprobe's tests use for real: ffmpeg (MP4 encode/decode),
# Chromium (Playwright), Prometheus + promtool, Pushgateway, blackbox_exporter (benchmark
# comparison) and PostgreSQL (usage collector). Idempotent: skips what is already present.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v promtool >/dev/null || need+=(prometheus)
[ -x /usr/bin/prometheus-pushgateway ] || need+=(prometheus-pushgateway)
[ -x /usr/bin/prometheus-blackbox-exporter ] || need+=(prometheus-blackbox-exporter)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-system: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # policy-rc.d on these machines stops services auto-starting; tests start their own instances.
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "setup-system: ok" >&2
