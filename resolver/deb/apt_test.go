package deb

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// aptSets are the requests whose closures are compared with apt's.
var aptSets = [][]string{
	{"busybox"}, {"bash"}, {"coreutils"}, {"openssh-client"}, {"curl"}, {"python3-minimal"},
	{"e2fsprogs"}, {"lvm2"}, {"systemd-sysv"}, {"libguestfs-tools"}, {"task-ssh-server"},
	{"bash", "coreutils", "busybox-static"},
}

// aptInstalls returns the packages apt installs for pkgs on an empty
// system (an empty status file), without recommends: its "Inst" lines,
// name to version.
func aptInstalls(t testing.TB, pkgs []string) map[string]string {
	testtool.Need(t, "apt-get")
	status := filepath.Join(t.TempDir(), "status")
	os.WriteFile(status, nil, 0o644)
	out := testtool.Output(t, nil, "apt-get", append([]string{"install", "--simulate", "--no-install-recommends",
		"-o", "Debug::NoLocking=1", "-o", "Dir::State::status=" + status,
		"-o", "Dir::State::extended_states=/dev/null"}, pkgs...)...)
	inst := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		// Inst NAME (VERSION RELEASE [ARCH])
		if f := strings.Fields(l); len(f) > 2 && f[0] == "Inst" {
			inst[f[1]] = strings.TrimPrefix(f[2], "(")
		}
	}
	return inst
}

// aptDifferences explains the root causes of the ways our closures differ
// from apt's ("+" ours only, "-" apt's only), for every request. A package
// that only we select and whose chain (resolver.Result.Chain) passes
// through an explained "+" package is explained by it. The resolver is
// deliberately simpler than apt: for a virtual package it takes the
// provider whose name sorts first, where apt weighs priorities.
var aptDifferences = map[string]string{
	"+gawk": "base-files Pre-Depends on the virtual package awk; we take its first provider by name, gawk",
	"-mawk": "apt's awk: of the providers, mawk has the highest priority (required, gawk is optional)",
	// Through gawk: libmpfr6, libsigsegv2, libreadline8 -> readline-common
	// -> "dpkg | install-info" -> dpkg -> tar, libbz2-1.0, liblzma5, ...
	// (with bash alone; coreutils or the essential set bring most of them
	// anyway).
}

func TestClosuresMatchApt(t *testing.T) {
	u := openIndex(t, hostIndexes(t), t.TempDir())
	essentials := u.EssentialNames()
	for _, withEssential := range []bool{false, true} {
		for _, set := range aptSets {
			key := strings.Join(set, " ")
			req := resolver.Request{Packages: set}
			aptReq := set
			if withEssential {
				key += " +essential"
				req.Optional = essentials
				aptReq = append(slices.Clone(set), essentials...)
			}
			t.Run(key, func(t *testing.T) {
				t.Parallel() // apt-get takes a second or two each time
				res, err := resolver.Resolve(u, req)
				if err != nil {
					t.Fatal(err)
				}
				if err := u.CheckConflicts(res); err != nil {
					t.Error(err)
				}
				compareClosures(t, res, aptInstalls(t, aptReq))
			})
		}
	}
}

func compareClosures(t *testing.T, res *resolver.Result, apt map[string]string) {
	var ours, theirs []string
	for _, p := range res.Packages {
		v, ok := apt[p.Name]
		switch {
		case !ok:
			ours = append(ours, p.Name)
		case v != p.Version:
			t.Errorf("%s: we select version %s, apt %s", p.Name, p.Version, v)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(apt)) {
		if !slices.Contains(names(res.Packages), n) {
			theirs = append(theirs, n)
		}
	}
	for _, n := range theirs {
		if why, ok := aptDifferences["-"+n]; ok {
			t.Logf("apt only: %s: %s", n, why)
		} else {
			t.Errorf("unexplained: apt selects %s, we do not", n)
		}
	}
	for _, n := range ours {
		chain := res.Chain(n)
		if why := explainOurs(chain); why != "" {
			t.Logf("ours only: %s: %s", strings.Join(chain, " <- "), why)
		} else {
			t.Errorf("unexplained: we select %s (%s), apt does not", n, strings.Join(chain, " <- "))
		}
	}
	t.Logf("%d packages, apt %d", len(res.Packages), len(apt))
}

// explainOurs finds an explained package on the chain.
func explainOurs(chain []string) string {
	for _, c := range chain {
		if why, ok := aptDifferences["+"+c]; ok {
			return why
		}
	}
	return ""
}
