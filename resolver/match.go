package resolver

import (
	"pault.ag/go/debian/dependency"
	"pault.ag/go/debian/version"
)

// archMatcher decides arch qualifiers. Every candidate is native or "all",
// and dpkg treats "all" as native, so a qualifier either matches every
// candidate or none.
type archMatcher struct {
	native dependency.Arch
}

var (
	qualAny    = mustArch("any")
	qualAll    = mustArch("all")
	qualNative = mustArch("native")
)

func mustArch(s string) dependency.Arch {
	a, err := dependency.ParseArch(s)
	if err != nil {
		panic(err)
	}
	return *a
}

func (m archMatcher) ok(q *dependency.Arch) bool {
	if q == nil {
		return true
	}
	switch *q {
	case qualAny, qualAll, qualNative, m.native:
		return true
	}
	return false
}

// versionOK reports whether have satisfies "(op want)"; op "" always does.
func versionOK(op string, want, have version.Version) bool {
	c := version.Compare(have, want)
	switch op {
	case "":
		return true
	case "<<":
		return c < 0
	case "<=":
		return c <= 0
	case "=":
		return c == 0
	case ">=":
		return c >= 0
	case ">>":
		return c > 0
	}
	return false
}
