# Fluocount: build, serve, test and benchmark. Every target first runs scripts/setup.sh, which
# installs what is missing from the package registries only (crates.io, npm, Debian).
#
#   make run            serve the app at http://127.0.0.1:8080 (trunk serve --release)
#   make test           formatting, clippy (native and wasm32), unit tests, release build, end-to-end
#   make e2e            the release build, then only the end-to-end tests
#   make bench          all the benchmarks: criterion (native), browser (dist-bench), batch, decode
#   make bench-browser  only the browser benchmark (the wasm pipeline against OpenCV.js)
#   make web-bench      the app with its in-browser benchmark (feature bench) in dist-bench/
#   make bench-batch    the batch benchmark: 283 synthetic images in the worker pool vs the CLI
#   make bench-decode   decoding in a worker: WebCodecs ImageDecoder vs the app's Rust decoder

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# npm's binaryen gives Trunk its wasm-opt; it must come before any other wasm-opt on PATH.
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CURDIR)/e2e/node_modules/.bin:$(CARGO_BIN):$(PATH)

ADDRESS ?= 127.0.0.1
PORT ?= 8080

.PHONY: help setup setup-run run test fmt-check clippy unit cli web web-bench e2e bench bench-native bench-browser bench-batch bench-decode bench-memory clean

help:
	@sed -n '1,11p' Makefile | sed 's/^# \{0,1\}//'

setup:
	bash scripts/setup.sh

# `make run` needs no browser.
setup-run:
	bash scripts/setup.sh --no-browser

run: setup-run
	trunk serve --release --address $(ADDRESS) --port $(PORT)

# Ordered steps in one recipe, so that `make -j` cannot reorder them.
test:
	$(MAKE) --no-print-directory setup
	$(MAKE) --no-print-directory fmt-check clippy unit cli web e2e

fmt-check:
	cargo fmt --all --check

clippy:
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets --features bench -- -D warnings

# The test profile (opt-level 2, no LTO) builds much faster than --release on 2 cores.
unit:
	cargo test

# The native CLI that the end-to-end tests and the browser benchmark compare against.
cli:
	cargo build --release --bin fluocount

web:
	trunk build --release

# The shipped app has no benchmark code: the browser benchmark's build has the feature `bench`.
web-bench:
	trunk build --release --features bench --dist dist-bench

# `trunk serve` (make run) leaves a dev-server script in dist/, so always rebuild it first.
e2e: web
	cd e2e && node --test

bench: bench-native bench-browser bench-batch bench-decode

bench-native:
	cargo bench

bench-browser:
	$(MAKE) --no-print-directory setup
	$(MAKE) --no-print-directory cli web-bench
	node e2e/bench.mjs

bench-batch:
	$(MAKE) --no-print-directory setup
	$(MAKE) --no-print-directory cli web
	node e2e/batch-bench.mjs

bench-decode:
	$(MAKE) --no-print-directory setup
	cargo build --release --target wasm32-unknown-unknown --example wasm_stages
	node e2e/decode-bench.mjs

# Memory over 100 large images counted one after another in the viewer, then as one batch.
bench-memory:
	$(MAKE) --no-print-directory setup
	$(MAKE) --no-print-directory web
	node e2e/memory-bench.mjs

clean:
	cargo clean
	rm -rf dist dist-bench e2e/bench-results.json e2e/batch-bench-results.json e2e/decode-bench-results.json e2e/memory-bench-results.json
