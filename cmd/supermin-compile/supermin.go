package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/supermin-compile/supermin-compile/builder"
	"github.com/supermin-compile/supermin-compile/manifest"
)

// superminVersion is the supermin release whose command line we implement.
const superminVersion = "5.2.2"

// superminArgs is supermin 5's command line.
type superminArgs struct {
	mode                             string // "build" or "prepare"
	format, output, lock, size, cpu  string
	copyKernel, ifNewer, packageList bool
	force                            bool // replace an output supermin would not have written
	useInstalled                     bool
	packagerConfig                   string
	verbose                          int
	inputs                           []string
}

// superminError prints a message the way supermin does and returns its
// exit status.
func superminError(format string, args ...any) int {
	parkIfInterrupted()
	fmt.Fprintf(os.Stderr, "supermin: "+format+"\n", args...)
	return 1
}

func logger(verbose int) func(string, ...any) {
	return func(format string, args ...any) {
		if verbose > 0 {
			fmt.Printf("supermin: "+format+"\n", args...)
		}
	}
}

// supermin runs the supermin 5 compatible front end.
func supermin(args []string) int {
	a, code, done := parseSupermin(args)
	if done {
		return code
	}
	log := logger(a.verbose)
	log("version: %s (supermin-compile %s)", superminVersion, version)
	if t := os.Getenv("TMPDIR"); t != "" && !filepath.IsAbs(t) {
		return superminError("error: environment variable $TMPDIR must be an absolute path")
	}
	if a.mode == "prepare" {
		return superminPrepare(a, log)
	}
	return superminBuild(a, log)
}

func superminPrepare(a *superminArgs, log func(string, ...any)) int {
	o := builder.Options{Exclusive: a.lock, Force: a.force, Inputs: a.inputs, Log: log}
	from := builder.PrepareFrom{Installed: a.useInstalled, PackagerConfig: a.packagerConfig}
	warnings, err := builder.Prepare("/", a.inputs, a.output, from, o)
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "supermin: warning:", w)
	}
	if err != nil {
		return superminError("%v", err)
	}
	return 0
}

func superminBuild(a *superminArgs, log func(string, ...any)) int {
	m, err := manifest.FromSuperminD(a.inputs)
	if err != nil {
		return superminError("%v", err)
	}
	m.Output, _ = filepath.Abs(a.output)
	m.Format = manifest.Ext2
	if a.format == "chroot" {
		m.Format = manifest.Chroot
	}
	if a.size != "" {
		if m.Size, err = parseSuperminSize(a.size); err != nil {
			return superminError("%v", err)
		}
	}
	m.Kernel.Copy = a.copyKernel
	m.Kernel.HostCPU = a.cpu
	log("build: %s", strings.Join(a.inputs, " "))
	s, err := builder.Build(m, builder.Options{Exclusive: a.lock, Version: version,
		Options: []string{a.cpu}, Inputs: a.inputs, PackageList: a.packageList, Log: log,
		Force: a.force, Supermin: builtNames[m.Format]}, a.ifNewer)
	if err != nil {
		return superminError("%v", err)
	}
	if res := s.Result; res != nil {
		for _, w := range res.Warnings {
			fmt.Fprintln(os.Stderr, "supermin: warning:", w)
		}
		warnUnreadable("supermin", res.Unreadable)
		log("build: %d packages, including dependencies", len(res.Resolved.Packages))
		for _, n := range append(res.Resolved.Notes, res.Resolved.Warnings...) {
			log("%s", n)
		}
		log("build: %d files, %.1f MiB, in %.2f s", s.Files, float64(s.Bytes)/(1<<20), s.Duration.Seconds())
	}
	return 0
}

// builtNames is what supermin --build writes in each format: a directory
// that holds only these may be replaced, as supermin would, without
// --force. (A chroot can hold anything, so only an empty or marked one
// is replaced.)
var builtNames = map[manifest.Format][]string{manifest.Ext2: {"kernel", "initrd", "root", "README.fixed", "dtb"}}

var superminSize = regexp.MustCompile(`^([.0-9]+)([bKMG])$`)

// parseSuperminSize reads --size as supermin does: a number and b, K, M or G.
func parseSuperminSize(s string) (int64, error) {
	m := superminSize.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("cannot parse size field '%s'", s)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("cannot parse size field '%s'", s)
	}
	bytes := f * float64(int64(1)<<(10*strings.Index("bKMG", m[2])))
	if bytes >= math.MaxInt64 { // converting would wrap to a negative size
		return 0, fmt.Errorf("size field '%s' is too large", s)
	}
	return int64(bytes), nil
}
