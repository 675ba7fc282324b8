package chroot

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// FuzzWrite writes adversarial plans — any order, duplicates, symlinks
// pointing up and out, entries under them — and checks that nothing
// outside the output directory changes, whatever Write returns.
func FuzzWrite(f *testing.F) {
	f.Add([]byte("\x03\x02aa\x01\x01\x04aa/b\x00"))
	f.Add([]byte("\x03\x01a\x03\x00\x01a\x00\x01\x03a/b\x00\x07\x01c\x00"))
	f.Add([]byte("\x03\x01a\x04\x03\x01a\x02\x00\x03a/b\x01\x07\x03a/b\x05"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, snap := sentinel(t)
		abs := filepath.Dir(filepath.Dir(filepath.Dir(out)))
		p, opts := fuzzPlan(data, abs)
		before := snap()
		Write(out, p, opts)
		if after := snap(); after != before {
			t.Fatalf("outside changed:\n%s\nbefore:\n%s", after, before)
		}
		for _, n := range []string{"/a", "/b", "/c", "/ab"} {
			if _, err := os.Lstat(n); err == nil {
				t.Fatalf("%s exists", n)
			}
		}
	})
}

// fuzzPlan decodes records of kind, name length, name and one argument
// byte. Paths use a tiny alphabet so that components repeat and "." and
// ".." occur; some are left unclean on purpose.
func fuzzPlan(data []byte, sentinel string) (*plan.Plan, Options) {
	targets := []string{"..", "/", "../..", "../../..", "../../../..", "a/../..", ".", "a", sentinel, sentinel + "/secret", "../../../secret"}
	p := &plan.Plan{Entries: []plan.Entry{{Path: "/", Type: plan.Dir, Mode: 0o755}}}
	take := func(n int) []byte {
		n = min(n, len(data))
		b := data[:n]
		data = data[n:]
		return b
	}
	var opts Options
	for len(data) >= 3 {
		kind, name, arg := take(1)[0], fuzzName(take(int(take(1)[0]%12))), take(1)
		if len(arg) == 0 {
			break
		}
		a := int(arg[0])
		if kind&0x80 == 0 {
			name = path.Clean(name)
		}
		opts.Owners, opts.Devices = opts.Owners || a == 7, opts.Devices || a == 9
		e := plan.Entry{Path: name, Mode: fs.FileMode(a)<<1 | 0o700, UID: uint32(a), GID: uint32(kind),
			MTime: time.Unix(int64(a)<<20, int64(a))}
		switch kind & 7 {
		case 0:
			e.Type = plan.Dir
		case 1:
			e.Type, e.Size, e.Src = plan.Regular, int64(a%5), plan.Bytes("hello"[:a%6])
		case 2, 3:
			e.Type, e.Link = plan.Symlink, targets[a%len(targets)]
		case 4:
			e.Type, e.Link = plan.Hardlink, fuzzName([]byte{arg[0], kind, arg[0] >> 2})
		case 5:
			e.Type, e.Rdev = plan.FIFO+plan.Type(a%2), unix.Mkdev(1, 3)
		case 6:
			e.Type, e.Rdev = plan.CharDev+plan.Type(a%2), unix.Mkdev(1, 3)
		case 7:
			e.Type, e.Xattrs = plan.Dir, []plan.Xattr{{Name: "user.x", Value: arg}}
		}
		p.Entries = append(p.Entries, e)
	}
	return p, opts
}

func fuzzName(b []byte) string {
	const chars = "/./ab.c/"
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = chars[int(c)%len(chars)]
	}
	return "/" + string(out)
}
