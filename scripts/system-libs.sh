#!/bin/sh
# WeasyPrint needs Pango, and HarfBuzz's subsetter (without it, it falls back to a
# pure-Python font subsetter about three times slower). Install them when missing.
# With --browser-optional, also try Debian's Chromium for the browser tests; if it cannot
# be installed, those tests are skipped with the reason printed, and nothing else fails.
set -e

install() {
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages:$1"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $1 >/dev/null
  else
    echo "toolkit needs these system packages:$1"
    echo "Install them with: sudo apt-get install$1"
    return 1
  fi
}

if [ "$1" = "--browser-optional" ]; then
  command -v chromium >/dev/null 2>&1 && exit 0
  install " chromium" || echo "Browser tests will be skipped: Chromium is not installed."
  exit 0
fi

missing=""
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libpango-1.0.so.0 || missing="$missing libpango-1.0-0"
have_lib libpangoft2-1.0.so.0 || missing="$missing libpangoft2-1.0-0"
have_lib libharfbuzz-subset.so.0 || missing="$missing libharfbuzz-subset0"
[ -z "$missing" ] && exit 0
install "$missing"
