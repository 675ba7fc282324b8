package rpm

import "github.com/supermin-compile/supermin-compile/internal/ndb"

// readNdb passes each header blob of the ndb database file (SUSE's
// Packages.db) with its package index to each.
func readNdb(file string, each func(uint32, []byte) error) error {
	db, err := ndb.Open(file)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Headers(each)
}
