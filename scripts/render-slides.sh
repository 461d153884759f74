#!/usr/bin/env bash
# Render a report's slide deck (.pptx) — or its workbook (.xlsx), every sheet with its chart —
# to PNG, one image per slide or printed page, with LibreOffice headless:
#
#     scripts/render-slides.sh FILE.pptx|FILE.xlsx [OUT_DIR] [--install]
#
# Writes OUT_DIR/<name>-slide-<n>.png (a deck) or <name>-page-<n>.png (a workbook), n from 1
# (OUT_DIR defaults to the file's folder), and prints their paths. LibreOffice turns the file
# into a PDF, pdftoppm (poppler) cuts it into pages.
# Needs Debian's `libreoffice-impress` (decks), `libreoffice-calc` (workbooks),
# `poppler-utils` and a CJK font (`fonts-wqy-microhei`). They are not part of `make test`;
# with --install, a root user on Debian/Ubuntu gets them from apt-get, anyone else is told
# what to install.
set -euo pipefail

usage() {
    echo "usage: $0 FILE.pptx|FILE.xlsx [OUT_DIR] [--install]" >&2
    exit 2
}

install=0
args=()
for a in "$@"; do
    case "$a" in
        --install) install=1 ;;
        -h | --help) usage ;;
        *) args+=("$a") ;;
    esac
done
[ "${#args[@]}" -ge 1 ] && [ "${#args[@]}" -le 2 ] || usage
src=${args[0]}
[ -f "$src" ] || { echo "$0: no such file: $src" >&2; exit 2; }
case "$src" in
    *.pptx) app=libreoffice-impress kind=slide ;;
    *.xlsx) app=libreoffice-calc kind=page ;;
    *) echo "$0: give a .pptx or an .xlsx file" >&2; exit 2 ;;
esac
out=${args[1]:-$(dirname "$src")}

missing=()
command -v soffice >/dev/null || missing+=("$app")
# soffice alone may lack the component this file needs (impress for decks, calc for books).
if command -v dpkg-query >/dev/null && ! dpkg-query -W -f='${Status}' "$app" 2>/dev/null |
    grep -q "ok installed"; then
    [[ " ${missing[*]-} " == *" $app "* ]] || missing+=("$app")
fi
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk" || missing+=(fonts-wqy-microhei)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$install" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing ${missing[*]} (apt-get) ..." >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
    else
        echo "$0: missing: ${missing[*]}" >&2
        echo "  on Debian/Ubuntu: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
        echo "  (or run this script as root with --install)" >&2
        exit 3
    fi
fi

mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/caredesk-render.XXXXXX")
trap 'rm -rf "$work"' EXIT
name=$(basename "${src%.*}")
# A profile of its own: a desktop LibreOffice already running would otherwise take the job.
soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
    --convert-to pdf --outdir "$work" "$src" >/dev/null 2>"$work/soffice.log" || {
    cat "$work/soffice.log" >&2
    exit 1
}
[ -f "$work/$name.pdf" ] || { echo "$0: LibreOffice wrote no PDF" >&2; cat "$work/soffice.log" >&2; exit 1; }
# 1280 px wide: a 10-inch slide at 128 dpi, enough to read the charts' labels.
pdftoppm -png -scale-to-x 1280 -scale-to-y -1 "$work/$name.pdf" "$work/page"
n=0
for page in $(ls "$work"/page-*.png | sort -V); do
    n=$((n + 1))
    mv "$page" "$out/$name-$kind-$n.png"
    echo "$out/$name-$kind-$n.png"
done
