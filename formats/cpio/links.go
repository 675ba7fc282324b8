package cpio

import (
	"github.com/supermin-compile/supermin-compile/plan"
)

// linkGroups gives every name of a regular file its inode's ino, nlink
// and metadata, and puts the data on the group's LAST name: GNU cpio -i
// defers size-0 names of a multiply linked newc inode until the member
// with data arrives, and the kernel opens later names without O_TRUNC,
// so both end up with the content on every name. Validate made every
// hard link name an earlier regular file.
func linkGroups(p *plan.Plan, ms []member, index map[string]int) {
	file := make([]int, len(p.Entries)) // index of the Regular entry, or -1
	count := map[int]uint64{}
	last := map[int]int{}
	for i := range p.Entries {
		switch e := &p.Entries[i]; e.Type {
		case plan.Regular:
			file[i] = i
		case plan.Hardlink:
			file[i] = index[e.Link]
		default:
			file[i] = -1
			continue
		}
		count[file[i]]++
		last[file[i]] = i
	}
	for i, r := range file {
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
}
