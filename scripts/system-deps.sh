#!/usr/bin/env bash
# Install what the test suite needs from Debian when it is missing: PostgreSQL server binaries,
# Chromium for Playwright, a CJK font for screenshots, dovecot (a real IMAP server for the
# inbound-mail tests), Prometheus Alertmanager (the masking rules' enforcement tests), nginx,
# openssl and curl (the deployment walk-through). Needs root for apt; otherwise explains.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
# The deployment walk-through (scripts/deploy-try.sh, run by a test): Debian's nginx.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || need+=(fonts-wqy-microhei)
# The report deck's chart images (analytics) register this very font file with matplotlib.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ -z "${TEST_DATABASE_URL:-}" ] && ! scripts/pg-bin initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages: ${need[*]}. Install them (sudo apt-get install ${need[*]})," >&2
  echo "or point the suite at a PostgreSQL server with TEST_DATABASE_URL=postgres://user@host:port/db." >&2
  exit 1
fi
echo "Installing ${need[*]} (apt)…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
