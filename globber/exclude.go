package globber

// Excluder matches exclude globs against paths. It is immutable and safe
// for concurrent use.
type Excluder struct {
	root *node
	none bool
}

// NewExcluder merges the patterns into one trie, so the cost of Excluded
// depends on the depth of the path, hardly on the number of patterns.
func NewExcluder(patterns []*Pattern) *Excluder {
	e := &Excluder{root: newNode(), none: true}
	for _, p := range patterns {
		if p == nil {
			continue
		}
		for _, alt := range p.alts {
			e.root.insert(alt, 0)
			e.none = false
		}
	}
	return e
}

// Excluded reports whether the absolute, clean path or any of its ancestor
// directories matches a pattern: a matched directory excludes its subtree.
func (e *Excluder) Excluded(path string) bool {
	if e == nil || e.none {
		return false
	}
	return runMatch(e.root, path, true)
}
