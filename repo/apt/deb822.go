package apt

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ParseSources reads a deb822-style sources file (*.sources): stanzas of
// Types, URIs, Suites, Components and options, lines starting with # are
// comments. A stanza gives one Source per URI and suite; stanzas without
// the deb type, or with Enabled: no, give none. name is the file's name
// for messages and Origin, which is NAME:N for the N-th stanza, as apt
// numbers them in its Sourcesentry.
func ParseSources(r io.Reader, name string) ([]Source, error) {
	var sources []Source
	err := readStanzas(r, name, func(st stanza) error {
		got, err := st.sources(fmt.Sprintf("%s:%d", name, st.number))
		if err != nil {
			return fmt.Errorf("%s: stanza %d (line %d): %w", name, st.number, st.line, err)
		}
		sources = append(sources, got...)
		return nil
	})
	return sources, err
}

// stanza is one deb822 paragraph: fields by lower-case name, continuation
// lines joined with "\n".
type stanza struct {
	fields map[string]string
	number int // counting from 1
	line   int // of its first field
}

// readStanzas calls fn for each stanza of r.
func readStanzas(r io.Reader, name string, fn func(stanza) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxConfigLine)
	st := stanza{fields: map[string]string{}, number: 1}
	last := ""
	flush := func() error {
		if len(st.fields) == 0 {
			return nil
		}
		err := fn(st)
		st, last = stanza{fields: map[string]string{}, number: st.number + 1}, ""
		return err
	}
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.TrimSpace(line) == "":
			if err := flush(); err != nil {
				return err
			}
		case line[0] == ' ' || line[0] == '\t':
			if last == "" {
				return fmt.Errorf("%s:%d: continuation line outside a field", name, n)
			}
			st.fields[last] += "\n" + strings.TrimSpace(line)
		default:
			key, value, ok := strings.Cut(line, ":")
			key = strings.ToLower(strings.TrimSpace(key))
			if !ok || key == "" {
				return fmt.Errorf("%s:%d: %.40q is not a field (Name: value)", name, n, line)
			}
			if _, dup := st.fields[key]; dup {
				return fmt.Errorf("%s:%d: field %s given twice", name, n, key)
			}
			if len(st.fields) == 0 {
				st.line = n
			}
			st.fields[key], last = strings.TrimSpace(value), key
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", name, n+1, err)
	}
	return flush()
}

// sources expands a stanza into its sources.
func (st stanza) sources(origin string) ([]Source, error) {
	types, ok := st.fields["types"]
	if !ok {
		return nil, fmt.Errorf("no Types")
	}
	deb := false
	for _, t := range strings.Fields(types) {
		switch t {
		case "deb":
			deb = true
		case "deb-src":
		default:
			return nil, fmt.Errorf("type %q is not known (deb or deb-src)", t)
		}
	}
	if enabled, ok := st.fields["enabled"]; ok {
		yes, err := parseBool(enabled)
		if err != nil {
			return nil, fmt.Errorf("Enabled: %w", err)
		}
		deb = deb && yes
	}
	if !deb {
		return nil, nil
	}
	proto := newSource(origin)
	for field, option := range deb822Options {
		if v, ok := st.fields[field]; ok {
			if err := setOption(&proto, option, v); err != nil {
				return nil, err
			}
		}
	}
	uris, suites := strings.Fields(st.fields["uris"]), strings.Fields(st.fields["suites"])
	if len(uris) == 0 || len(suites) == 0 {
		return nil, fmt.Errorf("URIs and Suites are needed")
	}
	var out []Source
	for _, u := range uris {
		for _, suite := range suites {
			s := proto
			s.URI, s.Suite = strings.TrimRight(u, "/"), suite
			s.Components = strings.Fields(st.fields["components"])
			if err := s.check(); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
}
