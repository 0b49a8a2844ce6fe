#!/bin/sh
# Retrains the built-in model on the real samples with masks in tests/data/fluocells and the hard
# synthetic suite (`fluocount synth --suite`), each image with its collection's candidate setting,
# and prints the leave-one-image-out figures over those 13 images.
# tests/learn.rs checks that the committed model is what this gives.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/images" "$tmp/masks"
for c in yellow red; do
  cp tests/data/fluocells/$c/masks/* "$tmp/masks/"
  for m in tests/data/fluocells/$c/masks/*; do
    cp "tests/data/fluocells/$c/images/$(basename "$m")" "$tmp/images/"
  done
done
cargo run --release --quiet --bin fluocount -- synth --suite --out-dir "$tmp" >/dev/null
cargo run --release --quiet --bin fluocount -- train --images "$tmp/images" --masks "$tmp/masks" \
  --name "Fluocount samples" --out src/count/learn/builtin/samples.fcmodel
