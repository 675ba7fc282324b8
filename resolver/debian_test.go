package resolver

import (
	"strings"
	"testing"
)

// TestQualifierSpellings: a qualifier names the native architecture in
// any spelling dpkg accepts, for requests and excludes alike.
func TestQualifierSpellings(t *testing.T) {
	u := universe(pk("a", "1", "", ""))
	r, err := Resolve(u, req("a:linux-amd64"))
	if err != nil || len(r.Packages) != 1 {
		t.Errorf("a:linux-amd64: %v %v", r, err)
	}
	_, err = Resolve(u, Request{Packages: []string{"a"}, Exclude: []string{"a:linux-amd64"}})
	if err == nil || !strings.Contains(err.Error(), "both required and excluded") {
		t.Errorf("exclude a:linux-amd64: %v", err)
	}
}
