package planner

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sync"

	"github.com/supermin-compile/supermin-compile/plan"
)

// Sums are a file's SHA-1 and SHA-256, in hex.
type Sums struct{ SHA1, SHA256 string }

// sumCache remembers Sums per path: `build --locked --sbom` needs the
// host files' digests twice, once to check the lock and once for the SBOM.
// (Paths, not Sources, are the keys: an in-memory Source is a slice.)
type sumCache struct {
	mu   sync.Mutex
	sums map[string]Sums
}

// Sums returns the checksums of a regular file of the Plan, reading it
// only the first time.
func (r *Result) Sums(e *plan.Entry) (Sums, error) {
	c := &r.sums
	c.mu.Lock()
	s, ok := c.sums[e.Path]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := sums(e.Src)
	if err != nil {
		return s, err
	}
	c.mu.Lock()
	if c.sums == nil {
		c.sums = map[string]Sums{}
	}
	c.sums[e.Path] = s
	c.mu.Unlock()
	return s, nil
}

func sums(src plan.Source) (Sums, error) {
	r, err := src.Open()
	if err != nil {
		return Sums{}, err
	}
	defer r.Close()
	h1, h256 := sha1.New(), sha256.New()
	if _, err := io.Copy(io.MultiWriter(h1, h256), r); err != nil {
		return Sums{}, err
	}
	return Sums{hex.EncodeToString(h1.Sum(nil)), hex.EncodeToString(h256.Sum(nil))}, nil
}
