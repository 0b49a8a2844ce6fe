#!/usr/bin/env bash
# Installs what building, serving and testing Fluocount needs, from the package registries only
# (crates.io, npm, Debian): never a prebuilt binary from elsewhere. See the toolchain notes in the
# README. Idempotent: each step says what it does and skips what is already present.
#
# usage: scripts/setup.sh [--no-browser] [--no-npm]
#   --no-browser  skip Debian's chromium and chromium-driver (enough for `make run`)
#   --no-npm      skip `npm ci` in e2e/ (then wasm-opt from npm binaryen is missing too)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

TRUNK_VERSION=0.21.14
browser=1
npm_deps=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) browser=0 ;;
    --no-npm) npm_deps=0 ;;
    -h | --help)
      sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup: unknown argument $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

say() { printf 'setup: %s\n' "$*"; }

# Cargo's bin directory must be on PATH for the checks below (a fresh rustup shell may lack it).
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

for tool in cargo rustup; do
  if ! command -v "$tool" >/dev/null; then
    echo "setup: $tool not found; install Rust with rustup first" >&2
    exit 1
  fi
done

# --- Rust components and target ------------------------------------------------------------------
for component in rustfmt clippy; do
  if rustup component list --installed | grep -q "^$component"; then
    say "rust component $component: present"
  else
    say "rust component $component: adding"
    rustup component add "$component"
  fi
done

# --- Rust target ---------------------------------------------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rust target wasm32-unknown-unknown: present"
else
  say "rust target wasm32-unknown-unknown: adding"
  rustup target add wasm32-unknown-unknown
fi

# --- Trunk ---------------------------------------------------------------------------------------
# 0.21.14 is the newest Trunk that builds with this rustc (0.22 needs a newer one).
if trunk --version 2>/dev/null | grep -qw "$TRUNK_VERSION"; then
  say "trunk $TRUNK_VERSION: present"
else
  say "trunk $TRUNK_VERSION: cargo install (about 5 min on 2 cores)"
  cargo install trunk --locked --version "$TRUNK_VERSION"
fi

# --- wasm-bindgen-cli: exactly the version of the wasm-bindgen crate in Cargo.lock -----------------
wbg_version=$(awk '
  $0 == "[[package]]" { name = "" }
  $1 == "name" && $3 == "\"wasm-bindgen\"" { name = "wasm-bindgen" }
  name == "wasm-bindgen" && $1 == "version" { gsub(/"/, "", $3); print $3; exit }
' Cargo.lock)
if [[ -z "$wbg_version" ]]; then
  echo "setup: no wasm-bindgen entry in Cargo.lock" >&2
  exit 1
fi
if wasm-bindgen --version 2>/dev/null | grep -qw "$wbg_version"; then
  say "wasm-bindgen-cli $wbg_version: present"
else
  # Without --locked: the CLI's own lock file pins a crate version the registry no longer has.
  say "wasm-bindgen-cli $wbg_version (== Cargo.lock): cargo install (about 2 min)"
  cargo install wasm-bindgen-cli --version "$wbg_version"
fi

# --- npm packages of e2e/ (playwright-core, binaryen's wasm-opt, OpenCV.js) ------------------------
if [[ $npm_deps == 1 ]]; then
  if ! command -v npm >/dev/null; then
    echo "setup: npm not found; install Node.js 20 and npm" >&2
    exit 1
  fi
  # npm writes node_modules/.package-lock.json after a successful install; if it is newer than
  # package.json and package-lock.json, node_modules is up to date.
  stamp=e2e/node_modules/.package-lock.json
  if [[ -f $stamp && $stamp -nt e2e/package.json && (! -f e2e/package-lock.json || $stamp -nt e2e/package-lock.json) ]]; then
    say "e2e/node_modules: up to date"
  elif [[ -f e2e/package-lock.json ]]; then
    say "e2e/node_modules: npm ci"
    (cd e2e && npm ci --no-audit --no-fund)
  else
    say "e2e/node_modules: npm install (no package-lock.json)"
    (cd e2e && npm install --no-audit --no-fund)
  fi
else
  say "e2e/node_modules: skipped (--no-npm)"
fi

# --- Debian's Chromium (the browser of the end-to-end tests and the browser benchmark) -----------
if [[ $browser == 1 ]]; then
  if [[ -x /usr/bin/chromium ]]; then
    say "chromium: present (/usr/bin/chromium)"
  else
    sudo=()
    if [[ $(id -u) != 0 ]]; then
      if command -v sudo >/dev/null; then
        sudo=(sudo)
      else
        echo "setup: /usr/bin/chromium is missing and we are neither root nor have sudo;" \
          "install Debian's chromium and chromium-driver" >&2
        exit 1
      fi
    fi
    say "chromium, chromium-driver: apt-get install (about 2 min)"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y chromium chromium-driver
  fi
else
  say "chromium: skipped (--no-browser)"
fi

say "done"
