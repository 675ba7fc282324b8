package sqlite

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// rpmdbFixture is a real rpm database (Amazon Linux 2023, 103 packages).
const rpmdbFixture = "rpm/rpmdb/amazonlinux2023/rpmdb.sqlite"

// sqlite3 runs the sqlite3 CLI on db with script on stdin.
func sqlite3(t testing.TB, db, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command("sqlite3", append(args, db)...)
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sqlite3 %s: %v: %s", db, err, stderr.Bytes())
	}
	return string(out)
}

type row struct {
	rowid  int64
	values []any
}

// want returns the rows of table as sqlite3 reads them.
func want(t testing.TB, db, table string) []row {
	t.Helper()
	cols := sqlite3(t, db, fmt.Sprintf("select name from pragma_table_info('%s');", table), "-readonly")
	var sel []string
	for _, c := range strings.Split(strings.TrimSpace(cols), "\n") {
		// text, blobs and the bits of reals in hex: exact, and no byte confuses the parsing
		sel = append(sel, fmt.Sprintf(`typeof("%[1]s")||':'||case typeof("%[1]s") when 'integer' then "%[1]s"
			when 'real' then hex(ieee754_to_blob("%[1]s")) else hex("%[1]s") end`, c))
	}
	out := sqlite3(t, db, fmt.Sprintf(`select rowid, %s from "%s" order by rowid;`, strings.Join(sel, ", "), table), "-readonly")
	var rows []row
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		r := row{rowid: must(strconv.ParseInt(f[0], 10, 64))}
		for _, v := range f[1:] {
			typ, s, _ := strings.Cut(v, ":")
			var x any
			switch typ {
			case "integer":
				x = must(strconv.ParseInt(s, 10, 64))
			case "real":
				x = math.Float64frombits(must(strconv.ParseUint(s, 16, 64)))
			case "text":
				x = string(must(hex.DecodeString(s)))
			case "blob":
				x = must(hex.DecodeString(s))
			}
			r.values = append(r.values, x)
		}
		rows = append(rows, r)
	}
	return rows
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// got returns the rows of table as Rows reads them.
func got(t testing.TB, db, table string) []row {
	t.Helper()
	d, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var rows []row
	if err := d.Rows(table, func(rowid int64, values []any) error {
		for _, v := range values {
			if b, ok := v.([]byte); ok && cap(b) != len(b) {
				t.Fatalf("rowid %d: appending to a blob would overwrite what follows", rowid)
			}
		}
		rows = append(rows, row{rowid, values})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return rows
}

func equal(a, b any) bool {
	if x, ok := a.([]byte); ok {
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	}
	if x, ok := a.(float64); ok {
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	}
	return a == b
}

func compare(t *testing.T, db, table string) int {
	t.Helper()
	g, w := got(t, db, table), want(t, db, table)
	if len(g) != len(w) {
		t.Fatalf("%s: got %d rows, sqlite3 has %d", table, len(g), len(w))
	}
	for i := range w {
		if g[i].rowid != w[i].rowid || len(g[i].values) != len(w[i].values) {
			t.Fatalf("%s row %d: got rowid %d with %d values, want rowid %d with %d", table, i,
				g[i].rowid, len(g[i].values), w[i].rowid, len(w[i].values))
		}
		for j := range w[i].values {
			if !equal(g[i].values[j], w[i].values[j]) {
				t.Fatalf("%s rowid %d column %d: got %.80v (%[4]T), want %.80v (%[5]T)", table, w[i].rowid, j,
					g[i].values[j], w[i].values[j])
			}
		}
	}
	return len(w)
}

// script fills tables t (rpmdb-like), v (all kinds of values) and w.
func script(pageSize int) string {
	r := rand.New(rand.NewPCG(1, uint64(pageSize)))
	var b strings.Builder
	fmt.Fprintf(&b, "pragma page_size=%d;\n", pageSize)
	b.WriteString(`create table t(hnum integer primary key, blob blob);
create table v(i, r real, x, s text);
create index vi on v(i);
create table w(a text primary key, b) without rowid;
insert into w values('k', 1);
begin;
`)
	for i := 1; i <= 4000; i++ {
		n := r.IntN(3000)
		if i%400 == 0 {
			n = 100_000 + r.IntN(200_000)
		}
		blob := fmt.Sprintf("randomblob(%d)", n)
		if n == 0 || i%100 == 1 {
			blob = "x''" // randomblob(0) gives one byte
		}
		fmt.Fprintf(&b, "insert into t values(%d, %s);\n", i, blob)
	}
	b.WriteString("insert into t values(-5, x'00'), (1099511627776, x'01'), (9223372036854775807, null);\n")
	ints := []int64{0, 1, -1, 2, 127, -128, 128, -129, 32767, -32768, 32768, 1<<23 - 1, -1 << 23, 1 << 23,
		1<<31 - 1, -1 << 31, 1 << 31, 1<<47 - 1, -1 << 47, 1 << 47, 1<<63 - 1, -1 << 63}
	floats := []float64{0, math.Copysign(0, -1), 2, -3, 0.1, -2.5, 1e300, -1e-310, 4503599627370497}
	letters := []rune("abcxyz '\"\n\t|:é€😀")
	for i := range 3000 {
		in := ints[i%len(ints)]
		if i >= len(ints) {
			in = r.Int64() >> r.IntN(64)
		}
		f := r.NormFloat64() * float64(r.IntN(1000000))
		if i < len(floats) {
			f = floats[i]
		}
		text := make([]rune, r.IntN(20)+r.IntN(2)*r.IntN(3000))
		for j := range text {
			text[j] = letters[r.IntN(len(letters))]
		}
		s := "'" + strings.ReplaceAll(string(text), "'", "''") + "'"
		fl := strconv.FormatFloat(f, 'e', -1, 64)
		x := fl
		if i%2 == 1 {
			x = fmt.Sprintf("randomblob(%d)", 1+r.IntN(100))
		}
		vals := []string{strconv.FormatInt(in, 10), fl, x, s}
		if k := r.IntN(8); k < 4 {
			vals[k] = "null"
		}
		fmt.Fprintf(&b, "insert into v values(%s);\n", strings.Join(vals, ", "))
	}
	b.WriteString("commit;\ndelete from t where hnum % 7 = 3;\ndelete from v where rowid % 5 = 0;\n")
	return b.String()
}

func TestRowsMatchSqlite3(t *testing.T) {
	testtool.Need(t, "sqlite3")
	t.Run("testdata", func(t *testing.T) {
		for _, table := range []string{"t", "v", "sqlite_schema"} {
			compare(t, "testdata/small.db", table)
		}
		// As if written by a version that did not keep the page count.
		for i, stale := range []bool{false, true} {
			b := must(os.ReadFile("testdata/small.db"))
			binary.BigEndian.PutUint32(b[28:], 0)
			if stale {
				binary.BigEndian.PutUint32(b[28:], 99999)
				binary.BigEndian.PutUint32(b[92:], ^binary.BigEndian.Uint32(b[24:]))
			}
			old := filepath.Join(t.TempDir(), fmt.Sprint(i, ".db"))
			if err := os.WriteFile(old, b, 0o644); err != nil {
				t.Fatal(err)
			}
			compare(t, old, "t")
		}
	})
	for _, ps := range []int{512, 4096, 65536} {
		t.Run(strconv.Itoa(ps), func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "test.db")
			sqlite3(t, db, script(ps))
			// Make sure the file has what the test is about.
			stats := sqlite3(t, db, `select (select count(*) from dbstat where name='t' and pagetype='internal') > 0,
				(select count(*) from dbstat where name='t' and pagetype='overflow') > 0,
				(select count(*) from dbstat where name='v' and pagetype='internal') > 0,
				(select freelist_count from pragma_freelist_count) > 0;`)
			if stats != "1|1|1|1\n" {
				t.Fatalf("want interior, overflow and free pages; dbstat says %q", stats)
			}
			compare(t, db, "t")
			compare(t, db, "v")
			compare(t, db, "sqlite_schema")
			d, err := Open(db)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			nop := func(int64, []any) error { return nil }
			for table, msg := range map[string]string{"w": `table "w" is WITHOUT ROWID`, "nosuch": `no table "nosuch"`} {
				if err := d.Rows(table, nop); err == nil || !strings.HasPrefix(err.Error(), db+": "+msg) {
					t.Errorf("Rows(%q) = %v, want %s", table, err, msg)
				}
			}
		})
	}
}

// TestColumnDefs checks the INTEGER PRIMARY KEY and REAL column detection
// against how sqlite3 stores and reads the same tables.
func TestColumnDefs(t *testing.T) {
	testtool.Need(t, "sqlite3")
	defs := []string{
		"a integer primary key, b",
		"a 'INTEGER' primary key, b",
		`"a" [integer] PRIMARY KEY, b`,
		"a integer(5) primary key, b", // not an alias
		"a integer primary key desc, b",
		"a int primary key, b",
		"a integer, b, primary key(a desc)",
		`a integer, b, constraint pk primary key("a" asc)`,
		"a integer, b, primary key(a, b)",
		"a integer not null constraint x primary key autoincrement, b real",
		"a integer -- a comment, with a comma\n primary key, b",
		`/* (x, y) */ a integer primary key, "b,c" double precision`,
		"a, b float",
		"a, b floating point", // contains INT: integer affinity
		"a, b 'REAL' not null",
		"a, b numeric",
		"a, b varchar(10)",
		"b decimal(10, 5), a integer primary key",
		"a text default 'primary key', b real",
	}
	var sql strings.Builder
	for i, d := range defs {
		fmt.Fprintf(&sql, "create table t%d(%s);\ninsert into t%[1]d values(5, 2.0), (6, 3.0);\n", i, d)
	}
	db := filepath.Join(t.TempDir(), "defs.db")
	sqlite3(t, db, sql.String())
	for i := range defs {
		compare(t, db, fmt.Sprintf("t%d", i))
	}
}

func TestRpmdbFixture(t *testing.T) {
	db := testtool.Fixture(t, rpmdbFixture)
	testtool.Need(t, "sqlite3")
	if n := compare(t, db, "Packages"); n != 103 {
		t.Errorf("Packages has %d rows, want 103", n)
	}
}

func TestRefused(t *testing.T) {
	testtool.Need(t, "sqlite3")
	dir := t.TempDir()
	db := filepath.Join(dir, "test.db")
	sqlite3(t, db, "create table a(x); insert into a values(1);")
	if err := os.WriteFile(db+"-wal", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if d, err := Open(db); err != nil {
		t.Errorf("with an empty WAL: %v", err)
	} else {
		d.Close()
	}
	if err := os.WriteFile(db+"-wal", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(db); err == nil || !strings.Contains(err.Error(), "un-checkpointed WAL") {
		t.Errorf("with a WAL: %v", err)
	}
	utf16 := filepath.Join(dir, "utf16.db")
	sqlite3(t, utf16, "pragma encoding='UTF-16le'; create table a(x); insert into a values('hi');")
	if _, err := Open(utf16); err == nil || !strings.HasPrefix(err.Error(), utf16+": text encoding 2 is UTF-16") {
		t.Errorf("UTF-16 database: %v", err)
	}
}

// TestCorrupt breaks a database where sqlite3's dbstat says the pages are.
func TestCorrupt(t *testing.T) {
	testtool.Need(t, "sqlite3")
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	sqlite3(t, good, `pragma page_size=512; create table t(hnum integer primary key, blob blob);
		with recursive n(i) as (select 1 union all select i+1 from n where i<60) insert into t select i, randomblob(2000) from n;`)
	page := func(where string) uint32 {
		return uint32(must(strconv.Atoi(strings.TrimSpace(sqlite3(t, good,
			"select pageno from dbstat where name='t' and "+where+" order by pageno limit 1;")))))
	}
	root, leaf := page("path='/'"), page("pagetype='leaf'")
	ovf := page("pagetype='overflow' and path like '%+000000'") // the first of 4
	orig := must(os.ReadFile(good))
	at := func(pg uint32) int { return int(pg-1) * 512 }
	for _, c := range []struct {
		name  string
		edit  func(b []byte) []byte
		page  uint32
		error string
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, uint32(len(orig)/1024 + 1), "past the end of the file"},
		{"overflow loop", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[at(ovf):], ovf)
			return b
		}, ovf, "overflow chain loops"},
		{"b-tree loop", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[at(root)+8:], root)
			return b
		}, root, "b-tree loops"},
		{"page out of range", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[at(root)+8:], 1<<30)
			return b
		}, 1 << 30, "b-tree page out of range"},
		{"cell pointer", func(b []byte) []byte {
			binary.BigEndian.PutUint16(b[at(leaf)+8:], 0xffff)
			return b
		}, leaf, "cell 0: pointer 65535 out of the page"},
		{"varint", func(b []byte) []byte {
			binary.BigEndian.PutUint16(b[at(leaf)+8:], 510)
			b[at(leaf)+510], b[at(leaf)+511] = 0xff, 0xff
			return b
		}, leaf, "cell at 510: bad varint"},
		{"page type", func(b []byte) []byte {
			b[at(leaf)] = 0x0a
			return b
		}, leaf, "not a table b-tree page (type 0xa)"},
		{"overflow chain short", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[at(ovf):], 0)
			return b
		}, ovf, "overflow chain ends"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".db")
		if err := os.WriteFile(path, c.edit(bytes.Clone(orig)), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := Open(path)
		if err == nil {
			err = d.Rows("t", func(int64, []any) error { return nil })
			d.Close()
		}
		if want := fmt.Sprintf("%s: page %d: %s", path, c.page, c.error); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: got %v, want %s", c.name, err, want)
		}
	}
}

func TestVarint(t *testing.T) {
	for _, c := range []struct {
		in []byte
		v  uint64
		n  int
	}{
		{[]byte{0x7f}, 0x7f, 1},
		{[]byte{0x81, 0x00}, 0x80, 2},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 1<<64 - 1, 9},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 1, 9},
		{[]byte{0x80}, 0, 0},
		{nil, 0, 0},
	} {
		if v, n := varint(c.in); v != c.v || n != c.n {
			t.Errorf("varint(% x) = %d, %d; want %d, %d", c.in, v, n, c.v, c.n)
		}
	}
}

// FuzzRows checks that no input makes the reader panic or hang, and that
// every error names the file.
func FuzzRows(f *testing.F) {
	f.Add(must(os.ReadFile("testdata/small.db")))
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan []error, 1)
		go func() {
			db, err := newDB("fuzz.db", bytes.NewReader(data), int64(len(data)))
			errs := []error{err}
			for _, table := range []string{"sqlite_schema", "t", "v"} {
				if err == nil {
					errs = append(errs, db.Rows(table, func(int64, []any) error { return nil }))
				}
			}
			done <- errs
		}()
		select {
		case errs := <-done:
			for _, err := range errs {
				if err != nil && !strings.HasPrefix(err.Error(), "fuzz.db: ") {
					t.Errorf("error does not start with the path: %v", err)
				}
			}
		case <-time.After(10 * time.Second):
			t.Fatal("hangs")
		}
	})
}

func BenchmarkRowsRpmdb(b *testing.B) {
	file := testtool.Fixture(b, rpmdbFixture)
	fi, err := os.Stat(file)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	for b.Loop() {
		db, err := Open(file)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if err := db.Rows("Packages", func(_ int64, v []any) error {
			n += len(v[1].([]byte))
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		db.Close()
		if n == 0 {
			b.Fatal("no blobs")
		}
	}
}
