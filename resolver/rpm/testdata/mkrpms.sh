#!/bin/sh
# mkrpms.sh OUTDIR: builds the test packages of specs/ into OUTDIR (flat,
# under rpmbuild's own file names) with rpmbuild, as root or not, offline:
#
#   smc-base-1.0-1.x86_64.rpm       gzip, many kinds of file entry
#   smc-app-2.0-3.x86_64.rpm        xz, Epoch 1, file/versioned/rich/pre requires
#   smc-alt-{a,b}-1.0-1.noarch.rpm  zstd, the two sides of an "or"
#   smc-cond-1.0-1.noarch.rpm       zstd, Requires: (smc-with >= 1.5 with smc-with < 3)
#   smc-with-{1.0,2.0}-1.noarch.rpm gzip, two versions of one name
#   smc-unsat-1.0-1.noarch.rpm      xz, Requires: smc-does-not-exist
#   smc-setup-1.0-1.noarch.rpm      xz, /etc/passwd and /etc/group (daemon is 2:4)
#   smc-conflict-1.0-1.noarch.rpm   xz, Conflicts: smc-base
#   smc-tilde-{1.0~rc1,1.0}-1.noarch.rpm  gzip, tilde ordering
#   smc-filereq-1.0-1.noarch.rpm    xz, Requires: /usr/lib/smc/empty, Obsoletes: smc-unsat < 2
#
# The output is byte-for-byte the same on every run: times come from
# SOURCE_DATE_EPOCH, the build host is fixed and owners come from %attr
# and %defattr, not from the disk. See README.md.
set -eu
out=$1
specs=$(cd "$(dirname "$0")/specs" && pwd)
mkdir -p "$out"
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC LC_ALL=C
umask 022

build() { # SPEC [--define 'NAME VALUE']...
	spec=$1
	shift
	rpmbuild -bb --quiet --target x86_64 \
		--define "_topdir $top" --define "_tmppath $top" \
		--define '_buildhost build.supermin-compile.invalid' \
		--define '_build_id_links none' \
		--define 'use_source_date_epoch_as_buildtime 1' \
		--define 'clamp_mtime_to_source_date_epoch 1' \
		"$@" "$specs/$spec.spec" >"$top/log" 2>&1 || { cat "$top/log" >&2; exit 1; }
}

build smc-base
build smc-app
build smc-alt --define 'alt a'
build smc-alt --define 'alt b'
build smc-cond
build smc-with --define 'ver 1.0'
build smc-with --define 'ver 2.0'
build smc-unsat
build smc-setup
build smc-conflict
build smc-tilde --define 'ver 1.0~rc1'
build smc-tilde --define 'ver 1.0'
build smc-filereq
cp "$top"/RPMS/*/*.rpm "$out"/
