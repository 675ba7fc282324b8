// Package globber expands absolute host-file globs, all the patterns of a
// manifest together, in one walk of the file system.
//
// # Pattern syntax
//
// A pattern is an absolute path (it starts with "/") whose "/"-separated
// segments may contain wildcards:
//
//   - "*" matches any run of characters within one segment, never "/".
//   - "?" matches exactly one character, never "/". Characters are UTF-8
//     sequences; a byte that is not valid UTF-8 counts as one character.
//   - "[...]" matches one character of a class: single characters and
//     ranges such as "a-z". "[!...]" and "[^...]" negate the class. A "]"
//     right after "[", "[!" or "[^" is a member, not the end; a "-" first
//     or last is a member; a backslash escapes inside a class too. A class
//     never matches "/". A reversed range such as "z-a" is an error.
//   - "**" as a whole segment matches zero or more whole segments:
//     "/usr/**/*.so" matches /usr/a.so and /usr/lib/x/a.so. At the end of
//     a pattern it matches one or more segments: "/etc/**" matches every
//     path below /etc, but not /etc itself. "**" inside a longer segment,
//     as in "a**b", is the same as "*". Consecutive "**" segments act as one.
//   - "{a,b,...}" is alternation. Branches may be empty, contain "/" and
//     nest: "/usr/{lib,share/doc}/x*". Braces are expanded textually, before
//     anything else, into at most 1024 alternatives; "{a}" is "a" and
//     "{a,}" is "a" or "". A "," or "}" outside braces is literal.
//   - "\" makes the next character literal ("\*", "\[", "\{", "\\"). An
//     escaped "/" is still a separator.
//
// Dotfiles: a name that starts with "." is matched only by a segment that
// starts with a literal (possibly escaped) "."; "*", "?", "[.]" and "**"
// never match a leading dot, so "/etc/**" does not reach /etc/.git or
// anything below it. This is glob(3) without GLOB_PERIOD, and bash without
// dotglob.
//
// Normalisation: empty segments are dropped, so "/a//b" is "/a/b" and a
// trailing "/" is ignored (it does not restrict matches to directories).
// The pattern "/" matches only the root. Compile rejects, with the byte
// offset where it applies, an empty pattern, a relative pattern, an
// unclosed "[" or "{", a trailing "\", a reversed range, a segment that
// is exactly "." or "..", and braces with too many alternatives.
//
// Pattern.Match is purely textual: it takes an absolute, clean path and
// never looks at the file system.
//
// # Expansion
//
// Expand walks an FS once for a whole set of patterns and returns the
// matching paths in byte-wise order (so parents come before children),
// each path once, with the index of the first pattern that matched it.
// A pattern that matches nothing is not an error.
//
// Walking starts at the longest literal prefixes: literal segments are
// checked with Lstat, or in a directory listing that was read anyway, and
// a directory is listed only when a wildcard needs its entries, at most
// once per Expand call however many patterns touch it.
//
// Symlinks are never followed by "*", "?", classes or "**": a symlink
// that such a segment matches can be a match itself but is not descended
// into, so "**" never crosses a symlink and symlink loops are harmless. A
// symlink named by a literal segment that is not the last one is followed,
// as the kernel, glob(3) and bash do: on a merged-/usr system
// "/lib/modules/*" lists /usr/lib/modules but reports /lib/modules/...
// paths, as written. When the FS implements ReadLinkFS (OSFS does), the
// walker resolves such links itself, inside the FS, so absolute targets
// stay under the FS root. A symlink that matches the whole pattern is
// returned as itself, whether or not its target exists.
//
// Paths that do not exist, are not directories or loop (ENOENT, ENOTDIR,
// ELOOP) are silently skipped; any other error, such as EACCES on a
// directory that must be listed, stops the walk and is returned wrapped
// with the path. ExpandReadable instead goes on past permission errors
// (a directory it may not list, a path below one it may not search) and
// returns them with the matches, so that a caller can report them all.
//
// # Exclusion
//
// An Excluder matches a path if the path or any of its ancestors matches
// one of its patterns, so excluding a directory excludes its subtree.
//
// # supermin's patterns
//
// For the supermin drop-in, FromGlob3 rewrites a supermin hostfiles line
// (a glob(3) pattern) into this syntax, and Fnmatch matches excludefiles
// as supermin's fnmatch(3) does.
package globber
