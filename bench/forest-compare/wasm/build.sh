#!/bin/sh
# Builds the cdylib once per variant and runs wasm-bindgen on each (as a browser app would load it).
set -e
cd "$(dirname "$0")"
for feat in none ours smartcore linfa; do
  if [ $feat = none ]; then F=""; else F="--features $feat"; fi
  cargo build -q --release --target wasm32-unknown-unknown --lib $F
  cp target/wasm32-unknown-unknown/release/forest_wasm.wasm out-$feat.wasm
  wasm-bindgen --target web --out-dir bg/$feat out-$feat.wasm 2>&1 | grep -v target_features || true
  echo "$feat raw=$(stat -c %s out-$feat.wasm) bindgen=$(stat -c %s bg/$feat/out-${feat}_bg.wasm) gzip=$(gzip -9c bg/$feat/out-${feat}_bg.wasm | wc -c)"
done
