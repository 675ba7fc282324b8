package deb

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/dpkg"
)

// aptSets are the requests whose closures are compared with apt's, alone
// and with the essential packages.
var aptSets = [][]string{
	{"busybox"}, {"bash"}, {"coreutils"}, {"openssh-client"}, {"curl"}, {"python3-minimal"},
	{"e2fsprogs"}, {"lvm2"}, {"systemd-sysv"}, {"libguestfs-tools"}, {"task-ssh-server"},
	{"bash", "coreutils", "busybox-static"},
	{"coreutils", "bash", "sed"}, // a supermin.d of Debian's supermin
}

// virtualSets reach virtual packages that several packages provide, where
// apt's choice of provider or its order of visit decides the closure.
var virtualSets = [][]string{
	{"base-files"},           // Pre-Depends: awk (mawk is required, gawk optional)
	{"timeshift"},            // cron-daemon (cron, bcron, systemd-cron)
	{"afterstep"},            // x-terminal-emulator: 27 providers of one Priority
	{"gimp-help-en"},         // www-browser
	{"tua"},                  // mailx (bsd-mailx, mailutils)
	{"mailto"},               // httpd
	{"mmm-mode"},             // emacsen
	{"bsd-mailx"},            // default-mta | mail-transport-agent
	{"postfix", "bsd-mailx"}, // ... mail-transport-agent already requested
	{"libtool"},              // gcc | c-compiler
	{"clang", "libtool"},     // ... c-compiler met by clang's dependency
}

// aptRandomSeed picks the random sample of the index; the test logs it.
const aptRandomSeed = 20250520

// apt runs `apt-get install --simulate --no-install-recommends` on an
// empty system (an empty status file) with the host's configuration and
// indexes, keeping its binary cache in a directory of the test's: built
// on the first run, read by the others.
type apt struct{ args []string }

func newApt(t *testing.T) *apt {
	testtool.Need(t, "apt-get")
	hostIndexes(t) // apt-get update when there are no lists
	dir := t.TempDir()
	status := filepath.Join(dir, "status")
	os.WriteFile(status, nil, 0o644)
	a := &apt{args: []string{"install", "--simulate", "--no-install-recommends",
		"-o", "Debug::NoLocking=1", "-o", "Dir::State::status=" + status,
		"-o", "Dir::State::extended_states=/dev/null", "-o", "Dir::Cache=" + dir,
		"-o", "Dir::Cache::pkgcache=pkgcache.bin", "-o", "Dir::Cache::srcpkgcache=srcpkgcache.bin"}}
	a.installs(t, "base-files") // builds the cache before the parallel runs
	return a
}

// installs returns the packages apt installs for pkgs: its "Inst" lines,
// name to version. apt failing to find a solution ends the test.
func (a *apt) installs(t *testing.T, pkgs ...string) map[string]string {
	inst, err := a.try(pkgs...)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// try is installs returning apt's failure as an error.
func (a *apt) try(pkgs ...string) (map[string]string, error) {
	args := append(slices.Clone(a.args), pkgs...)
	out, err := exec.Command("apt-get", args...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("apt-get %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	inst := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		// Inst NAME (VERSION RELEASE [ARCH])
		if f := strings.Fields(l); len(f) > 2 && f[0] == "Inst" {
			inst[f[1]] = strings.TrimPrefix(f[2], "(")
		}
	}
	return inst, nil
}

// TestClosuresMatchApt: the closures of aptSets, alone and with the
// essential packages, and of virtualSets equal apt's, versions included.
func TestClosuresMatchApt(t *testing.T) {
	u := openIndex(t, hostIndexes(t), t.TempDir())
	a := newApt(t)
	essentials := u.EssentialNames()
	type request struct {
		key string
		req resolver.Request
		apt []string
	}
	var requests []request
	for _, set := range aptSets {
		key := strings.Join(set, " ")
		requests = append(requests,
			request{key, resolver.Request{Packages: set}, set},
			request{key + " +essential", resolver.Request{Packages: set, Optional: essentials},
				append(slices.Clone(set), essentials...)})
	}
	for _, set := range virtualSets {
		requests = append(requests, request{strings.Join(set, " "), resolver.Request{Packages: set}, set})
	}
	for _, r := range requests {
		t.Run(r.key, func(t *testing.T) {
			t.Parallel() // apt-get takes a second or two each time
			res := resolve(t, u, r.req)
			compareClosures(t, res, a.installs(t, r.apt...), true)
		})
	}
}

// TestRandomClosuresMatchApt: the closures of a random sample of the
// index's packages, and of ipe (whose or-group of fonts apt reaches
// before another dependency selects one of its alternatives), equal apt's.
// A package apt cannot install must get warnings from us.
func TestRandomClosuresMatchApt(t *testing.T) {
	u := openIndex(t, hostIndexes(t), t.TempDir())
	a := newApt(t)
	sample := append(randomNames(u, aptRandomSeed, 40), "ipe")
	t.Logf("seed %d: %s", aptRandomSeed, strings.Join(sample, " "))
	for _, name := range sample {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := resolve(t, u, resolver.Request{Packages: []string{name}})
			inst, err := a.try(name)
			if err != nil {
				if len(res.Warnings) == 0 {
					t.Errorf("apt cannot install %s, we warn of nothing:\n%v", name, err)
				}
				t.Logf("apt cannot install %s; we warn: %q", name, res.Warnings)
				return
			}
			compareClosures(t, res, inst, true)
		})
	}
}

// TestInstalledClosureMatchesApt: supermin.d's "coreutils bash sed"
// resolved over this host's dpkg database gives the packages apt would
// install on an empty system. Versions may differ: the host need not be
// up to date with its indexes.
func TestInstalledClosureMatchesApt(t *testing.T) {
	db, err := dpkg.Open("/")
	if err != nil {
		testtool.Unavailable(t, "no dpkg database: "+err.Error())
	}
	set := []string{"coreutils", "bash", "sed"}
	inst := newApt(t).installs(t, set...)
	for name := range inst {
		if !slices.ContainsFunc(db.Packages(), func(p *resolver.Package) bool { return p.Name == name }) {
			testtool.Unavailable(t, name+", which apt installs, is not installed here")
		}
	}
	compareClosures(t, resolve(t, db, resolver.Request{Packages: set}), inst, false)
}

func resolve(t *testing.T, u resolver.Universe, req resolver.Request) *resolver.Result {
	res, err := resolver.Resolve(u, req)
	if err != nil {
		t.Fatal(err)
	}
	if cu, ok := u.(*Universe); ok {
		if err := cu.CheckConflicts(res); err != nil {
			t.Error(err)
		}
	}
	return res
}

// randomNames draws n distinct names of native packages of u with a
// seeded generator, so that the sample is the same for the same index.
func randomNames(u *Universe, seed uint64, n int) []string {
	var all []string // sorted, as Packages is
	for _, p := range u.Packages() {
		if (p.Arch == u.NativeArch() || p.Arch == "all") && (len(all) == 0 || all[len(all)-1] != p.Name) {
			all = append(all, p.Name)
		}
	}
	rnd := rand.New(rand.NewPCG(seed, seed))
	var out []string
	for _, i := range rnd.Perm(len(all))[:min(n, len(all))] {
		out = append(out, all[i])
	}
	return out
}

// compareClosures reports every package only one side selects, with the
// chain that led us to ours, and, when versions is set, every version
// that differs.
func compareClosures(t *testing.T, res *resolver.Result, apt map[string]string, versions bool) {
	t.Helper()
	ours := map[string]string{}
	for _, p := range res.Packages {
		ours[p.Name] = p.Version
		v, ok := apt[p.Name]
		switch {
		case !ok:
			t.Errorf("we select %s, apt does not (%s)", p.Name, strings.Join(res.Chain(p.Name), " <- "))
		case versions && v != p.Version:
			t.Errorf("%s: we select version %s, apt %s", p.Name, p.Version, v)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(apt)) {
		if _, ok := ours[n]; !ok {
			t.Errorf("apt selects %s, we do not", n)
		}
	}
	if len(res.Warnings) > 0 {
		t.Logf("warnings: %q", res.Warnings)
	}
	t.Logf("%d packages, apt %d", len(res.Packages), len(apt))
}

// aptIDs prints the ID, name and architecture of every package of apt's
// cache for an empty status file, through python3-apt (Debian's python).
const aptIDs = `
import apt_pkg, sys
apt_pkg.init_config()
apt_pkg.config.set("Dir::State::status", sys.argv[1])
apt_pkg.init_system()
for p in apt_pkg.Cache(None).packages:
    print(p.id, p.name, p.architecture)
`

// TestFirstNamedMatchesAptIDs: ordered by FirstNamed, the index's native
// packages come in the order of the IDs apt's cache gives them, the last
// tie-break between providers.
func TestFirstNamedMatchesAptIDs(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import apt_pkg").Run(); err != nil {
		testtool.Unavailable(t, "python3-apt is not installed (scripts/install-deps.sh installs it)")
	}
	u := openIndex(t, hostIndexes(t), t.TempDir())
	status := filepath.Join(t.TempDir(), "status")
	os.WriteFile(status, nil, 0o644)
	ids := map[string]int{}
	for _, l := range strings.Split(string(testtool.Output(t, nil, python, "-c", aptIDs, status)), "\n") {
		var id int
		var name, arch string
		if n, _ := fmt.Sscan(l, &id, &name, &arch); n == 3 && arch == u.NativeArch() {
			ids[name] = id
		}
	}
	var ours []*resolver.Package
	for _, p := range u.Packages() {
		if p.Arch == u.NativeArch() || p.Arch == "all" {
			ours = append(ours, p)
		}
	}
	byFirstNamed := slices.Clone(ours)
	slices.SortStableFunc(byFirstNamed, func(a, b *resolver.Package) int { return a.FirstNamed - b.FirstNamed })
	byAptID := slices.Clone(ours)
	slices.SortStableFunc(byAptID, func(a, b *resolver.Package) int { return ids[a.Name] - ids[b.Name] })
	for i := range byAptID {
		if byAptID[i].Name != byFirstNamed[i].Name {
			t.Fatalf("position %d of %d: in the order of apt's IDs %s, of FirstNamed %s",
				i, len(ours), byAptID[i].Name, byFirstNamed[i].Name)
		}
	}
	t.Logf("%d packages", len(ours))
}
