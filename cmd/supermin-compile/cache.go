package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/supermin-compile/supermin-compile/fetch"
	"github.com/supermin-compile/supermin-compile/lock"
)

// cacheCmd shows the download cache's size ("cache"), prunes it ("cache
// prune") or checks every file's SHA256 ("cache verify").
func cacheCmd(args []string) int {
	sub := ""
	if len(args) > 0 && (args[0] == "prune" || args[0] == "verify") {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet(strings.TrimSpace("cache "+sub), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("cache-dir", "", "the cache (default $XDG_CACHE_HOME/supermin-compile)")
	keepDays := new(int)
	if sub == "prune" {
		fs.IntVar(keepDays, "keep-days", 30, "keep the files used in the last N days")
	}
	positional, err := parseInterleaved(fs, args)
	switch {
	case err != nil:
		return usageError("%s: %v", fs.Name(), err)
	case sub != "prune" && len(positional) > 0:
		return usageError("%s takes no arguments, got %q", fs.Name(), positional[0])
	case *keepDays < 0:
		return usageError("cache prune: --keep-days %d is negative", *keepDays)
	}
	c, err := openCache(*dir)
	if err != nil {
		return fail(err)
	}
	switch sub {
	case "prune":
		err = cachePrune(c, *keepDays, positional)
	case "verify":
		err = cacheVerify(c)
	default:
		err = cacheShow(c)
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

func openCache(dir string) (*fetch.Cache, error) {
	if dir == "" {
		var err error
		if dir, err = fetch.DefaultDir(); err != nil {
			return nil, err
		}
	}
	return fetch.OpenCache(dir)
}

func cacheShow(c *fetch.Cache) error {
	u, err := c.Usage()
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d files, %s\n", c.Dir(), u.Files, mib(u.Bytes))
	if u.Partial > 0 {
		fmt.Printf("%d unfinished downloads, %s ('cache prune' removes those of dead processes)\n", u.Partial, mib(u.PartialBytes))
	}
	return nil
}

// cachePrune removes the files that no lock file names and that no build
// used for keepDays days.
func cachePrune(c *fetch.Cache, keepDays int, lockFiles []string) error {
	keep := map[string]bool{}
	for _, f := range lockFiles {
		l, err := lock.Read(f)
		if err != nil {
			return err
		}
		collectSHA256(reflect.ValueOf(l), keep)
	}
	r, err := c.Prune(keep, time.Now().AddDate(0, 0, -keepDays))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "supermin-compile: %s: removed %d files (%s) unused for %d days and in no lock file given; kept %d (%s)\n",
		c.Dir(), r.Removed, mib(r.RemovedBytes), keepDays, r.Kept, mib(r.KeptBytes))
	if r.Partial > 0 {
		fmt.Fprintf(os.Stderr, "supermin-compile: removed %d unfinished downloads of dead processes (%s)\n", r.Partial, mib(r.PartialBytes))
	}
	return nil
}

func cacheVerify(c *fetch.Cache) error {
	bad, err := c.Verify()
	if err != nil {
		return err
	}
	for _, p := range bad {
		fmt.Fprintf(os.Stderr, "supermin-compile: %s: content does not match its SHA256; removed\n", p)
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s: %d corrupt files removed; the next build fetches them again", c.Dir(), len(bad))
	}
	u, err := c.Usage()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "supermin-compile: %s: %d files verified\n", c.Dir(), u.Files)
	return nil
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// collectSHA256 adds every SHA256 that v holds, bare or "sha256:…", to
// sums: package digests, sha256 fields, and those a newer lock adds.
func collectSHA256(v reflect.Value, sums map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			collectSHA256(v.Elem(), sums)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			collectSHA256(v.Field(i), sums)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			collectSHA256(v.Index(i), sums)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			collectSHA256(it.Value(), sums)
		}
	case reflect.String:
		if s := strings.TrimPrefix(v.String(), "sha256:"); sha256Hex.MatchString(s) {
			sums[s] = true
		}
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
