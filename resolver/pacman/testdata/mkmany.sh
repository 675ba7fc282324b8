#!/bin/sh
# mkmany.sh OUTDIR N: writes N package files as makepkg lays them out
# (.PKGINFO, a gzip'd .MTREE, then the files; bsdtar, zstd), for
# benchmarks: smc-many-I (I = 1..N) ships 20 small files and depends on
# smc-many-(I-1) and on smc-many-prov-(I/2), which smc-many-(I/2)
# provides with a version, so that smc-many-N's closure is all of them.
set -eu
out=$(mkdir -p "$1" && cd "$1" && pwd)
n=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C TZ=UTC
i=1
while [ "$i" -le "$n" ]; do
	d=$work/$i
	mkdir -p "$d/usr/share/smc-many/$i"
	j=1
	while [ "$j" -le 20 ]; do
		echo "package $i file $j" >"$d/usr/share/smc-many/$i/f$j"
		j=$((j + 1))
	done
	{
		echo "pkgname = smc-many-$i"
		echo "pkgver = 1.$i-1"
		echo "arch = any"
		echo "license = MIT"
		echo "provides = smc-many-prov-$i=1.$i"
		[ "$i" -gt 1 ] && echo "depend = smc-many-$((i - 1))" && echo "depend = smc-many-prov-$((i / 2))>=1.$((i / 2))"
	} >"$d/.PKGINFO"
	(cd "$d" && bsdtar -czf .MTREE --format=mtree \
		--options='!all,use-set,type,uid,gid,mode,time,size,md5,sha256,link' .PKGINFO usr &&
		bsdtar -cf - --uid 0 --gid 0 .PKGINFO .MTREE usr | zstd -q -c >"$out/smc-many-$i-1.$i-1-any.pkg.tar.zst")
	i=$((i + 1))
done
