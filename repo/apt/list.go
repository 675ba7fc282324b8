package apt

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// maxConfigLine bounds one line of a sources file; apt's own are short.
const maxConfigLine = 1 << 20

// ParseList reads a one-line-style sources file (sources.list, *.list):
//
//	deb [ option=value ... ] URI SUITE [COMPONENT...]
//
// name is the file's name for messages and Origin. deb-src lines are
// skipped (no binary packages come from them); any other type is an error,
// as in apt.
func ParseList(r io.Reader, name string) ([]Source, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxConfigLine)
	var sources []Source
	for n := 1; sc.Scan(); n++ {
		origin := fmt.Sprintf("%s:%d", name, n)
		s, ok, err := parseListLine(sc.Text(), origin)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", origin, err)
		}
		if ok {
			sources = append(sources, s)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return sources, nil
}

// parseListLine parses one line; ok is false for a blank or comment line
// and for deb-src.
func parseListLine(line, origin string) (s Source, ok bool, err error) {
	line = strings.TrimSpace(stripComment(line))
	if line == "" {
		return s, false, nil
	}
	kind, rest := line, ""
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		kind, rest = line[:i], line[i:]
	}
	switch kind {
	case "deb":
	case "deb-src":
		return s, false, nil
	default:
		return s, false, fmt.Errorf("type %q is not known (deb or deb-src)", kind)
	}
	s = newSource(origin)
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return s, false, fmt.Errorf("options: [ without ]")
		}
		if err := parseListOptions(&s, rest[1:end]); err != nil {
			return s, false, err
		}
		rest = rest[end+1:]
	}
	words := strings.Fields(rest)
	if len(words) < 2 {
		return s, false, fmt.Errorf("want URI and suite after %q", kind)
	}
	s.URI, s.Suite, s.Components = strings.TrimRight(words[0], "/"), words[1], words[2:]
	return s, true, s.check()
}

// stripComment cuts a line at the first # outside [ ] (apt keeps a # in an
// option's value).
func stripComment(line string) string {
	depth := 0
	for i, c := range line {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case '#':
			if depth <= 0 {
				return line[:i]
			}
		}
	}
	return line
}

// parseListOptions reads "key=value key+=value ..." from between [ ].
func parseListOptions(s *Source, opts string) error {
	for _, opt := range strings.Fields(opts) {
		key, value, ok := strings.Cut(opt, "=")
		switch {
		case !ok:
			return fmt.Errorf("option %q is not key=value", opt)
		case key == "" || value == "":
			return fmt.Errorf("option %q has no key or no value", opt)
		}
		if err := setOption(s, key, value); err != nil {
			return err
		}
	}
	return nil
}
