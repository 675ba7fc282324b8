package resolver

// NameOrder numbers packages the way apt's cache generator gives them
// their IDs: in the order the source first names them. A paragraph names
// its own package first, then every package its relation fields mention,
// each of the paragraph's architecture unless qualified by another
// ("all" and ":native" mean the native one). apt prefers the provider
// with the highest ID when nothing else decides (see the Debian dialect's
// CompareProviders), so the Debian sources record FirstNamed from this.
type NameOrder struct {
	native string         // "" while unknown
	first  map[string]int // name, or "name:arch" for another arch, -> number from 1
	key    []byte         // scratch
}

// AptRelationFields are the fields whose names NameOrder wants, in the
// order apt parses them (debListParser::NewVersion).
var AptRelationFields = []string{"Pre-Depends", "Depends", "Conflicts", "Breaks", "Recommends",
	"Suggests", "Replaces", "Enhances", "Provides"}

// NewNameOrder numbers the packages of a source whose native architecture
// is native, or "" when it is not known before the source is read.
func NewNameOrder(native string) *NameOrder {
	return &NameOrder{native: native, first: make(map[string]int, 1<<16)}
}

// Paragraph records a package's paragraph: its name and architecture,
// then its AptRelationFields, in that order, as raw field values.
func (o *NameOrder) Paragraph(name, arch string, fields ...[]byte) {
	o.add(append(o.key[:0], name...), arch)
	for _, f := range fields {
		o.relations(f, arch)
	}
}

// relations records the names of a relation field. An alternative is
// "name[:qualifier] [(version)] [[archs]] [<profiles>]"; the name ends at
// the first blank or bracket. A ":any" qualifier names apt's own
// "name:any" package, which Of never asks about.
func (o *NameOrder) relations(field []byte, arch string) {
	for i := 0; i < len(field); {
		for i < len(field) && isBlank(field[i]) {
			i++
		}
		start, colon := i, -1
		for ; i < len(field) && !endsName(field[i]); i++ {
			if field[i] == ':' {
				colon = i
			}
		}
		switch {
		case i == start:
		case colon < 0:
			o.add(append(o.key[:0], field[start:i]...), arch)
		default:
			o.add(append(o.key[:0], field[start:colon]...), string(field[colon+1:i]))
		}
		for i < len(field) && field[i] != ',' && field[i] != '|' {
			i++ // the version and restrictions
		}
		i++
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func endsName(c byte) bool {
	return isBlank(c) || c == ',' || c == '|' || c == '(' || c == '[' || c == '<'
}

// add numbers the package name of arch if it is new; name is o.key.
func (o *NameOrder) add(name []byte, arch string) {
	if arch != o.native && arch != "all" && arch != "native" {
		name = append(append(name, ':'), arch...)
	}
	o.key = name
	if _, ok := o.first[string(name)]; !ok {
		o.first[string(name)] = len(o.first) + 1
	}
}

// Of returns the number of the package name of the native architecture;
// 0 when never named.
func (o *NameOrder) Of(name, native string) int {
	n := o.first[name]
	if native != o.native {
		if i, ok := o.first[name+":"+native]; ok && (n == 0 || i < n) {
			n = i
		}
	}
	return n
}
