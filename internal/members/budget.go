package members

import (
	"fmt"

	"github.com/supermin-compile/supermin-compile/plan"
)

// MaxListing bounds the memory the entries of one archive may take. The
// Plan holds every entry, so an archive of millions of empty members, or
// of members with megabyte-long PAX names or xattrs, would otherwise grow
// it until the process dies; a few megabytes of zstd are enough.
const MaxListing = 256 << 20

// entryCost is what an entry takes besides its strings: the Entry, its
// Source, the copies merging makes, and the garbage collector's headroom
// (measured: 100,000 empty members of a tarball list in 80 MiB).
const entryCost = 512

// Budget counts the memory of an archive's entries against MaxListing.
type Budget struct{ spent, entries int64 }

// Spend counts e, failing once the archive's entries exceed MaxListing.
func (b *Budget) Spend(e *plan.Entry) error {
	b.entries++
	b.spent += entryCost + 2*int64(len(e.Path)) + int64(len(e.Link)) // the Source keeps the member name
	for _, x := range e.Xattrs {
		b.spent += int64(len(x.Name) + len(x.Value))
	}
	if b.spent > MaxListing {
		return fmt.Errorf("the listing of the first %d members takes more than %d MiB of memory, the limit for one archive", b.entries, MaxListing>>20)
	}
	return nil
}
