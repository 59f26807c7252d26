#!/usr/bin/env bash
# Install the Debian packages of .ci/packages.txt (needs root and Debian's package registry).
# Usage: bash .ci/deps.sh   (also `make deps` once make is installed)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != "0" ]; then
  echo "Installing Debian packages needs root: sudo bash .ci/deps.sh" >&2
  exit 1
fi
mapfile -t PACKAGES < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' .ci/packages.txt)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "Installed: ${PACKAGES[*]}" >&2
