#!/bin/sh
# Trunk post_build hook (Trunk.toml): moves the inline <script type="module"> that Trunk writes
# into index.html to a file of its own, boot-<hash>.js, so that the page's Content-Security-Policy
# needs no 'unsafe-inline' for scripts. POSIX sh and awk only; works on the staging directory.
set -eu
dir="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
html="$dir/index.html"
body="$dir/.boot.js"
awk -v out="$body" '
  !inside && /<script type="module">/ { inside = 1; n++; sub(/.*<script type="module">/, ""); }
  inside {
    if (index($0, "</script>")) { line = $0; sub(/<\/script>.*/, "", line); print line > out; inside = 0; next }
    print > out; next
  }
  END { if (n != 1) { print "csp-boot: expected one inline module script, found " n > "/dev/stderr"; exit 1 } }
' "$html"
hash=$(cksum < "$body" | cut -d' ' -f1)
mv "$body" "$dir/boot-$hash.js"
# Trunk passes the --public-url (with its trailing slash) to hooks.
base="${TRUNK_PUBLIC_URL:-/}"
case "$base" in */) ;; *) base="$base/" ;; esac
awk -v src="${base}boot-$hash.js" '
  !inside && /<script type="module">/ { inside = 1; print "<script type=\"module\" src=\"" src "\"></script>"; }
  inside { if (index($0, "</script>")) inside = 0; next }
  { print }
' "$html" > "$html.tmp"
mv "$html.tmp" "$html"
if grep -q '<script>' "$html" || grep -q '<script type="module">' "$html"; then
  echo "csp-boot: an inline script is left in index.html" >&2
  exit 1
fi
