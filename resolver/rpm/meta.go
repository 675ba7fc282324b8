package rpm

import (
	"errors"
	"fmt"
	"strconv"

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
	sensePrereq    = 1 << 6
	senseMissingOK = 1 << 19
	senseRPMLib    = 1 << 24
)

// file is one entry of a header's file list.
type file struct {
	path, user, group, link string
	mode, size, rdev        int64
	dev, inode              int64 // hard links share both
	mtime                   int64
	flags                   int64
}

// meta is what the resolver and the emitters need from one header.
type meta struct {
	pkg       resolver.Package
	requires  []capability
	provides  []capability
	conflicts []capability
	obsoletes []capability // by name only, as libsolv matches them
	// Weak dependencies are not followed, but among the providers of a
	// require the ones a package recommends, then suggests, come first.
	recommends, suggests []capability
	files                []file
	license              string // the License tag, as the packager wrote it
	source               bool   // a source package: never a candidate
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
	m.license = str(tagLicense)
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
	for _, list := range []struct {
		dst                  *[]capability
		name, flags, version uint32
	}{
		{&m.conflicts, tagConflictName, tagConflictFlags, tagConflictVersion},
		{&m.obsoletes, tagObsoleteName, tagObsoleteFlags, tagObsoleteVersion},
		{&m.recommends, tagRecommendName, tagRecommendFlags, tagRecommendVersion},
		{&m.suggests, tagSuggestName, tagSuggestFlags, tagSuggestVersion},
	} {
		if *list.dst, err = capabilities(h, list.name, list.flags, list.version); err != nil {
			return nil, err
		}
	}
	m.files, err = files(h)
	return m, err
}

// capabilities zips a dependency list's three parallel arrays. Very old
// headers may lack the flags and versions: those are unversioned.
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
	if flags != nil && len(flags) != len(names) || versions != nil && len(versions) != len(names) {
		return nil, fmt.Errorf("tag %d: %d names, %d flags, %d versions", nameTag, len(names), len(flags), len(versions))
	}
	out := make([]capability, len(names))
	for i, n := range names {
		out[i].name = n
		if flags != nil {
			out[i].flags = flags[i]
		}
		if versions != nil && versions[i] != "" {
			out[i].version, out[i].op = versions[i], senseOp(out[i].flags)
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
	var errs []error
	ints := func(tags ...uint32) []int64 {
		for _, t := range tags {
			v, err := h.ints(t)
			if err == nil && v != nil && len(v) != n {
				err = fmt.Errorf("tag %d: %d values for %d files", t, len(v), n)
			}
			if err != nil || v != nil {
				errs = append(errs, err)
				return v
			}
		}
		return make([]int64, n) // absent: zeros
	}
	strs := func(tag uint32) []string {
		v, err := h.strings(tag)
		if err == nil && v != nil && len(v) != n {
			err = fmt.Errorf("tag %d: %d values for %d files", tag, len(v), n)
		}
		if v == nil || err != nil {
			errs, v = append(errs, err), make([]string, n)
		}
		return v
	}
	sizes, modes, rdevs, mtimes := ints(tagLongFileSizes, tagFileSizes), ints(tagFileModes), ints(tagFileRdevs), ints(tagFileMtimes)
	flags, devs, inodes := ints(tagFileFlags), ints(tagFileDevices), ints(tagFileInodes)
	links, users, groups := strs(tagFileLinkTos), strs(tagFileUserName), strs(tagFileGroupName)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("file list: %w", err)
	}
	out := make([]file, n)
	for i := range out {
		out[i] = file{path: paths[i], user: users[i], group: groups[i], link: links[i], mode: modes[i],
			size: sizes[i], rdev: rdevs[i], dev: devs[i], inode: inodes[i], mtime: mtimes[i], flags: flags[i]}
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
