package planner

import (
	"crypto/sha256"
	"os"
	"strconv"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/smallfile"
	"github.com/supermin-compile/supermin-compile/manifest"
)

// Clock is a build's time facts, worked out once from the manifest and
// the environment and passed down to everything that dates or numbers the
// output.
type Clock struct {
	// Epoch dates what the inputs do not date (inline files, synthesised
	// directories, the initrd): the reproducible time when there is one,
	// else the manifest's mtime.
	Epoch time.Time
	// Reproducible says that every timestamp is clamped to Epoch and that
	// the ext2 image takes UUID: SOURCE_DATE_EPOCH is set, or the manifest
	// says `reproducible = true` (Epoch is then 1970 without the variable).
	Reproducible bool
	UUID         [16]byte // derived from the manifest's bytes
}

// ClockFor works out the clock of a build of m.
func ClockFor(m *manifest.Manifest) Clock {
	if t, ok := SourceDateEpoch(); ok {
		return Clock{Epoch: t, Reproducible: true, UUID: manifestUUID(m)}
	}
	if m.Reproducible {
		return Clock{Epoch: time.Unix(0, 0).UTC(), Reproducible: true, UUID: manifestUUID(m)}
	}
	c := Clock{Epoch: time.Unix(0, 0).UTC()}
	if fi, err := os.Stat(m.Path); err == nil {
		c.Epoch = fi.ModTime().UTC()
	}
	return c
}

// SourceDateEpoch reads SOURCE_DATE_EPOCH (reproducible-builds.org).
func SourceDateEpoch() (time.Time, bool) {
	n, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// manifestUUID derives a filesystem UUID from the manifest's bytes, so
// that reproducible builds get the same image.
func manifestUUID(m *manifest.Manifest) [16]byte {
	text, _ := smallfile.Read(m.Path, manifest.MaxSize)
	sum := sha256.Sum256(text)
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x40 // version 4 layout, as random UUIDs
	u[8] = u[8]&0x3f | 0x80
	return u
}
