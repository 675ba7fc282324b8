package cpio

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/plantest"
	"github.com/supermin-compile/supermin-compile/plan"
)

// noOpen fails the test if anything tries to read it.
type noOpen struct{ t *testing.T }

func (s noOpen) Open() (io.ReadCloser, error) {
	s.t.Error("source opened")
	return nil, io.ErrUnexpectedEOF
}
func (noOpen) String() string { return "noOpen" }

func withRoot(es ...plan.Entry) *plan.Plan {
	return &plan.Plan{Entries: append([]plan.Entry{{Path: "/", Type: plan.Dir, Mode: 0o755}}, es...)}
}

func TestErrors(t *testing.T) {
	long := "/" + strings.Repeat("n", 4096)
	cases := []struct {
		name, want string
		p          *plan.Plan
	}{
		{"huge file", "/big: size 4294967296 exceeds", withRoot(
			plan.Entry{Path: "/big", Type: plan.Regular, Size: 1 << 32, Src: noOpen{t}})},
		{"long name", "/nnnn", withRoot(plan.Entry{Path: long, Type: plan.FIFO})},
		{"short source", "/short: source 5 inline bytes ended after 5 bytes, the plan says 10", withRoot(
			plan.Entry{Path: "/short", Type: plan.Regular, Size: 10, Src: plan.Bytes("12345")})},
		{"long source", "/long: source 5 inline bytes has more than the 4 bytes", withRoot(
			plan.Entry{Path: "/long", Type: plan.Regular, Size: 4, Src: plan.Bytes("12345")})},
		{"mtime after 2106", "/late: mtime", withRoot(
			plan.Entry{Path: "/late", Type: plan.FIFO, MTime: time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)})},
		// The plan's own rules, with plan.Validate's messages.
		{"entry under a file", "invalid plan: /f/x: parent /f is a regular file, not a directory", withRoot(
			plan.Entry{Path: "/f", Type: plan.Regular}, plan.Entry{Path: "/f/x", Type: plan.FIFO})},
		{"entry under a symlink", "invalid plan: /s/x: parent /s is a symlink, not a directory", withRoot(
			plan.Entry{Path: "/s", Type: plan.Symlink, Link: "."}, plan.Entry{Path: "/s/x", Type: plan.FIFO})},
		{"link before its file", "invalid plan: /a: hard link to /b, which comes after it", withRoot(
			plan.Entry{Path: "/a", Type: plan.Hardlink, Link: "/b"}, plan.Entry{Path: "/b", Type: plan.Regular})},
		{"long symlink", "/s: symlink target is 4096 bytes, longer than cpio allows (4095)", withRoot(
			plan.Entry{Path: "/s", Type: plan.Symlink, Link: strings.Repeat("x", 4096)})},
	}
	for _, c := range cases {
		var b bytes.Buffer
		err := Write(&b, c.p, None)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// TestErrorBeforeWriting: limits found from the plan alone must stop
// Write before the first byte, so no truncated archive is left behind.
func TestErrorBeforeWriting(t *testing.T) {
	p := withRoot(plan.Entry{Path: "/a", Type: plan.Regular, Size: 3, Src: plan.Bytes("abc")},
		plan.Entry{Path: "/big", Type: plan.Regular, Size: 5 << 30, Src: noOpen{t}})
	var b bytes.Buffer
	if err := Write(&b, p, Gzip); err == nil || b.Len() != 0 {
		t.Fatalf("err %v, %d bytes written", err, b.Len())
	}
}

// TestLongestName: the longest path and name the kernel accepts are
// written; one byte more is refused.
func TestLongestName(t *testing.T) {
	dir := strings.Repeat("/"+strings.Repeat("d", 254), 16)
	for _, c := range []struct{ ok, long string }{
		{dir + "/" + strings.Repeat("n", 15), dir + "/" + strings.Repeat("n", 16)}, // 4096 bytes
		{"/" + strings.Repeat("n", 255), "/" + strings.Repeat("n", 256)},
	} {
		var b bytes.Buffer
		if err := Write(&b, plantest.Complete(map[string]plan.Entry{c.ok: {Path: c.ok, Type: plan.FIFO}}), None); err != nil {
			t.Fatal(err)
		}
		err := Write(&b, plantest.Complete(map[string]plan.Entry{c.long: {Path: c.long, Type: plan.FIFO}}), None)
		if err == nil || !strings.Contains(err.Error(), "longer than cpio allows") {
			t.Fatalf("one byte longer: %v", err)
		}
	}
}
