#!/usr/bin/env bash
# Makes sure Debian's chromium and chromium-driver are installed, for the console's browser tests
# (ConsoleBrowserIT drives /usr/bin/chromium through /usr/bin/chromedriver; Selenium downloads nothing).
# Idempotent: installs only what is missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -eq 0 ]; then
  echo "chromium and chromedriver are installed: $(/usr/bin/chromium --version 2>/dev/null || echo '?')"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "installing ${missing[*]} needs root: run as root or install sudo" >&2; exit 1; }
  sudo=sudo
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
/usr/bin/chromium --version 2>/dev/null
