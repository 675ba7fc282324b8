package plan

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"

	"golang.org/x/sys/unix"
)

// Perm returns the mode as the four octal digits ls and stat print
// (setuid 4000, setgid 2000, sticky 1000).
func (e *Entry) Perm() uint32 {
	m := uint32(e.Mode.Perm())
	if e.Mode&fs.ModeSetuid != 0 {
		m |= 0o4000
	}
	if e.Mode&fs.ModeSetgid != 0 {
		m |= 0o2000
	}
	if e.Mode&fs.ModeSticky != 0 {
		m |= 0o1000
	}
	return m
}

// WriteList prints one line per entry, in Plan order:
//
//	TYPE MODE UID:GID SIZE PATH[ -> TARGET]<TAB>ORIGIN
//
// Devices print major,minor in place of the size. The format is stable:
// CI jobs diff it.
func WriteList(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	for i := range p.Entries {
		e := &p.Entries[i]
		size := fmt.Sprint(e.Size)
		if e.Type == CharDev || e.Type == BlockDev {
			size = fmt.Sprintf("%d,%d", unix.Major(e.Rdev), unix.Minor(e.Rdev))
		}
		link := ""
		if e.Link != "" {
			link = " -> " + e.Link
		}
		fmt.Fprintf(bw, "%-8s %04o %d:%d %s %s%s\t%s\n", e.Type, e.Perm(), e.UID, e.GID, size, e.Path, link, e.Origin)
	}
	return bw.Flush()
}

// ListEntry is the JSON form of an Entry.
type ListEntry struct {
	Path   string `json:"path"`
	Type   string `json:"type"`
	Mode   string `json:"mode"`
	UID    uint32 `json:"uid"`
	GID    uint32 `json:"gid"`
	Size   int64  `json:"size"`
	Link   string `json:"link,omitempty"`
	Major  uint32 `json:"major,omitempty"`
	Minor  uint32 `json:"minor,omitempty"`
	Origin string `json:"origin"`
}

// WriteJSON prints the Plan as a JSON array of ListEntry, one per line.
func WriteJSON(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	for i := range p.Entries {
		e := &p.Entries[i]
		le := ListEntry{Path: e.Path, Type: e.Type.String(), Mode: fmt.Sprintf("%04o", e.Perm()),
			UID: e.UID, GID: e.GID, Size: e.Size, Link: e.Link, Origin: e.Origin}
		if e.Type == CharDev || e.Type == BlockDev {
			le.Major, le.Minor = unix.Major(e.Rdev), unix.Minor(e.Rdev)
		}
		b, err := json.Marshal(le)
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		bw.Write(b)
	}
	bw.WriteString("\n]\n")
	return bw.Flush()
}
