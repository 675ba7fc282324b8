package deb

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// TestPathOrderReads reads a closure's files the way the formats do: all
// packages' files sorted by path, two goroutines taking the next file in
// turn (ext2), the documentation skipped as a manifest's excludefiles
// would. Packages interleave (/usr/bin, /usr/lib, /usr/share/doc...), yet
// no archive is decompressed again after listing: the contents come from
// the spool.
func TestPathOrderReads(t *testing.T) {
	fetchDebs(t, realPackages...)
	for _, skipDocs := range []bool{false, true} {
		u := openDir(t, cacheDir(t))
		res, err := resolver.Resolve(u, resolver.Request{Packages: []string{"bash", "coreutils", "busybox-static", "libssl3"}})
		if err != nil {
			t.Fatal(err)
		}
		var all []plan.Entry
		for _, p := range res.Packages {
			entries, err := u.Entries(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Src != nil && !(skipDocs && strings.HasPrefix(e.Path, "/usr/share/doc/")) {
					all = append(all, e)
				}
			}
		}
		plan.Sort(all)
		var next atomic.Int64
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(len(all)); i = next.Add(1) - 1 {
					if _, err := hashSource(all[i]); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		starts := u.cache.Starts()
		t.Logf("skip docs %v: %d files of %d packages: %d decompression streams", skipDocs, len(all), len(res.Packages), starts)
		if starts != 0 {
			t.Errorf("%d decompressions after listing %d packages, want 0", starts, len(res.Packages))
		}
	}
}
