package cpio

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

func TestParseCompression(t *testing.T) {
	for in, want := range map[string]Compression{"": None, "none": None, "gzip": Gzip, "xz": XZ, "zstd": Zstd} {
		if got, err := ParseCompression(in); err != nil || got != want {
			t.Errorf("ParseCompression(%q) = %q, %v", in, got, err)
		}
	}
	_, err := ParseCompression("bzip2")
	if err == nil || !strings.Contains(err.Error(), "none, gzip, xz, zstd") {
		t.Errorf("bzip2: %v", err)
	}
	for c, ext := range map[Compression]string{None: "", Gzip: ".gz", XZ: ".xz", Zstd: ".zst"} {
		if c.Ext() != ext {
			t.Errorf("%q.Ext() = %q", c, c.Ext())
		}
	}
}

// TestCompressedRoundTrip decompresses with the real tools and expects
// the uncompressed archive back, byte for byte.
func TestCompressedRoundTrip(t *testing.T) {
	p := randomPlan(t, 7, 200)
	var plain bytes.Buffer
	if err := Write(&plain, p, None); err != nil {
		t.Fatal(err)
	}
	tools := map[Compression]string{Gzip: "gzip", XZ: "xz", Zstd: "zstd"}
	for c, tool := range tools {
		t.Run(tool, func(t *testing.T) {
			testtool.Need(t, tool)
			var z bytes.Buffer
			if err := Write(&z, p, c); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "a"+c.Ext())
			if err := os.WriteFile(file, z.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(tool, "-dc", file).Output()
			if err != nil {
				t.Fatalf("%s -dc: %v", tool, err)
			}
			if !bytes.Equal(out, plain.Bytes()) {
				t.Fatalf("%s -dc gave %d bytes, want the %d of the plain archive", tool, len(out), plain.Len())
			}
		})
	}
}

// TestXZCheck makes sure the xz stream uses CRC32, the only integrity
// check the kernel's decoder verifies.
func TestXZCheck(t *testing.T) {
	testtool.Need(t, "xz")
	var z bytes.Buffer
	if err := Write(&z, randomPlan(t, 1, 20), XZ); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "a.xz")
	if err := os.WriteFile(file, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xz", "-lvv", file).Output()
	if err != nil {
		t.Fatalf("xz -lvv: %v", err)
	}
	checks := 0
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "Check:" {
			if f[1] != "CRC32" {
				t.Fatalf("check is %s:\n%s", f[1], out)
			}
			checks++
		}
	}
	if checks == 0 {
		t.Fatalf("no Check: line in:\n%s", out)
	}
}

// TestReproducible writes each compression twice from fresh plans.
func TestReproducible(t *testing.T) {
	for _, c := range []Compression{None, Gzip, XZ, Zstd} {
		var sums [2][32]byte
		for i := range sums {
			var b bytes.Buffer
			if err := Write(&b, randomPlan(t, 3, 200), c); err != nil {
				t.Fatal(err)
			}
			sums[i] = sha256.Sum256(b.Bytes())
		}
		if sums[0] != sums[1] {
			t.Errorf("%q: two writes differ", c)
		}
	}
}
