package e2e

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
)

// guestfsD is Debian's libguestfs appliance recipe; examples/guestfs.toml
// is it written as a manifest.
const guestfsD = "/usr/lib/x86_64-linux-gnu/guestfs/supermin.d"

func needGuestfsD(t testing.TB) {
	testtool.Need(t, "supermin")
	if _, err := os.Stat(guestfsD + "/packages"); err != nil {
		testtool.Unavailable(t, guestfsD+" is missing (install libguestfs-tools)")
	}
}

var chroot struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, p := range []string{chroot.dir, built.bin} {
		if p != "" {
			os.RemoveAll(filepath.Dir(p))
		}
	}
	os.Exit(code)
}

// superminChroot builds guestfsD with the real supermin, once per run.
func superminChroot(t *testing.T) string {
	t.Helper()
	needGuestfsD(t)
	chroot.once.Do(func() {
		tmp, err := os.MkdirTemp("", "supermin-chroot-")
		if err != nil {
			chroot.err = err
			return
		}
		chroot.dir = filepath.Join(tmp, "chroot")
		cmd := exec.Command("supermin", "--build", "-f", "chroot", "--include-packagelist", guestfsD, "-o", chroot.dir)
		if b, err := cmd.CombinedOutput(); err != nil {
			chroot.err = fmt.Errorf("supermin: %v\n%s", err, b)
		}
	})
	if chroot.err != nil {
		t.Fatal(chroot.err)
	}
	return chroot.dir
}

func treePaths(t *testing.T, root string) map[string]bool {
	set := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		set["/"+strings.TrimPrefix(strings.TrimPrefix(p, root), "/")] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	set["/"] = true
	return set
}

func planGuestfs(t *testing.T) *planner.Result {
	t.Helper()
	m, err := manifest.Load("../examples/guestfs.toml")
	if err != nil {
		t.Fatal(err)
	}
	m.Format = manifest.Chroot // as supermin's: no kernel modules in it
	res, err := planner.Plan(m)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestListMatchesSupermin: the set of paths of `list examples/guestfs.toml`
// equals the chroot supermin 5 builds from Debian's libguestfs supermin.d,
// except for differences explained one by one.
func TestListMatchesSupermin(t *testing.T) {
	theirs := treePaths(t, superminChroot(t))
	res := planGuestfs(t)
	ours := map[string]plan.Entry{}
	for _, e := range res.Plan.Entries {
		ours[e.Path] = e
	}
	extra := extraPackages(t, res)

	var unexplained []string
	for p := range theirs {
		if _, ok := ours[p]; ok {
			continue
		}
		switch {
		case p == "/packagelist": // --include-packagelist; we print it with `resolve`
		default:
			unexplained = append(unexplained, "only supermin: "+p)
		}
	}
	for p, e := range ours {
		if theirs[p] {
			continue
		}
		switch {
		case e.Origin.Kind == plan.Package && extra[e.Origin.Name] != "":
			// From a package supermin's resolver wrongly drops.
		case e.Type == plan.Dir && hasDescendant(ours, p, extra):
			// The parent directory of such files.
		default:
			unexplained = append(unexplained, "only ours: "+p+" ("+e.Origin.String()+")")
		}
	}
	sort.Strings(unexplained)
	if len(unexplained) > 0 {
		t.Errorf("%d unexplained differences:\n%s", len(unexplained), strings.Join(head(unexplained, 60), "\n"))
	}
	t.Logf("supermin: %d paths, ours: %d paths", len(theirs), len(ours))
}

func hasDescendant(ours map[string]plan.Entry, dir string, extra map[string]string) bool {
	for p, e := range ours {
		if strings.HasPrefix(p, dir+"/") && e.Origin.Kind == plan.Package && extra[e.Origin.Name] != "" {
			return true
		}
	}
	return false
}

func head(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "...")
	}
	return s
}

// readPackagelist reads supermin's /packagelist: name_version_arch lines.
func readPackagelist(t *testing.T, file string) map[string]bool {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		set[sc.Text()] = true
	}
	return set
}

// superminDrops are the packages supermin 5.2.2's dpkg resolver drops from
// the libguestfs closure on Debian 12, and why. Its resolver strips version
// constraints and every alternative after the first with sed, then keeps
// only names that are installed packages, so a virtual package, a later
// alternative or an arch-qualified name (perl:any) silently vanishes.
var superminDrops = map[string]string{
	"perl":              `sleuthkit Depends on "perl:any": supermin looks for a package literally named "perl:any"`,
	"perl-base":         "dependency of perl",
	"perl-modules-5.36": "dependency of perl",
	"libperl5.36":       "dependency of perl",
	"libgdbm6":          "dependency of libperl5.36",
	"libgdbm-compat4":   "dependency of libperl5.36",
	"sysvinit-utils":    `lvm2 Depends on "lsb-base", a virtual package that sysvinit-utils Provides`,
	"usr-is-merged":     `init-system-helpers Pre-Depends on "usrmerge | usr-is-merged": supermin only tries the first`,
}

func extraPackages(t *testing.T, res *planner.Result) map[string]string {
	extra := map[string]string{}
	for _, p := range res.Resolved.Packages {
		if r, ok := superminDrops[p.Name]; ok {
			extra[p.Name] = r
		}
	}
	return extra
}

// TestResolveMatchesSupermin: our closure is supermin's /packagelist plus
// exactly the packages it wrongly drops.
func TestResolveMatchesSupermin(t *testing.T) {
	theirs := readPackagelist(t, filepath.Join(superminChroot(t), "packagelist"))
	res := planGuestfs(t)
	ours := map[string]bool{}
	for _, p := range res.Resolved.Packages {
		id := p.Name + "_" + p.Version + "_" + p.Arch
		ours[id] = true
		if !theirs[id] && superminDrops[p.Name] == "" {
			t.Errorf("only ours, unexplained: %s (chain %v)", id, res.Resolved.Chain(p.Name))
		}
		if theirs[id] && superminDrops[p.Name] != "" {
			t.Errorf("%s: listed as dropped by supermin, but supermin has it", id)
		}
	}
	for id := range theirs {
		if !ours[id] {
			t.Errorf("only supermin: %s", id)
		}
	}
	for name := range superminDrops {
		if res.Resolved.Chain(name) == nil {
			t.Errorf("%s: expected in our closure (%s)", name, superminDrops[name])
		}
	}
	if len(res.Resolved.Warnings) > 0 {
		t.Errorf("unexpected warnings: %v", res.Resolved.Warnings)
	}
}
