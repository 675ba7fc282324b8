package plan

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// Perm returns the mode as the four octal digits ls and stat print
// (setuid 4000, setgid 2000, sticky 1000).
func (e *Entry) Perm() uint32 { return UnixPerm(e.Mode) }

// WriteList prints one line per entry, in Plan order:
//
//	TYPE MODE UID:GID SIZE PATH[ -> TARGET]<TAB>ORIGIN
//
// Devices print major,minor in place of the size. PATH, TARGET and ORIGIN
// are escaped (see Escape and EscapePath), so every entry is one line
// whatever its names. The format is stable: CI jobs diff it.
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
			link = " -> " + Escape(e.Link)
		}
		fmt.Fprintf(bw, "%-8s %04o %d:%d %s %s%s\t%s\n", e.Type, e.Perm(), e.UID, e.GID, size,
			EscapePath(e.Path), link, Escape(e.Origin.String()))
	}
	return bw.Flush()
}

// ListEntry is the JSON form of an Entry. Its strings hold a name's exact
// bytes. JSON strings are UTF-8, so a name that is not valid UTF-8 is
// written twice: in "path" (or "link", "origin") with U+FFFD for each bad
// byte, for reading, and in "path_b64" ("link_b64", "origin_b64"), base64
// of the exact bytes, which UnmarshalJSON prefers.
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

// listEntry is ListEntry without its methods, so that listJSON can embed
// it; the byte fields come last, so UTF-8 entries print as they always did.
type listEntry ListEntry

type listJSON struct {
	listEntry
	PathB64   []byte `json:"path_b64,omitempty"`
	LinkB64   []byte `json:"link_b64,omitempty"`
	OriginB64 []byte `json:"origin_b64,omitempty"`
}

func (e ListEntry) MarshalJSON() ([]byte, error) {
	return json.Marshal(listJSON{listEntry(e), nonUTF8(e.Path), nonUTF8(e.Link), nonUTF8(e.Origin)})
}

func (e *ListEntry) UnmarshalJSON(data []byte) error {
	var j listJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*e = ListEntry(j.listEntry)
	for _, f := range []struct {
		s     *string
		exact []byte
	}{{&e.Path, j.PathB64}, {&e.Link, j.LinkB64}, {&e.Origin, j.OriginB64}} {
		if f.exact != nil {
			*f.s = string(f.exact)
		}
	}
	return nil
}

// nonUTF8 returns the bytes of s when JSON cannot carry it as a string.
func nonUTF8(s string) []byte {
	if utf8.ValidString(s) {
		return nil
	}
	return []byte(s)
}

// WriteJSON prints the Plan as a JSON array of ListEntry, one per line.
func WriteJSON(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	for i := range p.Entries {
		e := &p.Entries[i]
		le := ListEntry{Path: e.Path, Type: e.Type.String(), Mode: fmt.Sprintf("%04o", e.Perm()),
			UID: e.UID, GID: e.GID, Size: e.Size, Link: e.Link, Origin: e.Origin.String()}
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
