package rpm

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// owners maps the user and group names of rpm headers to ids. rpm does it
// at install time with the target's /etc/passwd and /etc/group; an
// appliance from .rpm files gets them from the package that ships those
// files (setup, on Fedora). Unknown names become root, as rpm does (it
// warns "user ... does not exist - using root").
type owners struct {
	users, groups map[string]uint32
}

func (o *owners) user(name string) uint32  { return o.users[name] }
func (o *owners) group(name string) uint32 { return o.groups[name] }

func (d *archives) owners() (*owners, error) {
	d.ownersOnce.Do(func() {
		d.ids = &owners{users: map[string]uint32{"root": 0}, groups: map[string]uint32{"root": 0}}
		for _, f := range []struct {
			path string
			ids  map[string]uint32
		}{{"/etc/passwd", d.ids.users}, {"/etc/group", d.ids.groups}} {
			if p := d.shipping(f.path); p != nil {
				a, err := d.archive(p)
				var b []byte
				if err == nil {
					b, err = readMember(a, f.path)
				}
				if err != nil {
					d.idsErr = err
					return
				}
				parseIDs(b, f.ids)
			}
		}
	})
	return d.ids, d.idsErr
}

// shipping returns the first package, by name then best version, that
// ships path.
func (d *archives) shipping(path string) *resolver.Package {
	pkgs := slices.Clone(d.pkgs)
	dl := d.Dialect()
	slices.SortStableFunc(pkgs, func(a, b *resolver.Package) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return dl.Compare(b.Version, a.Version)
	})
	for _, p := range pkgs {
		m := d.meta[p]
		if slices.ContainsFunc(m.files, func(f file) bool { return f.path == path && f.flags&fileGhost == 0 }) {
			return p
		}
	}
	return nil
}

// maxIDFile bounds what is read of /etc/passwd or /etc/group, which are
// held in memory: Fedora's are a few KiB.
const maxIDFile = 4 << 20

// readMember reads one file out of a payload.
func readMember(a *archive, path string) ([]byte, error) {
	s, err := openPayload(a.path, a.offset)
	if err != nil {
		return nil, a.Errorf("%w", err)
	}
	defer s.Close()
	for {
		name, _, err := s.Next()
		if err != nil {
			return nil, a.Errorf("reading %s: %w", path, err)
		}
		if p, err := plan.MemberPath(name); err == nil && p == path {
			b, err := io.ReadAll(io.LimitReader(s, maxIDFile+1))
			if err == nil && len(b) > maxIDFile {
				err = fmt.Errorf("larger than %d bytes", maxIDFile)
			}
			if err != nil {
				return nil, a.Errorf("reading %s: %w", path, err)
			}
			return b, nil
		}
	}
}

// parseIDs reads "name:x:id:..." lines, as in passwd and group files.
func parseIDs(b []byte, ids map[string]uint32) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) < 3 {
			continue
		}
		if id, err := strconv.ParseUint(f[2], 10, 32); err == nil {
			if _, dup := ids[f[0]]; !dup {
				ids[f[0]] = uint32(id)
			}
		}
	}
}
