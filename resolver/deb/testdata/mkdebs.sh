#!/bin/sh
# mkdebs.sh OUTDIR: builds the test packages into OUTDIR with dpkg-deb (and,
# for the one format dpkg-deb cannot write, ar, tar and bzip2):
#
#   smc-test_1.0-1_ARCH.deb  xz,   --root-owner-group
#   smc-test_2.0-1_ARCH.deb  zstd, owners as on disk (one file 1234:4321)
#   smc-gz_1.0_all.deb       gzip, Depends: smc-test (>= 2.0)
#   smc-none_1.0_all.deb     uncompressed data.tar, Breaks: smc-test (<< 2.0)
#   smc-bz2_1.0_all.deb      GNU ar ("name/" members), data.tar.bz2,
#                            Essential: yes, Conflicts: smc-virtual (<< 2)
#
# smc-test holds what a data.tar can hold: a setuid and a setgid file, a
# symlink, a hard link, character and block devices and a FIFO (as root
# only: mknod needs it), a sticky directory, an empty directory, an empty
# file, a name with a space, a path longer than tar's 100-byte name field
# and a conffile. ARCH is `dpkg --print-architecture`.
set -eu
out=$1
mkdir -p "$out"
arch=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

control() { # DIR NAME VERSION ARCH [EXTRA-FIELD...]
	mkdir -p "$1/DEBIAN"
	{
		echo "Package: $2"
		echo "Version: $3"
		echo "Architecture: $4"
		echo "Maintainer: supermin-compile tests <tests@example.org>"
		shift 4
		for f in "$@"; do echo "$f"; done
		echo "Description: supermin-compile test package"
		echo " Built by resolver/deb/testdata/mkdebs.sh."
	} >"$1/DEBIAN/control"
}

smc_test() { # VERSION
	dir=$work/smc-test-$1
	control "$dir" smc-test "$1" "$arch" "Multi-Arch: foreign" "Depends: libc6 (>= 2.17),
 base-files" "Provides: smc-virtual (= $1)"
	echo /etc/smc-test/smc.conf >"$dir/DEBIAN/conffiles"
	mkdir -p "$dir/etc/smc-test" "$dir/usr/bin" "$dir/usr/share/smc-test" "$dir/var/lib/smc-test/empty" "$dir/tmp" "$dir/dev"
	echo "setting = $1" >"$dir/etc/smc-test/smc.conf"
	printf '#!/bin/sh\necho smc-suid %s\n' "$1" >"$dir/usr/bin/smc-suid"
	chmod 4755 "$dir/usr/bin/smc-suid"
	printf '#!/bin/sh\necho smc-sgid\n' >"$dir/usr/bin/smc-sgid"
	chmod 2755 "$dir/usr/bin/smc-sgid"
	ln -s smc-suid "$dir/usr/bin/smc-link"
	chmod 1777 "$dir/tmp"
	echo "$1" >"$dir/usr/share/smc-test/version"
	# Twice half a MiB of varied bytes: reading spans many tar blocks, and
	# the files are too large for the cache of small ones.
	seq 1 80000 >"$dir/usr/share/smc-test/numbers"
	seq 80000 -1 1 >"$dir/usr/share/smc-test/srebmun"
	echo "one inode, two names" >"$dir/usr/share/smc-test/hard1"
	ln "$dir/usr/share/smc-test/hard1" "$dir/usr/share/smc-test/hard2"
	: >"$dir/usr/share/smc-test/empty"
	echo spaced >"$dir/usr/share/smc-test/with space"
	long=$dir/usr/share/smc-test/a-directory-name-long-enough-to-need-gnu-long-names
	mkdir -p "$long"
	echo long >"$long/and-a-file-name-that-makes-the-whole-path-well-over-one-hundred-bytes-long-$1"
	if [ "$(id -u)" = 0 ]; then
		mknod "$dir/dev/smc-null" c 1 3
		mknod "$dir/dev/smc-loop" b 7 0
		mkfifo "$dir/dev/smc-fifo"
	fi
}

smc_test 1.0-1
dpkg-deb --root-owner-group -Zxz --build "$work/smc-test-1.0-1" "$out/smc-test_1.0-1_$arch.deb" >/dev/null

smc_test 2.0-1
echo "owned by 1234:4321" >"$work/smc-test-2.0-1/usr/share/smc-test/owned"
if [ "$(id -u)" = 0 ]; then
	chown 1234:4321 "$work/smc-test-2.0-1/usr/share/smc-test/owned"
fi
dpkg-deb -Zzstd --build "$work/smc-test-2.0-1" "$out/smc-test_2.0-1_$arch.deb" >/dev/null

dir=$work/smc-gz
control "$dir" smc-gz 1.0 all "Depends: smc-test (>= 2.0)"
mkdir -p "$dir/usr/share/smc-gz"
echo gz >"$dir/usr/share/smc-gz/file"
dpkg-deb --root-owner-group -Zgzip --build "$dir" "$out/smc-gz_1.0_all.deb" >/dev/null

dir=$work/smc-none
control "$dir" smc-none 1.0 all "Breaks: smc-test (<< 2.0)"
mkdir -p "$dir/usr/share/smc-none"
echo none >"$dir/usr/share/smc-none/file"
dpkg-deb --root-owner-group -Znone --build "$dir" "$out/smc-none_1.0_all.deb" >/dev/null

# smc-bz2: assembled by hand, members in dpkg's order.
dir=$work/smc-bz2
control "$dir" smc-bz2 1.0 all "Essential: yes" "Conflicts: smc-virtual (<< 2), smc-bz2"
mkdir -p "$dir/root/usr/share/smc-bz2" "$work/bz2"
echo bz2 >"$dir/root/usr/share/smc-bz2/file"
echo 2.0 >"$work/bz2/debian-binary"
tar -C "$dir/DEBIAN" --owner=0 --group=0 -czf "$work/bz2/control.tar.gz" ./control
tar -C "$dir/root" --owner=0 --group=0 -cjf "$work/bz2/data.tar.bz2" .
rm -f "$out/smc-bz2_1.0_all.deb"
(cd "$work/bz2" && ar rc "$out/smc-bz2_1.0_all.deb" debian-binary control.tar.gz data.tar.bz2)
