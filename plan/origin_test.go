package plan

import (
	"strings"
	"testing"
)

// TestOriginText: list prints an origin as it always did, a name or a
// kind's word, so a package named "host" reads as the host does; only the
// kind, which lock and sbom look at, tells them apart.
func TestOriginText(t *testing.T) {
	p := &Plan{}
	want := ""
	for _, c := range []struct {
		o    Origin
		text string
	}{{FromPackage("bash"), "bash"}, {FromTarball("base.tar.gz"), "base.tar.gz"}, {FromHost, "host"},
		{FromInline, "inline"}, {FromParent, "parent"}, {FromKernel, "kernel"}, {FromInitrd, "initrd"},
		{FromPackageList, "packagelist"}, {FromPackage("host"), "host"}, {Origin{}, ""}} {
		p.Entries = append(p.Entries, Entry{Path: "/", Type: Dir, Mode: 0o755, Origin: c.o})
		want += "dir      0755 0:0 0 /\t" + c.text + "\n"
	}
	var got strings.Builder
	if err := WriteList(&got, p); err != nil {
		t.Fatal(err)
	}
	if got.String() != want {
		t.Errorf("list:\n%s\nwant\n%s", got.String(), want)
	}
	if FromPackage("host") == FromHost || FromTarball("inline") == FromInline {
		t.Error("a package or tarball named like a kind is taken for that kind")
	}
}
