package rpm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// BenchmarkOpenDB opens the Amazon Linux 2023 database (103 packages) and
// resolves dnf's closure (101 of them), and prints how long rpm takes
// merely to list the same database (`rpm -qa`), as a ratio.
func BenchmarkOpenDB(b *testing.B) {
	file := testtool.Fixture(b, "rpm/rpmdb/amazonlinux2023/rpmdb.sqlite")
	req := resolver.Request{Packages: []string{"dnf"}}
	n := 0
	for b.Loop() {
		d, err := OpenDB("/", file, "x86_64")
		if err != nil {
			b.Fatal(err)
		}
		r, err := resolver.Resolve(d, req)
		if err != nil {
			b.Fatal(err)
		}
		n = len(r.Packages)
	}
	ours := b.Elapsed() / time.Duration(b.N)
	theirs := medianRun(b, "rpm", "-qa", "--dbpath", filepath.Dir(file))
	fmt.Printf("BenchmarkOpenDB: open and resolve %d packages in %s; rpm -qa: %s; rpm/ours = %.1f\n",
		n, ours.Round(time.Microsecond), theirs.Round(time.Microsecond), float64(theirs)/float64(ours))
}

// BenchmarkOpenDirFixtures reads the headers of the 41 real packages and
// resolves a closure, next to `rpm -qp` reading the same headers.
func BenchmarkOpenDirFixtures(b *testing.B) {
	dir := testtool.Fixture(b, "rpm/packages")
	for b.Loop() {
		d, err := OpenDir(dir, "x86_64")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := resolver.Resolve(d, resolver.Request{Packages: []string{"epel-release", "nodejs010-nodejs-oauth-sign"}}); err != nil {
			b.Fatal(err)
		}
	}
	ours := b.Elapsed() / time.Duration(b.N)
	theirs := medianRun(b, "rpm", append([]string{"-qp", "--nosignature"}, rpmFiles(b, dir)...)...)
	fmt.Printf("BenchmarkOpenDirFixtures: %s; rpm -qp of the same files: %s; rpm/ours = %.1f\n",
		ours.Round(time.Microsecond), theirs.Round(time.Microsecond), float64(theirs)/float64(ours))
}

// medianRun is the median of 5 runs of a command.
func medianRun(b *testing.B, name string, args ...string) time.Duration {
	testtool.Need(b, name)
	var times []time.Duration
	for range 5 {
		start := time.Now()
		cmd := exec.Command(name, args...)
		cmd.Stdout = nil
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return times[len(times)/2]
}

// BenchmarkOpenRepos opens the CentOS Stream 9 BaseOS and AppStream
// repodata (18774 packages, 60 MB of XML) and resolves a closure, in a
// child process so that its peak RSS is its own, next to `dnf makecache`
// reading the same metadata into its own cache (libsolv's .solv files).
func BenchmarkOpenRepos(b *testing.B) {
	base, app := testtool.Fixture(b, baseOS), testtool.Fixture(b, appStream)
	for b.Loop() {
		ours := childRun(b, exec.Command(os.Args[0], "-test.run=^TestOpenReposChild$", "-test.count=1"), "SMC_OPEN_REPOS=1")
		testtool.Need(b, "dnf")
		tmp := b.TempDir()
		conf := filepath.Join(tmp, "dnf.conf")
		os.WriteFile(conf, nil, 0o644)
		dnf := childRun(b, exec.Command("dnf", "-q", "-c", conf, "--setopt=reposdir="+tmp, "--installroot="+filepath.Join(tmp, "root"),
			"--setopt=cachedir="+filepath.Join(tmp, "cache"), "--releasever=9", "--forcearch=x86_64",
			"--repofrompath=b,file://"+base, "--repofrompath=a,file://"+app, "makecache"))
		fmt.Printf("BenchmarkOpenRepos: open BaseOS+AppStream and resolve: %s, peak RSS %d MiB; dnf makecache: %s, peak RSS %d MiB\n",
			ours.wall.Round(time.Millisecond), ours.maxRSS>>10, dnf.wall.Round(time.Millisecond), dnf.maxRSS>>10)
	}
}

type usage struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

func childRun(b *testing.B, cmd *exec.Cmd, env ...string) usage {
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", cmd.Path, err, out)
	}
	return usage{time.Since(start), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss}
}

// TestOpenReposChild is BenchmarkOpenRepos's child: it does its work only
// when SMC_OPEN_REPOS is set.
func TestOpenReposChild(t *testing.T) {
	if os.Getenv("SMC_OPEN_REPOS") == "" {
		return
	}
	app := localRepo(t, "appstream", testtool.Fixture(t, appStream), noPackages)
	app.Filelists = nil
	u, err := OpenRepos([]Repo{localRepo(t, "baseos", testtool.Fixture(t, baseOS), noPackages), app}, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resolver.Resolve(u, resolver.Request{Packages: []string{"httpd", "git"}}); err != nil {
		t.Fatal(err)
	}
}
