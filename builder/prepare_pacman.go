package builder

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/pacman"
)

// PacmanCache is where pacman keeps the packages it downloaded, under a
// root (pacman.conf's default CacheDir).
const PacmanCache = "var/cache/pacman/pkg"

// pacmanPristine takes the configuration files of cs from the package
// files in pacman's cache, named as pacman names them
// (NAME-VERSION-ARCH.pkg.tar.*): supermin downloads them with pacman
// -Syw, which needs the Arch mirrors; the cache is where pacman left the
// very packages it installed. A package absent from the cache is an
// error naming it.
func pacmanPristine(root string, cs []configs, logf func(string, ...any)) ([]plan.Entry, []string, func(), error) {
	if len(cs) == 0 {
		return nil, nil, func() {}, nil
	}
	cache := filepath.Join(root, PacmanCache)
	var paths, missing []string
	for _, c := range cs {
		p := c.pkg
		found, _ := filepath.Glob(filepath.Join(cache, fmt.Sprintf("%s-%s-%s.pkg.tar.*", p.Name, p.Version, p.Arch)))
		found = pacmanPackageFiles(found)
		if len(found) == 0 {
			missing = append(missing, fmt.Sprintf("%s %s (%s)", p.Name, p.Version, p.Arch))
			continue
		}
		paths = append(paths, found[0])
	}
	if len(missing) > 0 {
		return nil, nil, nil, fmt.Errorf("prepare: these packages are not in pacman's cache %s, so their pristine configuration files cannot be had (pacman -Sw downloads them; or use --use-installed to take the host's files):\n  %s",
			cache, strings.Join(missing, "\n  "))
	}
	dir, err := pacman.OpenFiles(paths, "")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("prepare: %w", err)
	}
	dir.KeepContents()
	done := func() { dir.Close() }
	logf("prepare: %d packages from %s (those with configuration files)", len(paths), cache)
	byName := map[string]*resolver.Package{}
	for _, p := range dir.Packages() {
		byName[p.Name] = p
	}
	var files []plan.Entry
	for _, c := range cs {
		p := byName[c.pkg.Name]
		if p == nil || p.Version != c.pkg.Version {
			done()
			return nil, nil, nil, fmt.Errorf("prepare: %s: not %s %s", dir.Path(p), c.pkg.Name, c.pkg.Version)
		}
		got, err := archiveFiles(dir, p, c.files)
		if err != nil {
			done()
			return nil, nil, nil, err
		}
		files = append(files, got...)
	}
	return files, nil, done, nil
}

// pacmanPackageFiles keeps the names pacman installs from (not their
// .sig files).
func pacmanPackageFiles(paths []string) []string {
	var out []string
	for _, p := range paths {
		if strings.HasSuffix(p, ".pkg.tar.zst") || strings.HasSuffix(p, ".pkg.tar.xz") {
			out = append(out, p)
		}
	}
	return out
}
