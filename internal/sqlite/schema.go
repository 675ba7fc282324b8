package sqlite

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// Rows calls fn for each row of table in rowid order, and stops at the first
// error fn returns, which Rows returns as is. values are the record's
// columns: nil, int64, float64, string (TEXT) or []byte (BLOB); the column
// declared INTEGER PRIMARY KEY, stored as NULL, is given the rowid, and whole
// numbers in REAL columns, stored as integers, are given as float64. Columns
// added by ALTER TABLE after a row was written are missing from its values.
// Rows never reuses values or their []byte: fn may keep them.
func (db *DB) Rows(table string, fn func(rowid int64, values []any) error) error {
	root, l, err := db.table(table)
	if err != nil {
		return err
	}
	return db.rows(root, func(rowid int64, values []any) error {
		if l.ipk >= 0 && l.ipk < len(values) {
			values[l.ipk] = rowid
		}
		for _, i := range l.reals { // ascending
			if i >= len(values) {
				break
			}
			if x, ok := values[i].(int64); ok {
				values[i] = float64(x)
			}
		}
		return fn(rowid, values)
	})
}

var errFound = errors.New("found")

// table finds the root page and the layout of table in sqlite_schema.
func (db *DB) table(name string) (root uint32, l layout, err error) {
	if strings.EqualFold(name, "sqlite_schema") || strings.EqualFold(name, "sqlite_master") {
		return 1, layout{ipk: -1}, nil
	}
	var rootpage int64 = -1
	var sql string
	err = db.rows(1, func(_ int64, v []any) error {
		if len(v) < 5 || v[0] != "table" {
			return nil
		}
		if n, ok := v[1].(string); !ok || !strings.EqualFold(n, name) {
			return nil
		}
		rootpage, _ = v[3].(int64)
		sql, _ = v[4].(string)
		return errFound
	})
	if err != errFound {
		if err == nil {
			err = fmt.Errorf("%s: no table %q", db.path, name)
		}
		return 0, l, err
	}
	l = parseCreate(sql)
	switch {
	case l.withoutRowid:
		return 0, l, fmt.Errorf("%s: table %q is WITHOUT ROWID, which is not supported", db.path, name)
	case rootpage <= 0 || rootpage > math.MaxUint32:
		return 0, l, fmt.Errorf("%s: table %q has no b-tree (root page %d)", db.path, name, rootpage)
	}
	return uint32(rootpage), l, nil
}

// layout is what Rows needs to know of a table's columns.
type layout struct {
	ipk          int   // the column aliasing the rowid, or -1
	reals        []int // columns of REAL affinity: whole numbers are stored as integers
	withoutRowid bool
}

// parseCreate parses a CREATE TABLE statement just enough to find its layout.
func parseCreate(sql string) layout {
	l := layout{ipk: -1}
	toks := tokenize(sql)
	start := 0
	for start < len(toks) && toks[start] != "(" {
		start++
	}
	if start == len(toks) {
		return l
	}
	defs, rest := splitDefs(toks[start+1:])
	for i := range rest[:max(len(rest)-1, 0)] {
		l.withoutRowid = l.withoutRowid || keyword(rest[i], "WITHOUT") && keyword(rest[i+1], "ROWID")
	}
	var names []string
	var integer []bool
	pk := ""
	for _, d := range defs {
		j := slices.IndexFunc(d, func(t string) bool { return keyword(t, "PRIMARY") })
		if len(d) == 0 || keyword(d[0], "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN") {
			// PRIMARY KEY (name [ASC|DESC]), of one column.
			if j >= 0 && len(d) > j+4 && keyword(d[j+1], "KEY") && d[j+2] == "(" &&
				(d[j+4] == ")" || keyword(d[j+4], "ASC", "DESC") && len(d) > j+5 && d[j+5] == ")") {
				pk = unquote(d[j+3])
			}
			continue
		}
		t := 1
		for t < len(d) && !keyword(d[t], "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK",
			"DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS") {
			t++
		}
		names = append(names, unquote(d[0]))
		integer = append(integer, t == 2 && strings.EqualFold(unquote(d[1]), "INTEGER"))
		if realAffinity(d[1:t]) {
			l.reals = append(l.reals, len(names)-1)
		}
		// "INTEGER PRIMARY KEY DESC" is a documented quirk: not an alias.
		if j >= 0 && len(d) > j+1 && keyword(d[j+1], "KEY") && (len(d) == j+2 || !keyword(d[j+2], "DESC")) {
			pk = names[len(names)-1]
		}
	}
	for i, n := range names {
		if integer[i] && pk != "" && strings.EqualFold(n, pk) {
			l.ipk = i
		}
	}
	return l
}

// realAffinity applies the rules of https://www.sqlite.org/datatype3.html
// (3.1) to a declared type, in their order.
func realAffinity(typ []string) bool {
	var b strings.Builder
	for _, t := range typ {
		b.WriteString(strings.ToUpper(unquote(t)) + " ")
	}
	has := func(s ...string) bool {
		return slices.ContainsFunc(s, func(s string) bool { return strings.Contains(b.String(), s) })
	}
	return !has("INT", "CHAR", "CLOB", "TEXT", "BLOB") && has("REAL", "FLOA", "DOUB")
}

// splitDefs splits the tokens after "(" at top-level commas, up to the
// matching ")"; rest is what follows it.
func splitDefs(toks []string) (defs [][]string, rest []string) {
	var def []string
	depth := 0
	for i, t := range toks {
		if depth == 0 && (t == "," || t == ")") {
			defs = append(defs, def)
			def = nil
			if t == ")" {
				return defs, toks[i+1:]
			}
			continue
		}
		if t == "(" {
			depth++
		} else if t == ")" {
			depth--
		}
		def = append(def, t)
	}
	return append(defs, def), nil
}

// keyword reports whether token t is one of the unquoted keywords kws.
func keyword(t string, kws ...string) bool {
	for _, k := range kws {
		if strings.EqualFold(t, k) {
			return true
		}
	}
	return false
}

// token matches, in SQL: a comment, a quoted name or string (a doubled
// quote stands for one), a name or keyword, or any other character.
var token = regexp.MustCompile(`--[^\n]*|/\*(?s:.*?)\*/|'(?:[^']|'')*'|"(?:[^"]|"")*"|` +
	"`(?:[^`]|``)*`" + `|\[[^\]]*\]|[\w$\x{80}-\x{10FFFF}]+|\S`)

// tokenize splits SQL into tokens, quoted ones with their quotes, dropping
// spaces and comments.
func tokenize(sql string) []string {
	return slices.DeleteFunc(token.FindAllString(sql, -1), func(t string) bool {
		return strings.HasPrefix(t, "--") || strings.HasPrefix(t, "/*")
	})
}

// unquote strips a token's quotes.
func unquote(t string) string {
	if len(t) < 2 || !strings.ContainsRune("'\"`[", rune(t[0])) {
		return t
	}
	q := t[len(t)-1:]
	return strings.ReplaceAll(t[1:len(t)-1], q+q, q)
}
