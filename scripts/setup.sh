#!/usr/bin/env bash
# Installs everything the app and its tests need on a Debian/Ubuntu machine with Python 3.11+.
# Safe to run again: each step does nothing when its work is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

# System packages: the MySQL client headers (mysqlclient builds against them), Node/npm for the
# pinned front-end assets, and Debian's Chromium for the browser tests.
apt_packages=(pkg-config default-libmysqlclient-dev build-essential python3-venv nodejs npm chromium)
missing=()
for pkg in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    # node/npm may come from elsewhere than Debian's packages; only ask apt for them if absent.
    if { [ "$pkg" = nodejs ] && command -v node >/dev/null; } || { [ "$pkg" = npm ] && command -v npm >/dev/null; }; then
      continue
    fi
    if [ "$pkg" = python3-venv ] && python3 -c "import venv, ensurepip" 2>/dev/null; then
      continue
    fi
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# Python dependencies, pinned.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! cmp -s requirements.txt .venv/.requirements.installed 2>/dev/null; then
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  cp requirements.txt .venv/.requirements.installed
fi

# Front-end assets, pinned by package-lock.json, copied into our static files.
if ! cmp -s package-lock.json node_modules/.package-lock.installed 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.installed
fi
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/@picocss/pico/css/pico.min.css static/vendor/pico.min.css
cp node_modules/chart.js/dist/chart.umd.js static/vendor/chart.umd.js
# chart.umd.js ends with `sourceMappingURL=chart.umd.js.map`: collectstatic's manifest storage (DEBUG=0)
# refuses a file whose source map is missing, so the map goes beside it.
cp node_modules/chart.js/dist/chart.umd.js.map static/vendor/chart.umd.js.map
cp node_modules/chartjs-plugin-annotation/dist/chartjs-plugin-annotation.min.js static/vendor/chartjs-plugin-annotation.min.js
# axe-core is for the accessibility checks of the browser tests only; it is not served.
mkdir -p core/tests/vendor
cp node_modules/axe-core/axe.min.js core/tests/vendor/axe.min.js
