package libcompare

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	_ "github.com/ncruces/go-sqlite3/driver"
	_ "modernc.org/sqlite"

	"github.com/supermin-compile/supermin-compile/internal/sqlite"
)

// TestSQLiteReaders: the three readers of sqlitesize/ give the same rows
// of the Amazon Linux 2023 rpmdb.sqlite; the test logs what each costs in
// binary size (each main also links fmt, os and crypto/sha256).
func TestSQLiteReaders(t *testing.T) {
	db := filepath.Join(copyFixtureDB(t), "rpmdb.sqlite")
	bin := t.TempDir()
	outputs := map[string]string{}
	for _, reader := range []string{"ours", "modernc", "ncruces"} {
		exe := filepath.Join(bin, reader)
		if out, err := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", exe, "./sqlitesize/"+reader).CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", reader, err, out)
		}
		out, err := exec.Command(exe, db).Output()
		if err != nil {
			t.Fatalf("%s: %v", reader, err)
		}
		fi, err := os.Stat(exe)
		if err != nil {
			t.Fatal(err)
		}
		outputs[reader] = string(out)
		t.Logf("%-8s %5.1f MiB (stripped)  %s", reader, float64(fi.Size())/(1<<20), out)
	}
	if outputs["modernc"] != outputs["ours"] || outputs["ncruces"] != outputs["ours"] {
		t.Errorf("the readers disagree: %q", outputs)
	}
}

// BenchmarkSQLite reads every header blob of the Packages table.
func BenchmarkSQLite(b *testing.B) {
	db := filepath.Join(copyFixtureDB(b), "rpmdb.sqlite")
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := sqlite.Open(db)
			if err != nil {
				b.Fatal(err)
			}
			err = d.Rows("Packages", func(int64, []any) error { return nil })
			d.Close()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, driver := range []string{"sqlite", "sqlite3"} { // modernc, ncruces
		b.Run(map[string]string{"sqlite": "modernc", "sqlite3": "ncruces"}[driver], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sqlRead(b, driver, db)
			}
		})
	}
}

// sqlRead opens db with a database/sql driver, as a caller would for one
// read, and reads every blob of Packages.
func sqlRead(b *testing.B, driver, db string) {
	d, err := sql.Open(driver, "file:"+db+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	rows, err := d.Query("SELECT hnum, blob FROM Packages")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var rowid int64
		var blob []byte
		if err := rows.Scan(&rowid, &blob); err != nil {
			b.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
}
