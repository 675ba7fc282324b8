package planner

import (
	"bytes"
	"errors"
	"sort"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/plan"
)

// hostXattrs reads the extended attributes of a host file (for instance
// security.capability on /usr/bin/ping). A filesystem without xattr
// support has none.
func hostXattrs(p string) ([]plan.Xattr, error) {
	buf := make([]byte, 256)
	n, err := unix.Llistxattr(p, buf)
	if errors.Is(err, unix.ERANGE) {
		if n, err = unix.Llistxattr(p, nil); err == nil {
			buf = make([]byte, n)
			n, err = unix.Llistxattr(p, buf)
		}
	}
	if errors.Is(err, unix.ENOTSUP) || n == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var xs []plan.Xattr
	for _, name := range bytes.Split(bytes.TrimRight(buf[:n], "\x00"), []byte{0}) {
		v, err := getXattr(p, string(name))
		if err != nil {
			return nil, err
		}
		xs = append(xs, plan.Xattr{Name: string(name), Value: v})
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i].Name < xs[j].Name })
	return xs, nil
}

func getXattr(p, name string) ([]byte, error) {
	sz, err := unix.Lgetxattr(p, name, nil)
	if err != nil {
		return nil, err
	}
	v := make([]byte, sz)
	sz, err = unix.Lgetxattr(p, name, v)
	return v[:sz], err
}
