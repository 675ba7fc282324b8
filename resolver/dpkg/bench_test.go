package dpkg

import (
	"bytes"
	"os"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// BenchmarkParseStatus parses the host's status file from memory: the
// deb822 parser and the package records, no I/O.
func BenchmarkParseStatus(b *testing.B) {
	data, err := os.ReadFile("/var/lib/dpkg/status")
	if err != nil {
		testtool.Unavailable(b, "no dpkg database on this host: "+err.Error())
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseStatus(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	hostDB(b)
	for b.Loop() {
		if _, err := Open("/"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenResolveAll is the worst realistic case: the closure of every
// installed native package.
func BenchmarkOpenResolveAll(b *testing.B) {
	hostDB(b)
	for b.Loop() {
		db, err := Open("/")
		if err != nil {
			b.Fatal(err)
		}
		var names []string
		for _, p := range db.Packages() {
			if p.Arch == db.NativeArch() || p.Arch == "all" {
				names = append(names, p.Name)
			}
		}
		res, err := resolver.Resolve(db, resolver.Request{Packages: names})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Packages) != len(names) {
			b.Fatalf("closure has %d packages, want %d", len(res.Packages), len(names))
		}
	}
}
