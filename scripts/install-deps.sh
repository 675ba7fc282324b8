#!/bin/sh
# Installs the tools the tests use as oracles (real supermin, e2fsprogs,
# cpio, ...) with apt-get, when they are missing and we are root on Debian.
# Elsewhere it only says what is missing: the tests that need a tool skip
# with a reason (and fail under CI=true).
#
# `install-deps.sh run` (make run) installs only what the main job needs:
# a kernel to boot the example appliance with, when the host has none.
set -eu
if [ "${1:-}" = run ]; then
	# Where boot/kernel looks, roughly: any kernel will do.
	for k in /boot/vmlinu[xz]-* /lib/modules/*/vmlinuz; do
		[ -e "$k" ] && exit 0
	done
	why="make run builds a bootable appliance from the host's kernel, and there is none"
	missing=" linux-image-amd64"
	[ "$(dpkg --print-architecture 2>/dev/null)" = arm64 ] && missing=" linux-image-arm64"
else
	why="the tests use them as oracles"
	packages="supermin libguestfs-tools qemu-system-x86 linux-image-amd64 e2fsprogs cpio xz-utils zstd sqlite3 rpm rpm2cpio btrfs-progs libc6-dev binutils python3-apt apt-utils gnupg dnf createrepo-c gpg gpgconf mmdebstrap db5.3-util dpkg-dev groff-base man-db zsh busybox-static pacman-package-manager makepkg libarchive-tools fakeroot"
	missing=""
	for p in $packages; do
		dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' || missing="$missing $p"
	done
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "install-deps: not root or no apt-get; missing:$missing ($why)" >&2
	exit 0
fi
echo "install-deps: installing$missing ($why)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
