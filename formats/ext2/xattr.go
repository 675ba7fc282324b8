package ext2

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/supermin-compile/supermin-compile/plan"
)

// Extended attributes live in one external block per inode (i_file_acl):
//
//	header (32 bytes): magic, refcount, blocks (1), hash, reserved
//	entries from offset 32, each 16 bytes + name padded to 4, sorted
//	4 zero bytes ending the entries
//	values packed downwards from the end of the block, padded to 4
//
// Inodes with identical attribute sets share a block, as the kernel does,
// up to the kernel's reference limit.

const (
	eaMagic     = 0xEA020000
	eaHeader    = 32
	eaEntryHead = 16
	eaRefMax    = 1024 // EXT4_XATTR_REFCOUNT_MAX
)

// eaBlock is one attribute block, possibly shared.
type eaBlock struct {
	data []byte // whole block; h_refcount is set when written
	refs uint32
	blk  uint32 // set by allocate

	written bool
}

// eaTable deduplicates attribute blocks by content.
type eaTable struct {
	bs     int
	shared map[[32]byte]*eaBlock // by SHA-256 of the block; lookups only, never iterated
}

func newEATable(bs int) eaTable { return eaTable{bs: bs, shared: map[[32]byte]*eaBlock{}} }

// add returns the block for xs and whether it is a new one.
func (t *eaTable) add(xs []plan.Xattr) (*eaBlock, bool, error) {
	data, err := encodeEA(xs, t.bs)
	if err != nil {
		return nil, false, err
	}
	key := sha256.Sum256(data)
	if b := t.shared[key]; b != nil && b.refs < eaRefMax {
		b.refs++
		return b, false, nil
	}
	b := &eaBlock{data: data, refs: 1}
	t.shared[key] = b
	return b, true, nil
}

// eaEntry is one attribute as stored: namespace index and name suffix.
type eaEntry struct {
	index uint8
	name  string
	value []byte
}

// Namespace prefixes; the ACL names are whole names stored with an empty
// suffix, so they must be matched before "system.".
var eaPrefixes = []struct {
	prefix string
	index  uint8
}{
	{"system.posix_acl_access", 2},
	{"system.posix_acl_default", 3},
	{"user.", 1},
	{"trusted.", 4},
	{"security.", 6},
}

// splitName maps a full attribute name to its on-disk index and suffix.
func splitName(name string) (uint8, string, error) {
	for _, p := range eaPrefixes {
		if p.index == 2 || p.index == 3 {
			if name == p.prefix {
				return p.index, "", nil
			}
			continue
		}
		if suffix, ok := strings.CutPrefix(name, p.prefix); ok {
			if suffix == "" || len(suffix) > maxNameLen {
				return 0, "", fmt.Errorf("xattr %q: name suffix must be 1 to %d bytes", name, maxNameLen)
			}
			return p.index, suffix, nil
		}
	}
	return 0, "", fmt.Errorf("xattr %q: namespace not supported (user., trusted., security., POSIX ACLs)", name)
}

// encodeEA builds the attribute block for xs.
func encodeEA(xs []plan.Xattr, bs int) ([]byte, error) {
	es, err := eaEntries(xs)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, bs)
	le := binary.LittleEndian
	le.PutUint32(buf[0:], eaMagic)
	le.PutUint32(buf[8:], 1) // h_blocks
	off, valEnd := eaHeader, bs
	var blockHash uint32
	unhashed := false // the kernel's rule: one unhashed entry unhashes the block
	for _, e := range es {
		entLen := pad4(eaEntryHead + len(e.name))
		valLen := pad4(len(e.value))
		if off+entLen+4 > valEnd-valLen {
			return nil, fmt.Errorf("xattrs take more than one %d-byte block", bs)
		}
		valEnd -= valLen
		copy(buf[valEnd:], e.value)
		ent := buf[off : off+entLen]
		ent[0], ent[1] = uint8(len(e.name)), e.index
		if len(e.value) > 0 {
			le.PutUint16(ent[2:], uint16(valEnd))
		}
		le.PutUint32(ent[8:], uint32(len(e.value)))
		copy(ent[eaEntryHead:], e.name)
		h := entryHash(e.name, buf[valEnd:valEnd+valLen])
		le.PutUint32(ent[12:], h)
		blockHash = rotHash(blockHash, h)
		unhashed = unhashed || h == 0
		off += entLen
	}
	if !unhashed {
		le.PutUint32(buf[12:], blockHash)
	}
	return buf, nil
}

// eaEntries converts and sorts attributes the way the kernel keeps them:
// by index, then name length, then name.
func eaEntries(xs []plan.Xattr) ([]eaEntry, error) {
	es := make([]eaEntry, 0, len(xs))
	for _, x := range xs {
		idx, suffix, err := splitName(x.Name)
		if err != nil {
			return nil, err
		}
		v := x.Value
		if idx == 2 || idx == 3 {
			if v, err = aclToDisk(v); err != nil {
				return nil, fmt.Errorf("xattr %s: %w", x.Name, err)
			}
		}
		es = append(es, eaEntry{idx, suffix, v})
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.index != b.index {
			return a.index < b.index
		}
		if len(a.name) != len(b.name) {
			return len(a.name) < len(b.name)
		}
		return a.name < b.name
	})
	for i := 1; i < len(es); i++ {
		if es[i].index == es[i-1].index && es[i].name == es[i-1].name {
			return nil, fmt.Errorf("xattr %q appears twice", xs[i].Name)
		}
	}
	return es, nil
}

func pad4(n int) int { return (n + 3) &^ 3 }

// entryHash is the per-entry hash e2fsck checks: the name bytes folded in
// with a 5-bit rotate, then the padded value as little-endian words with a
// 16-bit rotate.
func entryHash(name string, paddedValue []byte) uint32 {
	var h uint32
	for i := 0; i < len(name); i++ {
		h = h<<5 ^ h>>27 ^ uint32(name[i])
	}
	for i := 0; i+4 <= len(paddedValue); i += 4 {
		h = rotHash(h, binary.LittleEndian.Uint32(paddedValue[i:]))
	}
	return h
}

// rotHash folds v into h with a 16-bit rotate (values and the block hash).
func rotHash(h, v uint32) uint32 { return h<<16 ^ h>>16 ^ v }

// POSIX ACL tags; the object entries carry no id on disk.
const (
	aclUserObj  = 0x01
	aclUser     = 0x02
	aclGroupObj = 0x04
	aclGroup    = 0x08
	aclMask     = 0x10
	aclOther    = 0x20
)

// aclToDisk converts a POSIX ACL from the xattr API form (version 2, 8-byte
// entries) to the ext2 on-disk form (version 1, ids only where needed).
func aclToDisk(v []byte) ([]byte, error) {
	le := binary.LittleEndian
	if len(v) < 4 || (len(v)-4)%8 != 0 || le.Uint32(v) != 2 {
		return nil, fmt.Errorf("not a version 2 POSIX ACL (%d bytes)", len(v))
	}
	out := le.AppendUint32(nil, 1)
	for p := v[4:]; len(p) > 0; p = p[8:] {
		tag, perm, id := le.Uint16(p), le.Uint16(p[2:]), le.Uint32(p[4:])
		out = le.AppendUint16(le.AppendUint16(out, tag), perm)
		switch tag {
		case aclUser, aclGroup:
			out = le.AppendUint32(out, id)
		case aclUserObj, aclGroupObj, aclMask, aclOther:
		default:
			return nil, fmt.Errorf("unknown ACL tag %#x", tag)
		}
	}
	return out, nil
}
