package resolver

import (
	"strings"
	"testing"
)

// TestPinnedVersion: "name=version" selects that exact version even when a
// newer one exists; a pin nothing matches is a missing package.
func TestPinnedVersion(t *testing.T) {
	u := universe(pk("foo", "2.0-1", "", ""), pk("foo", "1.0-1", "", ""), pk("bar", "1", "foo", ""))
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"foo"}, "2.0-1"},
		{[]string{"foo=1.0-1"}, "1.0-1"},
		{[]string{"foo=1.0-1", "bar"}, "1.0-1"}, // bar's unversioned Depends is satisfied by the pin
		{[]string{"foo:amd64=1.0-1"}, "1.0-1"},
	} {
		r, err := Resolve(u, req(tc.names...))
		if err != nil {
			t.Fatalf("%v: %v", tc.names, err)
		}
		for _, p := range r.Packages {
			if p.Name == "foo" && p.Version != tc.want {
				t.Errorf("%v: foo %s, want %s", tc.names, p.Version, tc.want)
			}
		}
	}
	_, err := Resolve(u, req("foo=3.0"))
	if err == nil || !strings.Contains(err.Error(), `"foo=3.0"`) {
		t.Errorf("unmatched pin: %v", err)
	}
	if _, err := Resolve(u, req("foo=")); err == nil || !strings.Contains(err.Error(), "invalid version") {
		t.Errorf("empty pin: %v", err)
	}
}
