package rpm

import (
	"io"
	"os"

	"github.com/supermin-compile/supermin-compile/internal/ndb"
)

// isNDB reports whether file is an ndb database (Packages.db, SUSE), by
// its first bytes: path may name the file whatever it is called.
func isNDB(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(ndb.Magic))
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == ndb.Magic
}

// ndbHeaders calls add with each header blob of the ndb database file and
// its package index.
func ndbHeaders(file string, add func(n int64, blob []byte) error) error {
	db, err := ndb.Open(file)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Headers(func(pkg uint32, blob []byte) error { return add(int64(pkg), blob) })
}
