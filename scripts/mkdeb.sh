#!/bin/sh
# Builds a Debian binary package of supermin-compile with dpkg-deb, offline:
#   scripts/mkdeb.sh BINARY VERSION OUTDIR
# It installs /usr/bin/supermin-compile, its man page and completions, and
# diverts supermin's /usr/bin/supermin and supermin.1.gz to *.distrib so
# that /usr/bin/supermin (and `man supermin`) is supermin-compile: libguestfs
# then builds its appliance with us. Removing the package undoes that.
set -eu
[ $# = 3 ] || { echo "usage: $0 BINARY VERSION OUTDIR" >&2; exit 2; }
bin=$1 outdir=$3
top=$(cd "$(dirname "$0")/.." && pwd)

# Debian versions start with a digit and keep '-' for the revision: git
# describe's v1.2-3-gabc-dirty becomes 1.2+3+gabc+dirty, and a bare commit
# hash (no tag yet; it may start with a digit) 0~gabc, older than any
# release.
version=$(printf '%s' "$2" | sed 's/^v//; s/-/+/g')
case $version in [0-9]*.*) ;; *) version="0~g$version" ;; esac
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
chmod 755 "$stage"
trap 'rm -rf "$stage"' EXIT
install -D -m 755 "$bin" "$stage/usr/bin/supermin-compile"
ln -s supermin-compile "$stage/usr/bin/supermin"
man1=$stage/usr/share/man/man1
install -d "$man1"
gzip -9n <"$top/doc/supermin-compile.1" >"$man1/supermin-compile.1.gz"
ln -s supermin-compile.1.gz "$man1/supermin.1.gz"
install -D -m 644 "$top/doc/completion/supermin-compile.bash" \
	"$stage/usr/share/bash-completion/completions/supermin-compile"
ln -s supermin-compile "$stage/usr/share/bash-completion/completions/supermin"
install -D -m 644 "$top/doc/completion/_supermin-compile" \
	"$stage/usr/share/zsh/vendor-completions/_supermin-compile"
install -d "$stage/usr/share/doc/supermin-compile"
gzip -9n <"$top/README.md" >"$stage/usr/share/doc/supermin-compile/README.md.gz"

# Depends: the shared libraries the binary links (none when static), as
# dpkg-shlibdeps finds them; it wants a debian/control to read.
shlibs() {
	src=$(mktemp -d)
	mkdir "$src/debian"
	printf 'Source: supermin-compile\n\nPackage: supermin-compile\nArchitecture: any\n' >"$src/debian/control"
	abs=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
	(cd "$src" && dpkg-shlibdeps -O "$abs" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
	rm -rf "$src"
}
depends=$(shlibs "$bin")
mkdir -p "$stage/DEBIAN"
{
	echo "Package: supermin-compile"
	echo "Version: $version"
	echo "Architecture: $arch"
	echo "Maintainer: supermin-compile developers <https://github.com/supermin-compile/supermin-compile>"
	echo "Installed-Size: $(du -sk "$stage/usr" | cut -f1)"
	[ -z "$depends" ] || echo "Depends: $depends"
	echo "Section: admin"
	echo "Priority: optional"
	echo "Homepage: https://github.com/supermin-compile/supermin-compile"
	echo "Description: builds minimal Linux appliances; replaces supermin for libguestfs"
	echo " supermin-compile builds ext2, cpio and chroot appliances from a"
	echo " declarative appliance.toml. It also takes supermin 5's command line:"
	echo " this package diverts /usr/bin/supermin (and supermin(1)) to it, so"
	echo " libguestfs builds its appliance with supermin-compile. supermin's own"
	echo " files stay as /usr/bin/supermin.distrib and come back on removal."
} >"$stage/DEBIAN/control"

# The diversions: dpkg installs our symlinks in place of supermin's files,
# which it moves to (and later installs at) the *.distrib names.
diversions='/usr/bin/supermin /usr/bin/supermin.distrib
/usr/share/man/man1/supermin.1.gz /usr/share/man/man1/supermin.distrib.1.gz'
script() { # NAME CONDITION ACTION: a maintainer script doing ACTION for each diversion
	{
		echo '#!/bin/sh'
		echo 'set -e'
		echo "case \"\$1\" in $2)"
		echo "$diversions" | while read -r file divert; do
			echo "	dpkg-divert --package supermin-compile $3 --rename --divert $divert $file"
		done
		echo ';;'
		echo 'esac'
	} >"$stage/DEBIAN/$1"
	chmod 755 "$stage/DEBIAN/$1"
}
# Before unpacking (install, or upgrade from a version that might not have
# diverted): add; adding an existing diversion again is a no-op.
script preinst 'install|upgrade' --add
# After removal, or when an install failed: supermin's files come back. An
# upgrade keeps the diversions (the new version's preinst already holds them).
script postrm 'remove|purge|abort-install|disappear' --remove

mkdir -p "$outdir"
deb=$outdir/supermin-compile_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
