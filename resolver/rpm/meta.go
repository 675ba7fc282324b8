package rpm

import (
	"fmt"
	"io/fs"
	"strconv"

	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// capability is one entry of a Requires, Provides or Conflicts list.
type capability struct {
	name, op, version string
	flags             int64
}

// File flags and dependency sense bits (rpmfiles.h, rpmds.h).
const (
	fileConfig = 1 << 0
	fileGhost  = 1 << 6

	senseLess      = 1 << 1
	senseGreater   = 1 << 2
	senseEqual     = 1 << 3
	senseMissingOK = 1 << 19
	senseRPMLib    = 1 << 24
)

// file is one entry of a header's file list.
type file struct {
	path, user, group, link string
	mode, size, rdev, inode int64
	mtime                   int64
	flags                   int64
}

// meta is what the resolver and the emitters need from one header.
type meta struct {
	pkg       resolver.Package
	requires  []capability
	provides  []capability
	conflicts []capability
	files     []file
	source    bool // a source package: never a candidate
}

// readMeta extracts a package's metadata from its header.
func readMeta(h *header) (*meta, error) {
	m := &meta{source: h.has(tagSourcePackage)}
	var err error
	str := func(tag uint32) string {
		var s string
		if err == nil {
			s, err = h.str(tag)
		}
		return s
	}
	name, ver, rel, arch := str(tagName), str(tagVersion), str(tagRelease), str(tagArch)
	if err != nil {
		return nil, err
	}
	if name == "" || ver == "" {
		return nil, fmt.Errorf("header has no name or version")
	}
	epoch, err := h.ints(tagEpoch)
	if err != nil {
		return nil, err
	}
	evr := EVR{Version: ver, Release: rel}
	if len(epoch) > 0 {
		evr.Epoch = strconv.FormatInt(epoch[0], 10)
	}
	m.pkg = resolver.Package{Name: name, Version: evr.String(), Arch: arch}
	if m.requires, err = capabilities(h, tagRequireName, tagRequireFlags, tagRequireVersion); err != nil {
		return nil, err
	}
	if m.provides, err = capabilities(h, tagProvideName, tagProvideFlags, tagProvideVersion); err != nil {
		return nil, err
	}
	if m.conflicts, err = capabilities(h, tagConflictName, tagConflictFlags, tagConflictVersion); err != nil {
		return nil, err
	}
	m.files, err = files(h)
	return m, err
}

// capabilities zips a dependency list's three parallel arrays.
func capabilities(h *header, nameTag, flagsTag, versionTag uint32) ([]capability, error) {
	names, err := h.strings(nameTag)
	if err != nil || len(names) == 0 {
		return nil, err
	}
	flags, err := h.ints(flagsTag)
	if err != nil {
		return nil, err
	}
	versions, err := h.strings(versionTag)
	if err != nil {
		return nil, err
	}
	if len(flags) != len(names) || len(versions) != len(names) {
		return nil, fmt.Errorf("tag %d: %d names, %d flags, %d versions", nameTag, len(names), len(flags), len(versions))
	}
	out := make([]capability, len(names))
	for i, n := range names {
		out[i] = capability{name: n, flags: flags[i], version: versions[i], op: senseOp(flags[i])}
		if versions[i] == "" {
			out[i].op = ""
		}
	}
	return out, nil
}

func senseOp(flags int64) string {
	switch flags & (senseLess | senseGreater | senseEqual) {
	case senseLess:
		return "<"
	case senseLess | senseEqual:
		return "<="
	case senseEqual:
		return "="
	case senseGreater | senseEqual:
		return ">="
	case senseGreater:
		return ">"
	}
	return ""
}

// files reads the file list: compressed (dirnames, basenames, dirindexes)
// as rpm ≥ 4 writes it, or the older flat OLDFILENAMES.
func files(h *header) ([]file, error) {
	paths, err := filePaths(h)
	if err != nil || len(paths) == 0 {
		return nil, err
	}
	n := len(paths)
	ints := func(tags ...uint32) ([]int64, error) {
		for _, t := range tags {
			if v, err := h.ints(t); err != nil || v != nil {
				return v, err
			}
		}
		return make([]int64, n), nil // absent: zeros
	}
	strs := func(tag uint32) ([]string, error) {
		v, err := h.strings(tag)
		if v == nil && err == nil {
			v = make([]string, n)
		}
		return v, err
	}
	sizes, err1 := ints(tagLongFileSizes, tagFileSizes)
	modes, err2 := ints(tagFileModes)
	rdevs, err3 := ints(tagFileRdevs)
	mtimes, err4 := ints(tagFileMtimes)
	flags, err5 := ints(tagFileFlags)
	inodes, err6 := ints(tagFileInodes)
	links, err7 := strs(tagFileLinkTos)
	users, err8 := strs(tagFileUserName)
	groups, err9 := strs(tagFileGroupName)
	for _, err := range []error{err1, err2, err3, err4, err5, err6, err7, err8, err9} {
		if err != nil {
			return nil, err
		}
	}
	for _, l := range [][]int64{sizes, modes, rdevs, mtimes, flags, inodes} {
		if len(l) != n {
			return nil, fmt.Errorf("file list: %d paths but an attribute has %d values", n, len(l))
		}
	}
	for _, l := range [][]string{links, users, groups} {
		if len(l) != n {
			return nil, fmt.Errorf("file list: %d paths but an attribute has %d values", n, len(l))
		}
	}
	out := make([]file, n)
	for i := range out {
		out[i] = file{path: paths[i], user: users[i], group: groups[i], link: links[i],
			mode: modes[i], size: sizes[i], rdev: rdevs[i], inode: inodes[i], mtime: mtimes[i], flags: flags[i]}
	}
	return out, nil
}

func filePaths(h *header) ([]string, error) {
	if old, err := h.strings(tagOldFilenames); err != nil || old != nil {
		return old, err
	}
	base, err := h.strings(tagBaseNames)
	if err != nil || base == nil {
		return nil, err
	}
	dirs, err := h.strings(tagDirNames)
	if err != nil {
		return nil, err
	}
	idx, err := h.ints(tagDirIndexes)
	if err != nil {
		return nil, err
	}
	if len(idx) != len(base) {
		return nil, fmt.Errorf("file list: %d basenames, %d dir indexes", len(base), len(idx))
	}
	out := make([]string, len(base))
	for i, b := range base {
		if idx[i] < 0 || idx[i] >= int64(len(dirs)) {
			return nil, fmt.Errorf("file list: dir index %d out of range", idx[i])
		}
		out[i] = dirs[idx[i]] + b
	}
	return out, nil
}

// fileMode converts a unix st_mode to an fs.FileMode and plan.Type.
func fileMode(m int64) (plan.Type, fs.FileMode, error) {
	perm := fs.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		perm |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		perm |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		perm |= fs.ModeSticky
	}
	t, ok := map[int64]plan.Type{0o040000: plan.Dir, 0o100000: plan.Regular, 0o120000: plan.Symlink,
		0o020000: plan.CharDev, 0o060000: plan.BlockDev, 0o010000: plan.FIFO, 0o140000: plan.Socket}[m&0o170000]
	if !ok {
		return 0, 0, fmt.Errorf("unknown file type in mode %#o", m)
	}
	return t, perm, nil
}
