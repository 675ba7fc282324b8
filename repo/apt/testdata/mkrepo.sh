#!/bin/sh
# mkrepo.sh OUT DEBDIR [OPTION...]: lays out an apt repository in OUT the
# way archives are, from the .debs in DEBDIR, with apt-ftparchive:
#
#   pool/main/*.deb
#   dists/smc/main/binary-ARCH/Packages, .gz, .xz   and by-hash/ copies
#   dists/smc/Release                               Suite smc, Codename smc-code,
#                                                   Acquire-By-Hash: yes
#   flat/*.deb, flat/Packages, .xz, flat/Release    a flat repository ("flat/")
#
# ARCH is `dpkg --print-architecture`. The Releases are not signed; the
# tests sign them with gpg. OPTIONs go to apt-ftparchive release for
# dists/smc (e.g. -o APT::FTPArchive::Release::ValidTime=-86400).
set -eu
out=$1 debs=$2
shift 2
arch=$(dpkg --print-architecture)
dist=dists/smc/main/binary-$arch
mkdir -p "$out/pool/main" "$out/$dist" "$out/flat"
cp "$debs"/*.deb "$out/pool/main/"
cp "$debs"/*.deb "$out/flat/"
cd "$out"
apt-ftparchive packages pool/main >"$dist/Packages"
xz -k "$dist/Packages"
gzip -k -n "$dist/Packages"
apt-ftparchive -o APT::FTPArchive::DoByHash=true \
	-o APT::FTPArchive::Release::Origin=supermin-compile \
	-o APT::FTPArchive::Release::Suite=smc \
	-o APT::FTPArchive::Release::Codename=smc-code \
	-o APT::FTPArchive::Release::Architectures="$arch" \
	-o APT::FTPArchive::Release::Components=main \
	"$@" release dists/smc >Release.tmp
mv Release.tmp dists/smc/Release
cd flat
apt-ftparchive packages . >Packages
xz -k Packages
apt-ftparchive -o APT::FTPArchive::Release::Origin=supermin-compile release . >Release.tmp
mv Release.tmp Release
