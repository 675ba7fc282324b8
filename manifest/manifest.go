// Package manifest reads appliance.toml (schema version 1) into a Manifest:
// strict (unknown keys, wrong types and bad values are errors naming the
// file, line and key), with relative paths resolved against the manifest's
// directory and defaults filled in. FromSuperminD reads supermin 5's
// inputs (a supermin.d) into a Manifest instead. It reads nothing of the
// host but the files it is given.
package manifest

import (
	"io/fs"
)

// Manifest is a validated appliance description.
type Manifest struct {
	Path string // the manifest file ("" when built from a supermin.d)
	Dir  string // its directory, against which relative paths were resolved

	Packages         []string
	OptionalPackages []string
	ExcludePackages  []string
	Hostfiles        []string // absolute globs
	Excludefiles     []string // absolute globs
	Base             []string // tarball paths, unpacked in order
	Files            []File   // inline files, in manifest order

	Format Format
	Output string // absolute path of the output directory
	Size   int64  // ext2 image size in bytes
	// Reproducible makes the output depend on the inputs only: timestamps
	// clamped (to SOURCE_DATE_EPOCH, or 1970), UUID from the manifest.
	Reproducible bool
	// Compression of the cpio archive: "" (none), "gzip", "xz" or "zstd".
	Compression string
	Source      Source
	Kernel      Kernel
	// SkipUnreadable (`unreadable = "skip"`) leaves out, with a warning
	// each, host files the build may not read and directories it may not
	// list; otherwise they stop the build with one error naming them all.
	SkipUnreadable bool

	// Supermin marks a Manifest read from supermin 5 inputs: excludefiles
	// are fnmatch(3) patterns ("*" crosses "/") applied to package files
	// only, and configuration files of packages (regular files under /etc)
	// come from the base tarballs, not from the host.
	Supermin bool
}

// Format is an output format.
type Format string

const (
	Ext2   Format = "ext2"
	Cpio   Format = "cpio"
	Chroot Format = "chroot"
)

// Source says where packages come from.
type Source struct {
	Type      string   // dpkg, rpmdb, pacman, deb-dir, rpm-dir, pkg-dir, apt-index, apt, rpm-md; "" = detect from the host
	Root      string   // root of the installed system ("/" by default); apt, rpm-md: whose configuration
	Path      string   // directory of package files (deb-dir, rpm-dir, pkg-dir, apt-index)
	Indexes   []string // Packages files (apt-index)
	Arch      string   // "" = the host's
	Essential bool     // include Essential: yes packages (apt-index, deb-dir, apt)
	// Repositories (apt, rpm-md) replace the host's configuration.
	Repositories []Repository
	CacheDir     string // where downloads are kept; "" = $XDG_CACHE_HOME/supermin-compile
	Offline      bool   // use only what the cache holds (--offline; not a manifest key)
}

// Repository is a package repository a manifest names itself, so that a
// checked-in manifest does not depend on the runner's configuration.
type Repository struct {
	URL           string   // apt: the archive root; rpm-md: the baseurl
	Suite         string   // apt: bookworm, or a flat repository's directory ending in "/"
	Components    []string // apt: main, contrib, ...
	Architectures []string // apt: default the source's architecture (and all)
	Keyring       string   // apt: the OpenPGP keys the Release must be signed with; rpm-md: gpgkey
	GPGCheck      bool     // rpm-md: check each package's signature
	RepoGPGCheck  bool     // rpm-md: check repomd.xml's signature
	Trusted       bool     // apt: a repository without signatures (apt's trusted=yes); rpm-md: neither gpgcheck nor repo_gpgcheck; hashes are still checked
}

// SourceTypes lists the valid Source.Type values.
var SourceTypes = []string{"dpkg", "rpmdb", "pacman", "deb-dir", "rpm-dir", "pkg-dir", "apt-index", "apt", "rpm-md"}

// Kernel says which kernel boots the appliance (used by the boot stage).
type Kernel struct {
	Disabled   bool   // `kernel = false`: build the root image only
	Path       string // kernel image; "" = search the host
	Version    string // "" = from the file name or the bzImage header
	ModulesDir string // "" = /lib/modules/VERSION
	Copy       bool   // copy the kernel into the output (else symlink)
	// RootModules puts the modules directory into the root image as
	// /lib/modules/VERSION (default true; libguestfs needs it).
	RootModules bool
	Modules     []string // globs of module names for the mini initrd
	HostCPU     string   // CPU to find a kernel for ("" = this host's); supermin --host-cpu
}

// DefaultModules is supermin's list of modules for the mini initrd;
// "!NAME" removes a module the earlier globs matched.
var DefaultModules = []string{"ext2", "ext4", "virtio*", "!virtio-gpu", "libata*", "piix*",
	"sd_mod", "ata_piix", "crc*", "libcrc*", "libnvdimm", "nd_pmem", "nd_btt",
	"nfit", "ibmvscsi*"}

// File is an inline file: exactly one of Content, Source, Symlink or Dir.
type File struct {
	Path     string
	Mode     fs.FileMode // permission bits plus setuid/setgid/sticky
	UID, GID uint32
	Content  []byte
	Source   string // absolute path of a file whose bytes are used
	Symlink  string // symlink target
	Dir      bool
}

// UnreadableValues lists the valid values of the `unreadable` key.
var UnreadableValues = []string{"error", "skip"}

// Compressions lists the valid Compression values.
var Compressions = []string{"none", "gzip", "xz", "zstd"}

// DefaultSize is supermin's default ext2 image size.
const DefaultSize = 4 << 30
