package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/fetch"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/repo/rpmmd"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

// openRpmMD opens an rpm-md (yum, dnf) repository source: the manifest's
// repositories, or the enabled ones of the root's /etc/yum.repos.d. Each
// repomd.xml is checked against its signature when repo_gpgcheck is on;
// each metadata file against repomd.xml, each package against primary.xml
// and, with gpgcheck, its signature. A repository checked neither way is
// refused unless the manifest says it is trusted.
func openRpmMD(s manifest.Source, cl *fetch.Client) (resolver.Universe, []string, error) {
	arch := rpm.Arch(s.Arch)
	repos, err := rpmRepos(s, arch)
	if err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	var opened []rpm.Repo
	for _, r := range repos {
		o, err := openRpmRepo(ctx, cl, r, s.Root)
		if err != nil {
			return nil, nil, err
		}
		opened = append(opened, o)
	}
	u, err := rpm.OpenRepos(opened, arch)
	if err != nil {
		return nil, nil, err
	}
	return u, nil, nil
}

// rpmRepo is a repository to read, and whether a manifest vouches for it.
type rpmRepo struct {
	rpmmd.Repo
	trusted bool
}

func rpmRepos(s manifest.Source, arch string) ([]rpmRepo, error) {
	var repos []rpmRepo
	if len(s.Repositories) == 0 {
		vars := rpmmd.Vars{"basearch": arch, "arch": arch, "releasever": osRelease(s.Root)}
		found, err := rpmmd.ReadDir(filepath.Join(s.Root, "etc/yum.repos.d"), vars)
		if err != nil {
			return nil, err
		}
		for _, r := range found {
			if r.Enabled {
				repos = append(repos, rpmRepo{Repo: r})
			}
		}
		if len(repos) == 0 {
			return nil, fmt.Errorf("rpm-md source: no enabled repository in %s/etc/yum.repos.d, and none in the manifest", s.Root)
		}
		return repos, nil
	}
	for i, m := range s.Repositories {
		r := rpmmd.Repo{ID: fmt.Sprintf("repository[%d]", i), Name: m.URL, BaseURLs: []string{m.URL}, Enabled: true,
			GPGCheck: m.GPGCheck, RepoGPGCheck: m.RepoGPGCheck}
		if m.Keyring != "" {
			r.GPGKeys = []string{"file://" + m.Keyring}
		}
		repos = append(repos, rpmRepo{Repo: r, trusted: m.Trusted})
	}
	return repos, nil
}

// openRpmRepo fetches and checks one repository's metadata.
func openRpmRepo(ctx context.Context, cl *fetch.Client, r rpmRepo, root string) (rpm.Repo, error) {
	out := rpm.Repo{Name: r.ID, GPGCheck: r.GPGCheck, Priority: r.Priority, Cost: r.Cost}
	if !r.GPGCheck && !r.RepoGPGCheck && !r.trusted {
		return out, fmt.Errorf("rpm-md repository %s: neither gpgcheck nor repo_gpgcheck is on, so nothing it serves can be verified; turn one on, or say trusted = true for a repository you control", r.ID)
	}
	if len(r.BaseURLs) == 0 {
		return out, fmt.Errorf("rpm-md repository %s: no baseurl", r.ID)
	}
	base := strings.TrimRight(r.BaseURLs[0], "/") + "/"
	if r.GPGCheck || r.RepoGPGCheck {
		paths, err := r.KeyPaths()
		if err == nil {
			for i, p := range paths {
				paths[i] = filepath.Join(root, p)
			}
			out.Keys, err = rpm.ReadKeyring(paths...)
		}
		if err != nil {
			return out, fmt.Errorf("rpm-md repository %s: %w", r.ID, err)
		}
	}
	var md *rpm.Repomd
	label := r.ID + " repodata/repomd.xml"
	_, _, err := cl.GetSigned(ctx, base+"repodata/repomd.xml", label, func(p string) error {
		if r.RepoGPGCheck {
			_, _, err := cl.GetSigned(ctx, base+"repodata/repomd.xml.asc", label+".asc", func(sig string) error {
				return out.Keys.CheckDetached(p, sig)
			})
			if err != nil {
				return err
			}
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		md, err = rpm.ParseRepomd(f, label)
		return err
	})
	if err != nil {
		return out, err
	}
	record := func(typ string) (string, error) {
		rec, ok := md.Record(typ)
		if !ok {
			return "", nil
		}
		p, _, err := cl.GetSigned(ctx, base+rec.Href, r.ID+" "+rec.Href, rec.Verify)
		return p, err
	}
	if out.Primary, err = record("primary"); err != nil {
		return out, err
	}
	if out.Primary == "" {
		return out, fmt.Errorf("rpm-md repository %s: repomd.xml lists no primary metadata", r.ID)
	}
	if out.Modules, err = record("modules"); err != nil {
		return out, err
	}
	if _, ok := md.Record("filelists"); ok {
		out.Filelists = func() (string, error) { return record("filelists") }
	}
	out.Fetch = func(pf rpm.PackageFile) (string, error) {
		url := base + pf.Href
		if pf.Base != "" {
			url = strings.TrimRight(pf.Base, "/") + "/" + pf.Href
		}
		if pf.Checksum.Type == "sha256" {
			return cl.Get(ctx, fetch.File{URL: url, SHA256: pf.Checksum.Value, Size: pf.Size, Label: r.ID + " " + pf.Href})
		}
		p, _, err := cl.GetSigned(ctx, url, r.ID+" "+pf.Href, pf.Verify)
		return p, err
	}
	return out, nil
}

// osRelease is the root's VERSION_ID, dnf's $releasever.
func osRelease(root string) string {
	text, _ := os.ReadFile(filepath.Join(root, "etc/os-release"))
	for _, line := range strings.Split(string(text), "\n") {
		if v, ok := strings.CutPrefix(line, "VERSION_ID="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}
