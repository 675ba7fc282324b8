package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// listLine is the line README.md promises for an entry of `list`.
func listLine(e ListEntry) string {
	size := fmt.Sprint(e.Size)
	if e.Type == "chardev" || e.Type == "blockdev" {
		size = fmt.Sprintf("%d,%d", e.Major, e.Minor)
	}
	link := ""
	if e.Link != "" {
		link = " -> " + e.Link
	}
	return fmt.Sprintf("%-8s %s %d:%d %s %s%s\t%s", e.Type, e.Mode, e.UID, e.GID, size, e.Path, link, e.Origin)
}

// checkListed checks list's text and JSON forms of p against want.
func checkListed(t *testing.T, p *Plan, want []ListEntry) {
	t.Helper()
	var list strings.Builder
	if err := WriteList(&list, p); err != nil {
		t.Fatal(err)
	}
	var wantLines []string
	for _, e := range want {
		wantLines = append(wantLines, listLine(e))
	}
	if d := testtool.LineDiff(wantLines, strings.Split(strings.TrimSuffix(list.String(), "\n"), "\n")); d != "" {
		t.Errorf("list of the tarball differs from stat of its files:\n%s", d)
	}
	var js strings.Builder
	if err := WriteJSON(&js, p); err != nil {
		t.Fatal(err)
	}
	var got []ListEntry
	if err := json.Unmarshal([]byte(js.String()), &got); err != nil {
		t.Fatalf("list --json: %v\n%s", err, js.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("list --json:\n got %v\nwant %v", got, want)
	}
}
