package cpio

import (
	"bytes"
	"testing"
)

// TestOwnReader checks random plans against the independent expectation.
func TestOwnReader(t *testing.T) {
	for seed := range uint64(20) {
		p := randomPlan(t, seed, 150)
		var b bytes.Buffer
		if err := Write(&b, p, None); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		got, err := readNewc(b.Bytes())
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if err := compareMembers(got, expected(t, p)); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}
