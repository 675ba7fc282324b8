// Package deb exposes Debian binary packages that are not installed as a
// resolver.ArchiveUniverse: a directory of .deb files (source type
// "deb-dir", OpenDir) or apt Packages indexes with a pool of .deb files
// (source type "apt-index", OpenIndex).
//
// Opening reads metadata only: the control member of each .deb, or the
// index, streamed paragraph by paragraph. Package contents are read when a
// format asks for them, straight out of each archive's data.tar member,
// never unpacked to disk and never held whole in memory: internal/members
// keeps decompression streams positioned between reads and reads ahead the
// members about to be needed, so that an appliance costs about one
// decompression of each archive to list it and one to copy it.
//
// Beyond resolver.ArchiveUniverse, a Universe offers what emit looks for:
// EssentialNames (for `[source] essential = true`), Missing (every absent
// .deb at once), CheckConflicts (Conflicts and Breaks within a closure)
// and Digest (for lock files).
//
// A .deb is an ar archive of debian-binary (format 2.x), control.tar and
// data.tar, each tar uncompressed or compressed with gzip, xz, zstd,
// bzip2 (data only) or lzma (data only). Compression is recognised by its
// magic number, so a mislabelled member still reads.
package deb
