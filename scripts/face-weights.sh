#!/bin/sh
# Fetches the face models of the npm package @vladmandic/face-api 1.7.15 (MIT) from the npm
# registry, checks the tarball against the integrity the registry published for that version
# (sha512, pinned below), and extracts the recognition net (dlib ResNet, 128-d) and the 68-point
# landmark net, each with its tfjs weights manifest, into internal/face/weights. The files are
# committed, so builds and tests need no network; run this to check them or to redo them.
# `make face-weights` runs it; afterwards `git diff --stat internal/face/weights` must be empty.
set -eu
cd "$(dirname "$0")/.."
version=1.7.15
url=https://registry.npmjs.org/@vladmandic/face-api/-/face-api-$version.tgz
# `npm view @vladmandic/face-api@1.7.15 dist.integrity`
integrity=sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==
out=internal/face/weights
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl --fail --location --silent --show-error --retry 3 --max-time 300 -o "$tmp/face-api.tgz" "$url"
got=sha512-$(openssl dgst -sha512 -binary "$tmp/face-api.tgz" | base64 -w0)
if [ "$got" != "$integrity" ]; then
	echo "face-api-$version.tgz: integrity $got, want $integrity" >&2
	exit 1
fi
files="face_recognition_model.bin face_recognition_model-weights_manifest.json face_landmark_68_model.bin face_landmark_68_model-weights_manifest.json"
members=""
for f in $files; do members="$members package/model/$f"; done
# shellcheck disable=SC2086 # members is a list of paths without spaces
tar -xzf "$tmp/face-api.tgz" -C "$tmp" package/LICENSE $members
for f in $files; do cp "$tmp/package/model/$f" "$out/$f"; done
cp "$tmp/package/LICENSE" "$out/LICENSE.face-api"
(cd "$out" && sha256sum $files LICENSE.face-api >SHA256SUMS)
echo "extracted into $out:"
cat "$out/SHA256SUMS"
