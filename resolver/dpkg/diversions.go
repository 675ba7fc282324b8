package dpkg

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// diversion says where a path is moved to, and by whom.
type diversion struct {
	to string
	by string // diverting package, ":" for a local diversion
}

// readDiversions parses dpkg's diversions file: triplets of lines "from",
// "to", "package". A missing file means no diversions.
func readDiversions(path string) (map[string]diversion, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]diversion{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading diversions: %w", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(lines)%3 != 0 {
		return nil, fmt.Errorf("reading %s: %d lines, not triplets", path, len(lines))
	}
	div := make(map[string]diversion, len(lines)/3)
	for i := 0; i < len(lines); i += 3 {
		div[lines[i]] = diversion{to: lines[i+1], by: lines[i+2]}
	}
	return div, nil
}

// divert returns where path ends up when shipped by pkg: diversions move
// every package's copy except the diverting package's own.
func (db *Database) divert(path, pkg string) string {
	if d, ok := db.diversions[path]; ok && d.by != pkg {
		return d.to
	}
	return path
}
