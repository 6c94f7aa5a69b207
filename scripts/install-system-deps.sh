#!/usr/bin/env bash
# Installs the Debian packages Kaohe needs: Chromium (browser tests), CJK fonts (pages,
# screenshots, bulletins), LibreOffice and poppler (bulletin PDF), gettext (translations),
# and the free Fandol fonts (仿宋/楷体 for the bulletin), which Debian ships only inside
# texlive-lang-chinese: that package is downloaded and only its fonts are kept.
# As root it installs what is missing with apt; otherwise it names what is missing and stops.
set -euo pipefail

packages=(chromium fonts-noto-cjk fonts-liberation libreoffice-writer-nogui poppler-utils gettext)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

fandol_dir=/usr/local/share/fonts/fandol
need_fandol=0
[ -f "$fandol_dir/FandolFang-Regular.otf" ] || need_fandol=1

if [ ${#missing[@]} -eq 0 ] && [ $need_fandol -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Kaohe needs these system packages, which are not installed: ${missing[*]}" >&2
    echo "Install them as root, e.g.: apt-get install --no-install-recommends ${missing[*]}" >&2
  fi
  if [ $need_fandol -eq 1 ]; then
    echo "The bulletin's PDF needs the Fandol fonts in $fandol_dir (see docs/bulletin.md)." >&2
  fi
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ $need_fandol -eq 1 ]; then
  echo "Installing the Fandol fonts (from texlive-lang-chinese) into $fandol_dir"
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  [ ${#missing[@]} -gt 0 ] || apt-get update -qq
  (cd "$tmp" && apt-get download -qq texlive-lang-chinese && dpkg-deb -x texlive-lang-chinese_*.deb x)
  install -d "$fandol_dir"
  find "$tmp/x" -path '*fandol*' -name 'Fandol*.otf' ! -name '*Braille*' -exec install -m 644 {} "$fandol_dir/" \;
  rm -rf "$tmp"
  fc-cache -f >/dev/null
fi
