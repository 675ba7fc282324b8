// Command ours prints a digest of the Packages table of an rpmdb.sqlite,
// read with internal/sqlite: its binary size is what the reader costs.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"

	"github.com/supermin-compile/supermin-compile/internal/sqlite"
)

func main() {
	db, err := sqlite.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	h, n := sha256.New(), 0
	err = db.Rows("Packages", func(rowid int64, v []any) error {
		fmt.Fprintf(h, "%d %x\n", rowid, v[len(v)-1])
		n++
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d rows %x\n", n, h.Sum(nil))
}
