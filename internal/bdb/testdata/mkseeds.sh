#!/bin/sh
# Makes the fuzzing seeds: small hash databases in both byte orders with
# 512-byte pages, made by Berkeley DB's db5.3_load (Debian's db5.3-util):
# 24 records, a few of them big enough to need overflow pages.
set -eu
cd "$(dirname "$0")"
records() {
	echo "VERSION=3"
	echo "format=bytevalue"
	echo "type=hash"
	echo "HEADER=END"
	i=0
	while [ $i -lt 24 ]; do
		printf ' %08x\n ' $i
		n=$((i * 97 % 900))
		head -c $n /dev/zero | tr '\0' "\\$(printf '%03o' $((i + 65)))" | od -An -v -tx1 | tr -d ' \n'
		echo
		i=$((i + 1))
	done
	echo "DATA=END"
}
for order in 1234 4321; do
	rm -f "seed-$order.db"
	records | db5.3_load -t hash -c db_pagesize=512 -c db_lorder=$order "seed-$order.db"
done
