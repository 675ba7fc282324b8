// Package rpmmd reads the configuration of yum and dnf repositories: the
// .repo files of /etc/yum.repos.d. It says where a repository is and how
// it is checked; reading the repository's metadata is resolver/rpm's
// (Repomd, OpenRepos), fetching it the fetcher's.
package rpmmd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Repo is one [section] of a .repo file, its variables expanded.
type Repo struct {
	ID       string
	Name     string
	BaseURLs []string
	Enabled  bool // default true
	// GPGCheck (packages' signatures) and RepoGPGCheck (repomd.xml's)
	// default to false, dnf's own default. dnf takes a missing one from
	// dnf.conf's [main], which distributions set to 1; dnf.conf is not
	// read here.
	GPGCheck, RepoGPGCheck bool
	GPGKeys                []string // URLs, as written
	Priority               int      // default 99; the lowest wins
	Cost                   int      // default 1000
	File                   string   // where the section is, for messages
	Line                   int
}

// Vars are the values of the variables .repo files use: "releasever",
// "basearch", "arch" and any other. A variable used but not given is an
// error.
type Vars map[string]string

// ReadDir reads the *.repo files of dir in name order, as dnf reads
// /etc/yum.repos.d; a repository id defined twice is an error.
func ReadDir(dir string, vars Vars) ([]Repo, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.repo"))
	if err != nil {
		return nil, err
	}
	var all []Repo
	for _, f := range files {
		repos, err := ParseFile(f, vars)
		if err != nil {
			return nil, err
		}
		for _, r := range repos {
			if i := slices.IndexFunc(all, func(o Repo) bool { return o.ID == r.ID }); i >= 0 {
				return nil, fmt.Errorf("%s:%d: repository %q is defined again (first at %s:%d)", r.File, r.Line, r.ID, all[i].File, all[i].Line)
			}
			all = append(all, r)
		}
	}
	return all, nil
}

// ParseFile reads one .repo file.
func ParseFile(path string, vars Vars) ([]Repo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, path, vars)
}

// maxLine bounds one line of a .repo file; real ones are short.
const maxLine = 64 << 10

// section is a [section] as read: its keys, and where each was set.
type section struct {
	id    string
	line  int
	keys  map[string]string
	lines map[string]int
}

// Parse reads a .repo file from r; name names it in errors, which give
// the line.
func Parse(r io.Reader, name string, vars Vars) ([]Repo, error) {
	sections, err := readINI(r, name)
	if err != nil {
		return nil, err
	}
	var out []Repo
	for _, s := range sections {
		id, err := expand(s.id, vars) // dnf expands variables in ids too
		if err != nil || !idPattern.MatchString(id) {
			return nil, fmt.Errorf("%s:%d: bad repository id [%s] (want letters, digits and -_.:)", name, s.line, s.id)
		}
		s.id = id
		if slices.ContainsFunc(out, func(o Repo) bool { return o.ID == s.id }) {
			return nil, fmt.Errorf("%s:%d: repository %q is defined twice", name, s.line, s.id)
		}
		repo, err := s.repo(name, vars)
		if err != nil {
			return nil, err
		}
		out = append(out, repo)
	}
	return out, nil
}

// readINI reads the sections of an INI file as dnf's parser does: "#" and
// ";" start comments, "key=value" lines, and lines that start with a
// space continue the previous value.
func readINI(r io.Reader, name string) ([]*section, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLine)
	var sections []*section
	var cur *section
	var last string // the key a continuation line adds to
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		errf := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", name, n, fmt.Sprintf(format, args...))
		}
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case raw[0] == ' ' || raw[0] == '\t':
			if cur == nil || last == "" {
				return nil, errf("continuation line without a key before it")
			}
			cur.keys[last] += "\n" + line
		case line[0] == '[':
			id, ok := strings.CutSuffix(line[1:], "]")
			if !ok || id == "" {
				return nil, errf("bad section header %q (want [id])", line)
			}
			cur = &section{id: id, line: n, keys: map[string]string{}, lines: map[string]int{}}
			sections = append(sections, cur)
			last = ""
		default:
			k, v, ok := strings.Cut(line, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return nil, errf("%q is not key=value", line)
			}
			if cur == nil {
				return nil, errf("%q before any [section]", line)
			}
			cur.keys[k], cur.lines[k], last = strings.TrimSpace(v), n, k
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("a line longer than %d KiB", maxLine>>10)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return sections, nil
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)

// repo interprets a section's keys.
func (s *section) repo(name string, vars Vars) (Repo, error) {
	r := Repo{ID: s.id, Name: s.id, Enabled: true, Priority: 99, Cost: 1000, File: name, Line: s.line}
	errf := func(key, format string, args ...any) error {
		line := s.line
		if l, ok := s.lines[key]; ok {
			line = l
		}
		return fmt.Errorf("%s:%d: repository %s: %s", name, line, s.id, fmt.Sprintf(format, args...))
	}
	get := func(key string) (string, error) {
		v, err := expand(s.keys[key], vars)
		if err != nil {
			return "", errf(key, "%s: %v", key, err)
		}
		return v, nil
	}
	var err error
	for _, b := range []struct {
		key string
		dst *bool
	}{{"enabled", &r.Enabled}, {"gpgcheck", &r.GPGCheck}, {"repo_gpgcheck", &r.RepoGPGCheck}} {
		if v, ok := s.keys[b.key]; ok {
			if *b.dst, err = parseBool(v); err != nil {
				return r, errf(b.key, "%s: %v", b.key, err)
			}
		}
	}
	for _, i := range []struct {
		key string
		dst *int
	}{{"priority", &r.Priority}, {"cost", &r.Cost}} {
		if v, ok := s.keys[i.key]; ok {
			if *i.dst, err = strconv.Atoi(v); err != nil {
				return r, errf(i.key, "%s %q is not a number", i.key, v)
			}
		}
	}
	if _, ok := s.keys["name"]; ok {
		if r.Name, err = get("name"); err != nil {
			return r, err
		}
	}
	var v string
	if v, err = get("baseurl"); err != nil {
		return r, err
	}
	r.BaseURLs = splitList(v)
	if v, err = get("gpgkey"); err != nil {
		return r, err
	}
	r.GPGKeys = splitList(v)
	if t := s.keys["type"]; t != "" && t != "rpm-md" && t != "rpm" && t != "yum" {
		return r, errf("type", "type %q is not supported (rpm-md)", t)
	}
	if r.Enabled && len(r.BaseURLs) == 0 {
		for _, k := range []string{"metalink", "mirrorlist"} {
			if s.keys[k] != "" {
				return r, errf(k, "%s is not supported: give baseurl", k)
			}
		}
		return r, errf("", "no baseurl")
	}
	return r, nil
}

// splitList splits a list option as dnf does: on commas and white space.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' || c == '\n' })
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "yes", "true", "on":
		return true, nil
	case "0", "no", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (1/0, yes/no, true/false, on/off)", v)
}

var varPattern = regexp.MustCompile(`\$(?:\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]+))`)

// expand replaces $name and ${name} with their values.
func expand(s string, vars Vars) (string, error) {
	var err error
	out := varPattern.ReplaceAllStringFunc(s, func(m string) string {
		g := varPattern.FindStringSubmatch(m)
		name := g[1] + g[2]
		v, ok := vars[name]
		if !ok && err == nil {
			err = fmt.Errorf("$%s is not set", name)
		}
		return v
	})
	if err == nil && strings.Contains(out, "${") {
		err = fmt.Errorf("%q: only $name and ${name} are supported", s)
	}
	return out, err
}

// KeyPaths returns the local paths of the repository's gpgkey URLs, which
// must be file:// ones.
func (r Repo) KeyPaths() ([]string, error) {
	var out []string
	for _, k := range r.GPGKeys {
		p, ok := strings.CutPrefix(k, "file://")
		if !ok || !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("%s:%d: repository %s: gpgkey %q: only file:///path keys are supported", r.File, r.Line, r.ID, k)
		}
		out = append(out, p)
	}
	return out, nil
}
