package members

import (
	"io"

	"github.com/supermin-compile/supermin-compile/plan"
)

// Source is the plan.Source of one member: Open reads it through Cache.
type Source struct {
	Cache   *Cache
	Archive Archive
	Index   int    // in archive order, counting every member Next returns, from 0
	Name    string // as the stream's Next returns it
	Label   string // the archive, for String(): "PATH.deb" gives "PATH.deb: ./usr/bin/x"
}

var _ plan.Source = (*Source)(nil)

func (s *Source) Open() (io.ReadCloser, error) { return s.Cache.Open(s.Archive, s.Index, s.Name) }

// String is built when asked for: a label per member, held from listing
// on, would cost a string for every file of the appliance.
func (s *Source) String() string { return s.Label + ": " + s.Name }
