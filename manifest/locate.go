package manifest

import (
	"regexp"
	"strconv"
	"strings"
)

// locator maps key paths ("source.type", "file[1].mode") to the line where
// they are written. The TOML library keeps key positions private, so we
// scan the text ourselves; the scan only has to be good enough for error
// messages, and falls back to the nearest located parent key.
type locator map[string]int

func locate(text string) locator {
	loc := locator{}
	table := ""
	arrays := map[string]int{} // [[name]] header -> count so far
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "[["):
			name := keyText(strings.TrimSuffix(strings.TrimPrefix(line, "[["), "]]"))
			table = name + "[" + strconv.Itoa(arrays[name]) + "]"
			arrays[name]++
			loc.add(table, i+1)
		case strings.HasPrefix(line, "["):
			table = keyText(strings.TrimSuffix(strings.TrimPrefix(line, "["), "]"))
			loc.add(table, i+1)
		case line == "" || line[0] == '#':
		default:
			k, _, ok := strings.Cut(line, "=")
			if ok {
				loc.add(join(table, keyText(k)), i+1)
			}
		}
	}
	return loc
}

func (l locator) add(key string, line int) {
	if _, seen := l[key]; !seen {
		l[key] = line
	}
}

// line returns the line of key or of its nearest located parent.
func (l locator) line(key string) int {
	for key != "" {
		if n, ok := l[key]; ok {
			return n
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

// keyAt returns the key path located at line that the TOML library calls
// name (it leaves out array indexes: "file.uid" for "file[2].uid"), or "".
func (l locator) keyAt(line int, name string) string {
	for key, n := range l {
		if n == line && arrayIndex.ReplaceAllString(key, "") == name {
			return key
		}
	}
	return ""
}

var arrayIndex = regexp.MustCompile(`\[[0-9]+\]`)

// keyText normalises a written key: `a . "b"` -> `a.b`.
func keyText(s string) string {
	if i := strings.Index(s, "#"); i >= 0 && !strings.ContainsAny(s[:i], `"'`) {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

func join(table, key string) string {
	if table == "" {
		return key
	}
	return table + "." + key
}
