#!/bin/sh
# Downloads the bundled sanctions lists from their publishers into
# internal/screening/snapshot/data and writes manifest.json with each file's URL and SHA-256, so
# that the next `go build` embeds them. Run it on a machine that reaches treasury.gov and
# scsanctions.un.org; the files are .gitignored and never committed (see the folder's README).
# OFAC_URL and UN_URL override the sources.
set -eu
cd "$(dirname "$0")/.."
out=internal/screening/snapshot/data
ofac=${OFAC_URL:-https://www.treasury.gov/ofac/downloads}
un=${UN_URL:-https://scsanctions.un.org/resources/xml/en/consolidated.xml}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ofac-sdn" "$tmp/un"
fetch() { # url file
	curl --fail --location --silent --show-error --retry 3 --max-time 300 -o "$2" "$1"
	[ -s "$2" ] || { echo "empty download: $1" >&2; exit 1; }
}
for f in sdn.csv alt.csv add.csv sdn_comments.csv; do
	fetch "$ofac/$f" "$tmp/ofac-sdn/$f"
done
fetch "$un" "$tmp/un/consolidated.xml"
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
{
	printf '{\n  "date": "%s",\n  "files": {\n' "$date"
	sep=""
	for f in ofac-sdn/sdn.csv ofac-sdn/alt.csv ofac-sdn/add.csv ofac-sdn/sdn_comments.csv un/consolidated.xml; do
		case $f in
		un/*) url=$un ;;
		*) url=$ofac/${f#ofac-sdn/} ;;
		esac
		sum=$(sha256sum "$tmp/$f" | cut -d' ' -f1)
		printf '%s    "%s": {"url": "%s", "sha256": "%s"}' "$sep" "$f" "$url" "$sum"
		sep=",
"
	done
	printf '\n  }\n}\n'
} >"$tmp/manifest.json"
# Replace the snapshot only once everything was downloaded.
rm -rf "$out/ofac-sdn" "$out/un" "$out/manifest.json"
mv "$tmp/ofac-sdn" "$tmp/un" "$tmp/manifest.json" "$out/"
echo "sanctions snapshot of $date in $out; rebuild kycd to embed it"
