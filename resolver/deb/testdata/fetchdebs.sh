#!/bin/sh
# fetchdebs.sh CACHEDIR PACKAGE...: makes CACHEDIR hold the .debs of the
# PACKAGEs and of everything they depend on (no recommends), as apt would
# install them on an empty system, downloading with `apt-get download` only
# what is not there yet. Needs apt's lists (apt-get update) and, on the
# first run, the network. Prints the file names of the closure's .debs, one
# a line. Concurrent runs (test packages run in parallel) take turns.
set -eu
cache=$1
shift
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
status=$(mktemp)
trap 'rm -f "$status"' EXIT
# "Inst NAME (VERSION RELEASE [ARCH]) ..." -> "NAME VERSION ARCH"
apt-get install --simulate --no-install-recommends -o Debug::NoLocking=1 \
	-o Dir::State::status="$status" -o Dir::State::extended_states=/dev/null "$@" |
	sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*\[\([^]]*\)\]).*/\1 \2 \3/p' >"$status.list"
want=
files=
while read -r name version arch; do
	file="${name}_$(echo "$version" | sed 's/:/%3a/g')_$arch.deb"
	files="$files $file"
	[ -f "$cache/$file" ] || want="$want $name=$version"
done <"$status.list"
rm -f "$status.list"
if [ -n "$want" ]; then
	# shellcheck disable=SC2086 # one word per package
	(cd "$cache" && apt-get download -q -o APT::Sandbox::User=root $want >&2)
fi
for f in $files; do
	[ -f "$cache/$f" ] || { echo "fetchdebs.sh: apt-get download left no $f" >&2; exit 1; }
	echo "$f"
done
