// Package deb exposes Debian binary packages that are not installed as a
// resolver.ArchiveUniverse: a directory of .deb files (source type
// "deb-dir", OpenDir) or apt Packages indexes with a pool of .deb files
// (source type "apt-index", OpenIndex).
//
// Opening reads metadata only: the control member of each .deb, or the
// indexes, streamed paragraph by paragraph; an indexed package's .deb is
// found in the pool, and checked against the index's Size and SHA256,
// when it is first read. Listing a package (Entries, Files) decompresses
// its data.tar once, as a stream, never unpacking it into a tree nor
// holding a member whole in memory. After KeepContents (a build does
// this), listing also copies every member's bytes into internal/members'
// spool, one unlinked temporary file, from which the formats read them:
// an appliance costs one decompression of each archive.
//
// Beyond resolver.ArchiveUniverse, a Universe has the capabilities that
// resolver names: EssentialLister (for `[source] essential = true`),
// ArchiveChecker (every absent .deb at once), ConflictChecker (Conflicts
// and Breaks within a closure), Digester (for lock files) and
// ContentKeeper (the spool).
//
// A .deb is an ar archive of debian-binary (format 2.x), control.tar and
// data.tar, each tar uncompressed or compressed with gzip, xz, zstd,
// bzip2 (data only) or lzma (data only). Compression is recognised by its
// magic number, so a mislabelled member still reads.
package deb
