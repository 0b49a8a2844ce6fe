#!/usr/bin/env bash
# Runs every cargo-fuzz target in turn for SECONDS seconds each (default 600, i.e. 10 CPU-minutes on
# one core), keeps the corpora in fuzz/corpus (not committed) and stops at the first crash, which
# cargo-fuzz writes to fuzz/artifacts/TARGET/. Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
for t in "${targets[@]}"; do
  echo "== $t: ${seconds} s"
  cargo +nightly fuzz run "$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 2>&1 \
    | grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs|==[0-9]+== ERROR|SUMMARY|artifact_prefix|Test unit written)' || true
  if [ -n "$(ls -A "fuzz/artifacts/$t" 2>/dev/null)" ]; then
    echo "!! $t: crash written to fuzz/artifacts/$t" >&2
    exit 1
  fi
done
