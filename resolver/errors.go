package resolver

import (
	"fmt"
	"strings"
)

// UnknownPackage is one requested package that the universe lacks.
type UnknownPackage struct {
	Name        string   // as requested, qualifier included
	Suggestions []string // up to 3 close names, closest first
}

// NotFoundError lists every required package that does not exist, so a
// user fixes a manifest in one round instead of one name per run.
type NotFoundError struct {
	Unknown []UnknownPackage
}

func (e *NotFoundError) Error() string {
	parts := make([]string, len(e.Unknown))
	for i, m := range e.Unknown {
		parts[i] = fmt.Sprintf("package %q is not installed", m.Name)
		if len(m.Suggestions) > 0 {
			parts[i] += " (did you mean " + strings.Join(m.Suggestions, ", ") + "?)"
		}
	}
	return strings.Join(parts, "; ")
}
