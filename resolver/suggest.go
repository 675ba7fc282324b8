package resolver

import (
	"slices"
	"strings"
)

const maxSuggestions = 3

// suggest returns up to three known names close to query: within a small
// edit distance (scaled with its length), or sharing a prefix of at least
// three characters with one being a prefix of the other
// ("python3" -> "python3-minimal"). Closest first, then alphabetical.
func suggest(query string, known []string) []string {
	limit := min(max((len(query)+2)/3, 1), 3)
	type scored struct {
		name string
		dist int
	}
	var hits []scored
	for _, name := range known {
		if name == query {
			continue
		}
		if prefixRelated(query, name) {
			hits = append(hits, scored{name, levenshtein(query, name)})
			continue
		}
		if abs(len(name)-len(query)) > limit {
			continue // cannot be within the limit; skips most of a big universe
		}
		if d := levenshtein(query, name); d <= limit {
			hits = append(hits, scored{name, d})
		}
	}
	slices.SortFunc(hits, func(a, b scored) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return strings.Compare(a.name, b.name)
	})
	var out []string
	for _, h := range hits[:min(len(hits), maxSuggestions)] {
		out = append(out, h.name)
	}
	return out
}

func prefixRelated(a, b string) bool {
	if min(len(a), len(b)) < 3 {
		return false
	}
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// levenshtein is the byte-wise edit distance; package names are ASCII.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
