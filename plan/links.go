package plan

// NormalizeLinks gives every hard-link group the shape the formats
// take, whatever order its names came in. A tar names the file first and
// its other names after, but a link's name may sort before the file's:
// in the Plan, the group's first name in path order becomes the Regular
// entry, with the file's data, attributes, mode, owner and mtime, and
// every other name a Hardlink to it (chains of links are flattened).
// Each entry keeps its own Origin. Links that lead nowhere, to something
// other than a file, or round in a loop are left as they are, for
// Validate to report. Running it twice changes nothing.
func NormalizeLinks(p *Plan) {
	files := linkedFiles(p.Entries)
	groups := map[int][]int{} // a linked file's index -> its names, in Plan order
	for i, f := range files {
		if f >= 0 && f != i {
			groups[f] = nil
		}
	}
	for i, f := range files {
		if names, linked := groups[f]; linked {
			groups[f] = append(names, i)
		}
	}
	for f, names := range groups { // disjoint: the order of the map does not matter
		regroup(p.Entries, f, names)
	}
}

// regroup moves file f's content to names[0] and makes the other names
// hard links to it.
func regroup(es []Entry, f int, names []int) {
	file := es[f]
	first := &es[names[0]]
	file.Path, file.Origin = first.Path, first.Origin
	*first = file
	for _, i := range names[1:] {
		es[i] = Entry{Path: es[i].Path, Type: Hardlink, Link: file.Path, Mode: file.Mode,
			UID: file.UID, GID: file.GID, MTime: file.MTime, Origin: es[i].Origin}
	}
}

// linkedFiles returns, for each entry, the index of the Regular entry it
// is a name of (its own for a file), or -1: not a file, a link that
// leads nowhere or round in a loop, or a path that appeared before (a
// link names the first). Each chain of links is walked once.
func linkedFiles(es []Entry) []int {
	const unknown, walking = -2, -3
	index := make(map[string]int, len(es))
	for i := range es {
		if _, dup := index[es[i].Path]; !dup {
			index[es[i].Path] = i
		}
	}
	files := make([]int, len(es))
	for i := range files {
		files[i] = unknown
	}
	var chain []int
	for i := range es {
		if index[es[i].Path] != i {
			files[i] = -1
			continue
		}
		chain = chain[:0]
		file := -1
		for j := i; ; {
			if files[j] != unknown {
				if files[j] != walking { // else a loop
					file = files[j]
				}
				break
			}
			e := &es[j]
			if e.Type == Regular {
				file = j
				break
			}
			k, ok := index[e.Link]
			if e.Type != Hardlink || !ok {
				break
			}
			files[j] = walking
			chain = append(chain, j)
			j = k
		}
		if files[i] == unknown { // i was not a link: it ended the walk
			files[i] = file
		}
		for _, c := range chain {
			files[c] = file
		}
	}
	return files
}
