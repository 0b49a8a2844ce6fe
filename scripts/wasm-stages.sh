#!/usr/bin/env bash
# Per-stage timings of the batch pipeline in WebAssembly (the browser's build flags, SIMD on),
# run in Node: scripts/wasm-stages.sh IMAGE [MASK]. See examples/wasm_stages.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --quiet --release --target wasm32-unknown-unknown --example wasm_stages
out=target/wasm-stages
wasm-bindgen --target nodejs --out-dir "$out" target/wasm32-unknown-unknown/release/examples/wasm_stages.wasm
node -e '
const fs = require("fs");
const m = require(process.argv[1]);
const img = fs.readFileSync(process.argv[2]);
const mask = process.argv[3] ? fs.readFileSync(process.argv[3]) : new Uint8Array();
process.stdout.write(m.wasm_stages(img, mask, 5));
' "$PWD/$out/wasm_stages.js" "$1" "${2:-}"
