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
	located := &rpmLocated{base: map[string]string{}, release: map[string]string{}}
	var opened []rpm.Repo
	for _, r := range repos {
		o, base, release, err := openRpmRepo(ctx, cl, r, s.Root)
		if err != nil {
			return nil, nil, err
		}
		opened = append(opened, o)
		located.base[o.Name], located.release[o.Name] = base, release
	}
	if located.Repos, err = rpm.OpenRepos(opened, arch); err != nil {
		return nil, nil, err
	}
	return located, nil, nil
}

// rpmLocated is an rpm-md universe that tells lock files where each
// package's .rpm is: its repository's baseurl and the repomd.xml that
// vouched for it.
type rpmLocated struct {
	*rpm.Repos
	base, release map[string]string // by repository name
}

var _ resolver.Locator = (*rpmLocated)(nil)

func (u *rpmLocated) Locate(p *resolver.Package) (resolver.RepositoryFile, error) {
	name, pf := u.Location(p)
	f := resolver.RepositoryFile{Repository: strings.TrimRight(u.base[name], "/"), Filename: pf.Href, Size: pf.Size, Release: u.release[name]}
	if pf.Base != "" {
		f.Repository = strings.TrimRight(pf.Base, "/")
	}
	digest, err := u.Digest(p) // fetches the .rpm when primary.xml gives no SHA-256
	f.SHA256 = strings.TrimPrefix(digest, "sha256:")
	return f, err
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

// openRpmRepo fetches and checks one repository's metadata; it returns
// the baseurl it used and "sha256:" and the SHA-256 of its repomd.xml.
func openRpmRepo(ctx context.Context, cl *fetch.Client, r rpmRepo, root string) (out rpm.Repo, base, release string, err error) {
	out = rpm.Repo{Name: r.ID, GPGCheck: r.GPGCheck, Priority: r.Priority, Cost: r.Cost}
	if !r.GPGCheck && !r.RepoGPGCheck && !r.trusted {
		return out, "", "", fmt.Errorf("rpm-md repository %s: neither gpgcheck nor repo_gpgcheck is on, so nothing it serves can be verified; turn one on, or say trusted = true for a repository you control", r.ID)
	}
	if len(r.BaseURLs) == 0 {
		return out, "", "", fmt.Errorf("rpm-md repository %s: no baseurl", r.ID)
	}
	base = strings.TrimRight(r.BaseURLs[0], "/") + "/"
	if r.GPGCheck || r.RepoGPGCheck {
		if out.Keys, err = repoKeys(r, root); err != nil {
			return out, "", "", err
		}
	}
	md, sum, err := fetchRepomd(ctx, cl, r, base, out.Keys)
	if err != nil {
		return out, "", "", err
	}
	record := func(typ string) (string, error) {
		rec, ok := md.Record(typ)
		if !ok {
			return "", nil
		}
		p, _, err := cl.GetSigned(ctx, base+rec.Href, r.ID+" "+rec.Href, rec.Verify)
		return p, err
	}
	if out.Primary, err = record("primary"); err == nil && out.Primary == "" {
		err = fmt.Errorf("rpm-md repository %s: repomd.xml lists no primary metadata", r.ID)
	}
	if err == nil {
		out.Modules, err = record("modules")
	}
	if err != nil {
		return out, "", "", err
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
	return out, base, "sha256:" + sum, nil
}

// repoKeys reads the keys a repository's gpgkey names, under root.
func repoKeys(r rpmRepo, root string) (*rpm.Keyring, error) {
	paths, err := r.KeyPaths()
	if err != nil {
		return nil, fmt.Errorf("rpm-md repository %s: %w", r.ID, err)
	}
	for i, p := range paths {
		paths[i] = filepath.Join(root, p)
	}
	keys, err := rpm.ReadKeyring(paths...)
	if err != nil {
		return nil, fmt.Errorf("rpm-md repository %s: %w", r.ID, err)
	}
	return keys, nil
}

// fetchRepomd fetches repodata/repomd.xml, checked against repomd.xml.asc
// with repo_gpgcheck, and parses it.
func fetchRepomd(ctx context.Context, cl *fetch.Client, r rpmRepo, base string, keys *rpm.Keyring) (*rpm.Repomd, string, error) {
	var md *rpm.Repomd
	label := r.ID + " repodata/repomd.xml"
	_, sum, err := cl.GetSigned(ctx, base+"repodata/repomd.xml", label, func(p string) error {
		if r.RepoGPGCheck {
			_, _, err := cl.GetSigned(ctx, base+"repodata/repomd.xml.asc", label+".asc", func(sig string) error {
				return keys.CheckDetached(p, sig)
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
	return md, sum, err
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
