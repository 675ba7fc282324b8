package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCopyData: a host file copies whole when it has the size the Plan
// says; one that grew or shrank since planning is an error naming it.
func TestCopyData(t *testing.T) {
	src := filepath.Join(t.TempDir(), "motd")
	content := []byte("hello, appliance\n")
	if err := os.WriteFile(src, content, 0o644); err != nil {
		t.Fatal(err)
	}
	n := int64(len(content))
	copyTo := func(e *Entry) ([]byte, error) {
		out, err := os.Create(filepath.Join(t.TempDir(), "out"))
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		err = CopyData(out, e)
		b, _ := os.ReadFile(out.Name())
		return b, err
	}
	if b, err := copyTo(&Entry{Size: n, Src: HostFile(src)}); err != nil || string(b) != string(content) {
		t.Errorf("copy of the whole file: %q, %v", b, err)
	}
	for _, c := range []struct {
		e    Entry
		want string
	}{
		{Entry{Size: n + 1, Src: HostFile(src)}, fmt.Sprintf("source %s ended after %d bytes, the plan says %d", src, n, n+1)},
		{Entry{Size: n - 1, Src: HostFile(src)}, fmt.Sprintf("source %s has more than the %d bytes the plan says", src, n-1)},
		{Entry{Size: 1, Src: HostFile(src + ".gone")}, "opening " + src + ".gone: "},
		{Entry{Size: 1}, "no source for 1 bytes"},
	} {
		if _, err := copyTo(&c.e); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("size %d from %v: error %v, want %q", c.e.Size, c.e.Src, err, c.want)
		}
	}
	if b, err := copyTo(&Entry{}); err != nil || len(b) != 0 {
		t.Errorf("an empty file without a source: %q, %v", b, err)
	}
}
