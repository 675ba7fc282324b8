package cpio

import (
	"fmt"

	"github.com/supermin-compile/supermin-compile/plan"
)

// linkGroups gives every name of a regular file its inode's ino, nlink
// and metadata, and puts the data on the group's LAST name: GNU cpio -i
// defers size-0 names of a multiply linked newc inode until the member
// with data arrives, and the kernel opens later names without O_TRUNC,
// so both end up with the content on every name.
func linkGroups(p *plan.Plan, ms []member, index map[string]int) error {
	root := make([]int, len(p.Entries)) // index of the Regular entry
	count := map[int]uint64{}
	last := map[int]int{}
	for i := range p.Entries {
		r, err := linkRoot(p, index, i)
		if err != nil {
			return err
		}
		root[i] = r
		if r >= 0 {
			count[r]++
			last[r] = i
		}
	}
	for i, r := range root {
		if r < 0 {
			continue
		}
		name := ms[i].hdr.name
		ms[i].hdr = ms[r].hdr
		ms[i].hdr.name, ms[i].hdr.nlink, ms[i].hdr.filesize = name, count[r], 0
		if last[r] == i {
			ms[i].hdr.filesize = uint64(p.Entries[r].Size)
			ms[i].data = &p.Entries[r]
		}
	}
	return nil
}

// linkRoot returns the Regular entry that entry i names, or -1 for
// entries that are not files. Chains of hard links are followed.
func linkRoot(p *plan.Plan, index map[string]int, i int) (int, error) {
	for j := i; ; {
		switch e := &p.Entries[j]; e.Type {
		case plan.Regular:
			return j, nil
		case plan.Hardlink:
			k, ok := index[e.Link]
			if !ok || k >= j {
				return 0, fmt.Errorf("cpio: %s: hard link target %q is not an earlier entry", p.Entries[i].Path, e.Link)
			}
			j = k
		default:
			if j != i {
				return 0, fmt.Errorf("cpio: %s: hard link target %q is a %v, not a file", p.Entries[i].Path, p.Entries[i].Link, e.Type)
			}
			return -1, nil
		}
	}
}
