package builder

import (
	"fmt"
	"io"
	"strings"

	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// rpmRepos is what pristineRpm needs of the host's dnf repositories.
type rpmRepos interface {
	resolver.ArchiveUniverse
	resolver.DialectUniverse
	KeepContents()
	AbsentArchives([]*resolver.Package) []string
	io.Closer
}

// pristineRpm is pristine on an rpm host: supermin downloads the packages
// that have configuration files (dnf download NAME.ARCH) and takes those
// files from them. The .rpms come from the host's repositories
// (/etc/yum.repos.d, their keys; verified as a [source] type = "rpm-md"
// is), through the download cache. A %config file the .rpm ships as a
// regular file (or a hard link to one) or a symbolic link is taken; what
// else it ships there, or lacks, is left out.
func pristineRpm(root string, cs []configs, logf func(string, ...any)) (files []plan.Entry, warnings []string, done func(), err error) {
	if len(cs) == 0 {
		return nil, nil, func() {}, nil
	}
	opened, err := planner.OpenSource(manifest.Source{Type: "rpm-md", Root: root})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("prepare: %w", err)
	}
	u, ok := opened.(rpmRepos)
	if !ok {
		return nil, nil, nil, fmt.Errorf("prepare: the host's rpm repositories cannot be read for package files")
	}
	u.KeepContents() // listing an .rpm keeps what the tarball reads back
	done = func() { u.Close() }
	files, warnings, err = rpmConfigs(u, cs, logf)
	if err != nil {
		done()
		return nil, nil, nil, err
	}
	return files, warnings, done, nil
}

// rpmConfigs downloads the .rpms of cs from u and returns their files at
// the paths of cs.
func rpmConfigs(u rpmRepos, cs []configs, logf func(string, ...any)) ([]plan.Entry, []string, error) {
	rpms, warnings, err := matchIn(u, u.Dialect(), cs, "the host's rpm repositories")
	if err != nil {
		return nil, nil, err
	}
	logf("prepare: downloading %d packages (those with configuration files)", len(rpms))
	if absent := u.AbsentArchives(rpms); len(absent) > 0 {
		return nil, nil, fmt.Errorf("prepare: cannot download:\n  %s", strings.Join(absent, "\n  "))
	}
	var files []plan.Entry
	for i, c := range cs {
		got, err := packageFiles(u, rpms[i], c.files, true)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, got...)
	}
	return files, warnings, nil
}
