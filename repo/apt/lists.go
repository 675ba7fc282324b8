package apt

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ListFile is where apt keeps a file of s it fetched (rel as the Source's
// path methods return it): root's /var/lib/apt/lists/ and the URL named
// as apt's URItoFileName names it, without scheme and credentials, odd
// characters %-escaped and "/" made "_". root "" means "/". Those files
// were verified by apt when it fetched them, but only the InRelease's
// signature says so: verify it again before trusting them.
func ListFile(root string, s Source, rel string) string {
	if root == "" {
		root = "/"
	}
	return filepath.Join(root, "var/lib/apt/lists", listName(s.URL(rel)))
}

// ListIndex returns apt's copy of ix's Packages, which apt may have
// recompressed (Packages.lz4 on Debian), or "" when there is none; check
// it with Release.CheckIndexContent.
func ListIndex(root string, s Source, ix Index) string {
	plain := ListFile(root, s, s.Dir()+ix.plainName())
	for _, suffix := range []string{"", ".lz4", ".gz", ".xz", ".zst", ".bz2"} {
		if fi, err := os.Stat(plain + suffix); err == nil && fi.Mode().IsRegular() {
			return plain + suffix
		}
	}
	return ""
}

// listName is apt's URItoFileName.
func listName(uri string) string {
	if _, rest, ok := strings.Cut(uri, ":"); ok {
		uri = rest
	}
	if rest, ok := strings.CutPrefix(uri, "//"); ok {
		host, p, _ := strings.Cut(rest, "/")
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:] // user:password@
		}
		uri = host + "/" + p
	}
	var b strings.Builder
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		switch {
		case c == '/':
			b.WriteByte('_')
		case c <= 0x20 || c >= 0x7f || strings.IndexByte(`\|{}[]<>"^~_=!@#$%&*`, c) >= 0:
			fmt.Fprintf(&b, "%%%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
