#!/usr/bin/env bash
# Installs the Debian packages crier builds against, when they are missing (needs root or sudo).
set -euo pipefail
need=()
for package in libcurl4-openssl-dev libpq-dev libsqlite3-dev libvips-dev pkg-config; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need+=("$package")
done
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
