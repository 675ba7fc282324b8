package globber

// node is a state of the pattern trie. The trie is read like an NFA: a
// path prefix "is at" a set of nodes, and each further name moves it along
// the edges that match that name.
type node struct {
	lit  map[string]*node // exact-name edges
	wild []wildEdge       // single-name wildcard edges
	star *node            // edge taken by a ** segment, without consuming a name
	loop bool             // reached by **: consumes any further non-dot name
	term int              // lowest pattern index ending here, -1 if none
}

type wildEdge struct {
	key  string
	m    *wildcard
	next *node
}

func newNode() *node { return &node{term: -1} }

// insert adds one alternative of pattern number idx below n.
func (n *node) insert(segs []seg, idx int) {
	for _, s := range segs {
		n = n.child(s)
	}
	if n.term < 0 || idx < n.term {
		n.term = idx
	}
}

// child returns the node behind s, sharing edges between equal segments.
func (n *node) child(s seg) *node {
	switch s.kind {
	case segLit:
		if n.lit == nil {
			n.lit = make(map[string]*node)
		}
		if c := n.lit[s.key]; c != nil {
			return c
		}
		c := newNode()
		n.lit[s.key] = c
		return c
	case segStar:
		if n.star == nil {
			n.star = newNode()
			n.star.loop = true
		}
		return n.star
	}
	for _, e := range n.wild {
		if e.key == s.key {
			return e.next
		}
	}
	c := newNode()
	n.wild = append(n.wild, wildEdge{key: s.key, m: s.wild, next: c})
	return c
}

// hasEdges reports whether anything can match below n.
func (n *node) hasEdges() bool {
	return len(n.lit) > 0 || len(n.wild) > 0 || n.star != nil || n.loop
}

// addClosed adds n to the state set, plus the ** nodes reachable from it
// without consuming a name (** matches zero names). A node already present
// has its closure present too.
func addClosed(set []*node, n *node) []*node {
	for ; n != nil; n = n.star {
		for _, m := range set {
			if m == n {
				return set
			}
		}
		set = append(set, n)
	}
	return set
}

// advance appends to dst the states reached from set by the name. With
// litOnly, only exact-name edges are taken (used for symlinks, which only
// literal segments follow).
func advance(dst, set []*node, name string, litOnly bool) []*node {
	dot := name[0] == '.'
	for _, n := range set {
		if c := n.lit[name]; c != nil {
			dst = addClosed(dst, c)
		}
		if litOnly {
			continue
		}
		for i := range n.wild {
			if e := &n.wild[i]; e.m.match(name) {
				dst = addClosed(dst, e.next)
			}
		}
		if n.loop && !dot {
			dst = addClosed(dst, n)
		}
	}
	return dst
}

// terminal returns the lowest pattern index ending in set, or -1.
func terminal(set []*node) int {
	best := -1
	for _, n := range set {
		if n.term >= 0 && (best < 0 || n.term < best) {
			best = n.term
		}
	}
	return best
}

// anyEdges reports whether any state in set can match further names.
func anyEdges(set []*node) bool {
	for _, n := range set {
		if n.hasEdges() {
			return true
		}
	}
	return false
}

// runMatch runs the trie over the names of an absolute path. With
// prefixes, it reports a match as soon as the path or any ancestor matches.
func runMatch(root *node, path string, prefixes bool) bool {
	if path == "" || path[0] != '/' {
		return false
	}
	var bufA, bufB [16]*node
	set, spare := addClosed(bufA[:0], root), bufB[:0]
	for rest := path[1:]; rest != ""; {
		if prefixes && terminal(set) >= 0 {
			return true
		}
		var name string
		name, rest = cutName(rest)
		if name == "" {
			continue // tolerate "//" and a trailing "/"
		}
		next := advance(spare, set, name, false)
		if len(next) == 0 {
			return false
		}
		set, spare = next, set[:0]
	}
	return terminal(set) >= 0
}

// cutName splits "a/b/c" into "a" and "b/c".
func cutName(s string) (string, string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}
