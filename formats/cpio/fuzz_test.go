package cpio

import (
	"bytes"
	"io/fs"
	"path"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/plantest"
	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// FuzzRoundTrip writes plans decoded from fuzz bytes and reads them
// back with the test's own reader; a plan that breaks the plan's rules
// (an entry under a file, say) gets plan.Validate's error, and no byte.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("\x01\x03abc\x02\x00\x04hi\x00\x07\x02\x05xyz\x00"))
	f.Add([]byte("\x00\x09a/b/c/d/e\x05\x01\x02a/b\x00\x07\x02a/b/x\x00"))
	f.Add(bytes.Repeat([]byte{7, 30, 'q', 'q', '/', 0xff}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := fuzzPlan(data)
		var b bytes.Buffer
		if invalid := plan.Validate(p, Limits); invalid != nil {
			if err := Write(&b, p, None); err == nil || err.Error() != "cpio: "+invalid.Error() || b.Len() > 0 {
				t.Fatalf("Write = %v (%d bytes), want %v", err, b.Len(), invalid)
			}
			return
		}
		if err := Write(&b, p, None); err != nil {
			t.Fatal(err)
		}
		got, err := readNewc(b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if err := compareMembers(got, expected(t, p)); err != nil {
			t.Fatal(err)
		}
	})
}

// fuzzPlan reads records of kind, name length, name, argument and,
// for files, that many content bytes.
func fuzzPlan(data []byte) *plan.Plan {
	es := map[string]plan.Entry{}
	var files []string
	take := func(n int) []byte {
		n = min(n, len(data))
		b := data[:n]
		data = data[n:]
		return b
	}
	for len(data) >= 2 {
		kind, name := take(1)[0], fuzzName(take(int(take(1)[0]%40)))
		arg := take(1)
		if _, dup := es[name]; dup || name == "/" || len(arg) == 0 {
			continue
		}
		e := plan.Entry{Path: name, Mode: fs.FileMode(arg[0]) << 1, UID: uint32(arg[0]) << 24,
			GID: uint32(kind), MTime: time.Unix(int64(arg[0])<<24-1e9, 0)}
		switch kind % 8 {
		case 0:
			e.Type = plan.Dir
		case 1, 2:
			c := take(int(arg[0]))
			e.Type, e.Size, e.Src = plan.Regular, int64(len(c)), plan.Bytes(bytes.Clone(c))
			files = append(files, name)
		case 3:
			e.Type, e.Link = plan.Symlink, string(take(int(arg[0])))
			if e.Link == "" || bytes.IndexByte([]byte(e.Link), 0) >= 0 {
				e.Link = "."
			}
		case 4, 5:
			e.Type, e.Rdev = plan.CharDev+plan.Type(kind%2), unix.Mkdev(uint32(arg[0]), uint32(kind))
		case 6:
			e.Type = plan.FIFO + plan.Type(arg[0]%2)
		case 7:
			e.Type = plan.Hardlink
			if len(files) == 0 || files[int(arg[0])%len(files)] >= name {
				continue
			}
			e.Link = files[int(arg[0])%len(files)]
		}
		es[name] = e
	}
	return plantest.Complete(es)
}

// fuzzName maps bytes onto a clean absolute path over a small alphabet
// with "/" and "." so that depth and dot components occur.
func fuzzName(b []byte) string {
	const chars = "/./abc-_.xyzAB09"
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = chars[int(c)%len(chars)]
	}
	return path.Clean("/" + string(out))
}
