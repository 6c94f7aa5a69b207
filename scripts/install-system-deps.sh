#!/usr/bin/env bash
# Installs the Debian packages Kaohe needs: Chromium (browser tests), CJK fonts (pages,
# screenshots, bulletins), LibreOffice and poppler (bulletin PDF), gettext (translations).
# As root it installs what is missing with apt; otherwise it names what is missing and stops.
set -euo pipefail

packages=(chromium fonts-noto-cjk fonts-liberation libreoffice-writer-nogui poppler-utils gettext)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Kaohe needs these system packages, which are not installed: ${missing[*]}" >&2
  echo "Install them as root, e.g.: apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
