#!/bin/sh
# mkpkgs.sh OUTDIR: builds the test packages of pkgbuilds/ into OUTDIR
# with makepkg, offline, with fakeroot as makepkg always does. makepkg
# refuses to run as root: as root, it runs as nobody in a scratch
# directory that nobody owns.
#
#   smc-base-1.0-1-x86_64.pkg.tar.zst      kinds of file, versioned and unversioned provides, backup
#   smc-app-1:2.0-3-x86_64.pkg.tar.xz      epoch, versioned depends, a depend only providers meet, replaces
#   smc-tool-{a,b}-1.0-1-any.pkg.tar.zst   the two providers of smc-tool
#   smc-conflict-1.0-1-any.pkg.tar.zst     conflicts=('smc-base<2')
#   smc-vreq-1.0-1-any.pkg.tar.xz          depends=('smc-virtual>=1'), which nothing meets
set -eu
out=$(mkdir -p "$1" && cd "$1" && pwd)
src=$(cd "$(dirname "$0")/pkgbuilds" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC LC_ALL=C
umask 022
as_builder=""
if [ "$(id -u)" = 0 ]; then
	chown nobody "$work"
	as_builder="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi

build() { # NAME EXT
	mkdir "$work/$1"
	cp "$src/$1/PKGBUILD" "$work/$1/"
	[ -z "$as_builder" ] || chown -R nobody "$work/$1"
	(cd "$work/$1" && $as_builder env HOME="$work" PKGDEST="$work/$1" PKGEXT="$2" \
		BUILDDIR="$work/$1/build" makepkg --nodeps --nocheck --nosign --noconfirm --force) \
		>"$work/$1.log" 2>&1 || { cat "$work/$1.log" >&2; exit 1; }
	cp "$work/$1/"*"$2" "$out/"
}

# In parallel: most of each build is fakeroot starting.
pids=""
for p in smc-base:.pkg.tar.zst smc-app:.pkg.tar.xz smc-tool-a:.pkg.tar.zst smc-tool-b:.pkg.tar.zst \
	smc-conflict:.pkg.tar.zst smc-vreq:.pkg.tar.xz; do
	build "${p%%:*}" "${p#*:}" &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid"
done
