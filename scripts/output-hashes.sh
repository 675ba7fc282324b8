#!/bin/sh
# Prints the SHA-256 of everything the examples build to, reproducibly
# (SOURCE_DATE_EPOCH), as ext2 and cpio, and of guestfs's SBOM: run it with
# two binaries (built with the same -ldflags "-X main.version=...") and
# diff the outputs to show that a restructuring changed no byte. The
# fingerprints (they hash the tool's version) and the kernel copy are
# left out. Usage: scripts/output-hashes.sh BINARY WORKDIR (from the
# repository's root).
set -eu
bin=$(realpath "$1") out=$2
rm -rf "$out"
mkdir -p "$out"
for e in minimal boot-hello guestfs; do
	for f in ext2 cpio; do
		SOURCE_DATE_EPOCH=1700000000 "$bin" build "examples/$e.toml" --format $f -o "$out/$e-$f" >/dev/null 2>&1 || echo "$e $f failed"
	done
	"$bin" list --json "examples/$e.toml" >"$out/$e.list.json" 2>/dev/null
done
SOURCE_DATE_EPOCH=1700000000 "$bin" sbom examples/guestfs.toml -o "$out/guestfs.spdx.json" 2>/dev/null
cd "$out" && find . -type f ! -name '.supermin-compile.fingerprint' ! -name kernel | sort | xargs sha256sum
