// Package builder writes a Plan as an output directory: an ext2 image
// with a kernel and an initrd, a cpio archive or a chroot.
//
// A build checks that it owns the output, writes into a staging sibling
// held by an flock, and swaps the result in atomically with its
// fingerprint, so that --if-newer can skip a build whose inputs did not
// change. It also writes the supermin.d of supermin --prepare. What goes
// into the Plan is the planner package's business.
package builder
