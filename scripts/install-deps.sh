#!/bin/sh
# Installs the tools the tests use as oracles (real supermin, e2fsprogs,
# cpio, ...) with apt-get, when they are missing and we are root on Debian.
# Elsewhere it only says what is missing: the tests that need a tool skip
# with a reason (and fail under CI=true).
set -eu
packages="supermin libguestfs-tools qemu-system-x86 linux-image-amd64 e2fsprogs cpio xz-utils zstd sqlite3 rpm rpm2cpio btrfs-progs libc6-dev binutils python3-apt apt-utils gnupg dnf createrepo-c gpg gpgconf mmdebstrap pacman-package-manager makepkg libarchive-tools fakeroot"
missing=""
for p in $packages; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "install-deps: not root or no apt-get; missing:$missing (tests needing them will skip)" >&2
	exit 0
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
