package dpkg

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseStatus: any byte soup must parse or fail, never panic, and every
// package kept must be a named one with its relations on one line.
func FuzzParseStatus(f *testing.F) {
	f.Add([]byte(testStatus))
	f.Add([]byte("Package: a\n Conffiles: x\nConffiles:\n /etc/a 123 obsolete\n\n\n \t\nStatus: x ok installed\n"))
	f.Add([]byte(" leading continuation\n:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := parseStatus(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, p := range st.pkgs {
			if p.Name == "" || strings.Contains(p.Depends+p.Provides, "\n") {
				t.Fatalf("bad package %+v from %q", *p, data)
			}
		}
		for _, paths := range st.conffiles {
			for _, path := range paths {
				if !strings.HasPrefix(path, "/") {
					t.Fatalf("conffile %q is not absolute", path)
				}
			}
		}
	})
}
