package apt

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/smallfile"
)

// Config is apt's configuration tree, as apt.conf(5) files set it. Only
// the Dir::Etc entries that say where sources and trusted keys are have a
// use here (Paths); the rest is parsed, so that any valid file reads, and
// ignored.
//
// Names are "::"-separated and case-insensitive; "Name::" appends an
// item to a list. A relative file name is relative to its parent's value
// (Dir::Etc::SourceList "sources.list" under Dir::Etc "etc/apt" under
// Dir "/"), as apt's FindFile resolves it.
type Config struct {
	root *confItem
}

type confItem struct {
	tag, value string
	parent     *confItem
	children   []*confItem
}

// maxConfFile bounds one configuration file read into memory.
const maxConfFile = 4 << 20

// Paths is where apt finds its sources and trusted keys: Dir::Etc's
// SourceList, SourceParts, Trusted and TrustedParts, resolved.
type Paths struct {
	SourceList, SourceParts string // sources.list and sources.list.d
	Trusted, TrustedParts   string // trusted.gpg and trusted.gpg.d; "" for none
}

// DefaultPaths are apt's defaults under root ("" means "/").
func DefaultPaths(root string) Paths { return newConfig(root).Paths() }

// newConfig returns apt's defaults (bookworm's apt 2.6: pkgInitConfig)
// for what this package reads; under root through RootDir, as apt -o
// RootDir=ROOT would read them.
func newConfig(root string) *Config {
	c := &Config{root: &confItem{}}
	if root != "" && root != "/" {
		c.set("RootDir", root)
	}
	for _, kv := range [][2]string{{"Dir", "/"}, {"Dir::Etc", "etc/apt/"},
		{"Dir::Etc::sourcelist", "sources.list"}, {"Dir::Etc::sourceparts", "sources.list.d"},
		{"Dir::Etc::main", "apt.conf"}, {"Dir::Etc::parts", "apt.conf.d"},
		{"Dir::Etc::trusted", "trusted.gpg"}, {"Dir::Etc::trustedparts", "trusted.gpg.d"}} {
		c.set(kv[0], kv[1])
	}
	return c
}

// ReadConfig reads apt's configuration as apt-get does: its defaults
// under root, then the file env names ($APT_CONFIG; "" for none), the
// Dir::Etc::Parts directory (apt.conf.d), the Dir::Etc::Main file
// (apt.conf), and last the files given (apt-get -c FILE). As in apt,
// what the first three name may be absent; a file given must be there.
func ReadConfig(root, env string, files ...string) (*Config, error) {
	c := newConfig(root)
	if isRegular(env) {
		if err := c.ReadFile(env); err != nil {
			return nil, err
		}
	}
	if parts := c.FindFile("Dir::Etc::Parts"); isDir(parts) {
		if err := c.readDir(parts, 0); err != nil {
			return nil, err
		}
	}
	if main := c.FindFile("Dir::Etc::Main"); isRegular(main) {
		if err := c.ReadFile(main); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		if err := c.ReadFile(f); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func isRegular(file string) bool {
	fi, err := os.Stat(file)
	return file != "" && err == nil && fi.Mode().IsRegular()
}

func isDir(dir string) bool {
	fi, err := os.Stat(dir)
	return dir != "" && err == nil && fi.IsDir()
}

// Paths returns where c says sources and trusted keys are.
func (c *Config) Paths() Paths {
	return Paths{
		SourceList:   c.FindFile("Dir::Etc::SourceList"),
		SourceParts:  c.FindFile("Dir::Etc::SourceParts"),
		Trusted:      c.FindFile("Dir::Etc::Trusted"),
		TrustedParts: c.FindFile("Dir::Etc::TrustedParts"),
	}
}

// Find returns the value of name, "" when it is not set.
func (c *Config) Find(name string) string {
	if it := c.lookup(name, false); it != nil {
		return it.value
	}
	return ""
}

// FindFile returns name's value as a file name, made absolute as apt
// does: a value not starting with "/", "./", "../" or "~/" is relative
// to its parent's value, and so on up; RootDir, when set, is put before
// the result. "" when name has no value.
func (c *Config) FindFile(name string) string {
	it := c.lookup(name, false)
	if it == nil || it.value == "" {
		return ""
	}
	val := it.value
	for ; it.parent != nil; it = it.parent {
		p := it.parent.value
		if p == "" {
			continue
		}
		if strings.HasPrefix(val, "/dev/null") {
			val = "/dev/null"
		}
		if strings.HasPrefix(val, "/") || strings.HasPrefix(val, "./") || strings.HasPrefix(val, "../") || strings.HasPrefix(val, "~/") {
			break
		}
		val = strings.TrimSuffix(p, "/") + "/" + val
	}
	if root := c.Find("RootDir"); root != "" {
		val = root + "/" + val
	}
	return filepath.Clean(val)
}

// lookup finds name's item, creating it (and its parents) when create
// is set. An empty last component ("List::") is a new list item.
func (c *Config) lookup(name string, create bool) *confItem {
	it := c.root
	for _, tag := range strings.Split(name, "::") {
		next := it.child(tag)
		if next == nil {
			if !create {
				return nil
			}
			next = &confItem{tag: tag, parent: it}
			it.children = append(it.children, next)
		}
		it = next
	}
	return it
}

// child is the child tagged tag (case-insensitively); an empty tag
// matches nothing: it names a new list item.
func (it *confItem) child(tag string) *confItem {
	if tag == "" {
		return nil
	}
	for _, ch := range it.children {
		if strings.EqualFold(ch.tag, tag) {
			return ch
		}
	}
	return nil
}

func (c *Config) set(name, value string) { c.lookup(name, true).value = value }

// clear empties name's value and removes everything under it (#clear).
func (c *Config) clear(name string) {
	if it := c.lookup(name, false); it != nil {
		it.value, it.children = "", nil
	}
}

// ReadFile reads one apt.conf(5) file into c.
func (c *Config) ReadFile(file string) error { return c.readFile(file, 0) }

// readDir reads the files of dir that apt reads: names of letters,
// digits, "_", "-", ":" and ".", ending in ".conf" or without any "."; in
// name order.
func (c *Config) readDir(dir string, depth int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var files []string
	for _, e := range entries {
		if confPartName(e.Name()) {
			if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && fi.Mode().IsRegular() {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	slices.Sort(files)
	for _, f := range files {
		if err := c.readFile(f, depth); err != nil {
			return err
		}
	}
	return nil
}

// confPartName is apt's rule for the files of a configuration directory.
func confPartName(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") {
		return false
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 && name[i+1:] != "conf" {
		return false
	}
	for _, r := range name {
		if !isAlnum(r) && !strings.ContainsRune("_-:.", r) {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// readFile parses file as apt's ReadConfigFile does: "name value;"
// statements, "name { ... };" blocks, comments ("//", "#", "/* */"
// outside quotes), and the #include and #clear directives.
func (c *Config) readFile(file string, depth int) error {
	data, err := smallfile.Read(file, maxConfFile)
	if err != nil {
		return err
	}
	p := &confParser{c: c, file: file, depth: depth}
	for n, line := range strings.Split(string(data), "\n") {
		p.line = n + 1
		if err := p.parseLine(line); err != nil {
			return err
		}
	}
	if p.buffer != "" {
		return p.errorf("extra junk at end of file")
	}
	return nil
}

// confParser is the state of one file's parse: what carries from one
// line to the next.
type confParser struct {
	c         *Config
	file      string
	line      int
	depth     int      // of #include
	inComment bool     // inside /* */
	buffer    string   // a statement not yet ended
	parent    string   // the enclosing block's name
	stack     []string // the blocks' names outside it
}

func (p *confParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: "+format, append([]any{p.file, p.line}, args...)...)
}

// parseLine strips a line's comments and runs the statements it ends.
func (p *confParser) parseLine(line string) error {
	line = strings.TrimFunc(strings.ReplaceAll(line, "\t", "        "), isCSpace)
	if p.inComment {
		end := strings.Index(line, "*/")
		if end < 0 {
			return nil
		}
		line, p.inComment = line[end+2:], false
	}
	line = cutComment(line, "//", nil)
	line = cutComment(line, "#", []string{"clear", "include", "x-apt-configure-index"})
	fragment := p.cutBlockComments(line)
	if fragment == "" {
		return nil
	}
	start, inQuote := 0, false
	for i := 0; i < len(fragment); i++ {
		ch := fragment[i]
		if ch == '"' {
			inQuote = !inQuote
		}
		if inQuote || (ch != '{' && ch != ';' && ch != '}') {
			continue
		}
		piece := strings.TrimFunc(fragment[start:i], isCSpace)
		if p.buffer != "" && piece != "" {
			p.buffer += " "
		}
		p.buffer += piece
		start = i + 1
		if err := p.statement(ch); err != nil {
			return err
		}
	}
	rest := strings.Trim(fragment[start:], " \t")
	if rest != "" && p.buffer != "" {
		p.buffer += " "
	}
	p.buffer += rest
	return nil
}

// cutComment cuts line at the first marker outside quotes, except where
// the marker is followed by one of keep (directives).
func cutComment(line, marker string, keep []string) string {
	for start := 0; ; start++ {
		i := strings.Index(line[start:], marker)
		if i < 0 {
			return line
		}
		start += i
		if strings.Count(line[:start], `"`)%2 != 0 || slices.ContainsFunc(keep, func(k string) bool {
			return strings.HasPrefix(line[start+1:], k)
		}) {
			continue
		}
		return line[:start]
	}
}

// cutBlockComments removes /* */ comments, remembering one left open.
func (p *confParser) cutBlockComments(line string) string {
	var b strings.Builder
	for start := 0; ; {
		i := strings.Index(line[start:], "/*")
		if i < 0 {
			break
		}
		i += start
		if strings.Count(line[:i], `"`)%2 != 0 {
			start = i + 2
			continue
		}
		b.WriteString(line[:i])
		end := strings.Index(line[i+2:], "*/")
		if end < 0 {
			line, p.inComment = "", true
			break
		}
		line, start = line[i+2+end+2:], 0
	}
	b.WriteString(line)
	return b.String()
}

// statement runs the buffered statement that term ('{', ';' or '}')
// ends.
func (p *confParser) statement(term byte) error {
	if term == '{' && p.buffer == "" {
		return p.errorf("block starts with no name")
	}
	if p.buffer == "" {
		if term == '}' {
			p.leave()
		}
		return nil
	}
	rest := p.buffer
	tag, ok := parseQuoteWord(&rest)
	if !ok {
		return p.errorf("malformed tag")
	}
	word, ok := parseCWord(&rest)
	if !ok {
		word, ok = parseQuoteWord(&rest)
	}
	noWord := false
	if !ok {
		if term != '{' {
			word, tag = tag, ""
		} else {
			noWord = true
		}
	}
	if rest != "" {
		return p.errorf("extra junk after value")
	}
	if term == '{' {
		p.stack = append(p.stack, p.parent)
		if p.parent == "" {
			p.parent = tag
		} else {
			p.parent += "::" + tag
		}
		tag = ""
	}
	item := tag
	if p.parent != "" {
		item = p.parent
		if term != '{' || tag != "" {
			item += "::" + tag
		}
	}
	switch {
	case strings.HasPrefix(tag, "#"):
		if err := p.directive(tag[1:], word); err != nil {
			return err
		}
	case tag == "" && !noWord && word == "#clear":
		return p.errorf("clear directive requires an option tree as argument")
	case !noWord:
		p.c.set(item, word)
	}
	p.buffer = ""
	if term == '}' {
		p.leave()
	}
	return nil
}

// directive runs #clear, #include (a file, or a directory when the name
// ends in "/") and #x-apt-configure-index (ignored).
func (p *confParser) directive(name, arg string) error {
	if p.parent != "" {
		return p.errorf("directives can only be done at the top level")
	}
	switch name {
	case "clear":
		p.c.clear(arg)
	case "include":
		if p.depth > 10 {
			return p.errorf("too many nested includes")
		}
		var err error
		if len(arg) > 2 && strings.HasSuffix(arg, "/") {
			err = p.c.readDir(arg, p.depth+1)
		} else {
			err = p.c.readFile(arg, p.depth+1)
		}
		if err != nil {
			return p.errorf("included from here: %w", err)
		}
	case "x-apt-configure-index":
	default:
		return p.errorf("unsupported directive %q", name)
	}
	return nil
}

// leave closes a block.
func (p *confParser) leave() {
	if n := len(p.stack); n == 0 {
		p.parent = ""
	} else {
		p.parent, p.stack = p.stack[n-1], p.stack[:n-1]
	}
}

func isCSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r'
}

// parseQuoteWord reads one word from *s as apt's ParseQuoteWord: up to
// white space outside "..." and [...], quotes dropped, %XX decoded; the
// white space after it is skipped.
func parseQuoteWord(s *string) (string, bool) {
	str := *s
	i := 0
	for i < len(str) && str[i] == ' ' {
		i++
	}
	if i == len(str) {
		return "", false
	}
	for ; i < len(str) && !isCSpace(rune(str[i])); i++ {
		for _, pair := range []string{`""`, "[]"} {
			if str[i] == pair[0] {
				j := strings.IndexByte(str[i+1:], pair[1])
				if j < 0 {
					return "", false
				}
				i += 1 + j
			}
		}
	}
	var b strings.Builder
	for k := 0; k < i; k++ {
		switch {
		case str[k] == '%' && k+2 < i && isHex(str[k+1]) && isHex(str[k+2]):
			b.WriteByte(unhex(str[k+1])<<4 | unhex(str[k+2]))
			k += 2
		case str[k] != '"':
			b.WriteByte(str[k])
		}
	}
	for i < len(str) && isCSpace(rune(str[i])) {
		i++
	}
	*s = str[i:]
	return b.String(), true
}

// parseCWord reads a value made only of quoted strings, as apt's
// ParseCWord: "a" "b" is "a b". It fails, leaving *s, on anything else.
func parseCWord(s *string) (string, bool) {
	str := *s
	i := 0
	for i < len(str) && str[i] == ' ' {
		i++
	}
	if i == len(str) {
		return "", false
	}
	var b strings.Builder
	for ; i < len(str); i++ {
		if str[i] == '"' {
			j := strings.IndexByte(str[i+1:], '"')
			if j < 0 {
				return "", false
			}
			b.WriteString(str[i+1 : i+1+j])
			i += 1 + j
			continue
		}
		if i > 0 && isCSpace(rune(str[i])) && isCSpace(rune(str[i-1])) {
			continue
		}
		if !isCSpace(rune(str[i])) {
			return "", false
		}
		b.WriteByte(' ')
	}
	*s = ""
	return b.String(), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
