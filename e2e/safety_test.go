package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// chrootManifest writes a manifest for a small chroot with one inline
// file whose content says which manifest built it, and extra TOML.
func chrootManifest(t *testing.T, dir, name, extra string) string {
	t.Helper()
	text := fmt.Sprintf("kernel = false\nformat = \"chroot\"\n%s\n[[file]]\npath = \"/built-by\"\ncontent = %q\n", extra, name)
	file := filepath.Join(dir, name+".toml")
	must(t, os.WriteFile(file, []byte(text), 0o644))
	return file
}

// snapshot lists a directory tree with each regular file's content, so a
// test can tell that nothing in it changed.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			fmt.Fprintf(&b, "%s: %v\n", p, err)
			return nil
		}
		fmt.Fprintf(&b, "%s %v", p, fi.Mode())
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, " %q", data)
		}
		b.WriteString("\n")
		return nil
	})
	return b.String()
}

// stagingLeft lists what looks like a staging directory in dir.
func stagingLeft(dir string) []string {
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".old-") {
			left = append(left, e.Name())
		}
	}
	return left
}

// TestOutputOwnership: a build replaces only what it owns; everything
// else is refused before any work, with exit 1 and a message naming the
// path, and left exactly as it was. --force overrules ownership, never the
// paths no build may replace.
func TestOutputOwnership(t *testing.T) {
	bin := binary(t)
	type setup func(t *testing.T, dir string) (argv []string, keep string)
	withOutput := func(output string, prepare func(string)) setup {
		return func(t *testing.T, dir string) ([]string, string) {
			out := filepath.Join(dir, output)
			if prepare != nil {
				prepare(out)
			}
			return []string{bin, "build", chrootManifest(t, dir, "a", ""), "-o", out}, dir
		}
	}
	foreign := func(out string) {
		must(t, os.MkdirAll(filepath.Join(out, "src"), 0o755))
		must(t, os.WriteFile(filepath.Join(out, "notes.md"), []byte("mine"), 0o644))
	}
	cases := []struct {
		name  string
		setup setup
		force bool
		code  int
		want  string // in stderr
	}{
		{"output . in the manifest", func(t *testing.T, dir string) ([]string, string) {
			return []string{bin, "build", chrootManifest(t, dir, "a", `output = "."`)}, dir
		}, true, 1, "is the manifest's directory"},
		{"a regular file", withOutput("out", func(out string) { must(t, os.WriteFile(out, []byte("data"), 0o644)) }),
			false, 1, "it is a regular file"},
		{"a regular file, --force", withOutput("out", func(out string) { must(t, os.WriteFile(out, []byte("data"), 0o644)) }),
			true, 0, ""},
		{"a directory of the user's", withOutput("out", foreign), false, 1, `holds "notes.md" and "src/"`},
		{"a directory of the user's, --force", withOutput("out", foreign), true, 0, ""},
		{"a symlink", withOutput("out", func(out string) { must(t, os.Symlink(".", out)) }), false, 1, "a symbolic link"},
		{"an empty directory", withOutput("out", func(out string) { must(t, os.Mkdir(out, 0o755)) }), false, 0, ""},
		{"/", func(t *testing.T, dir string) ([]string, string) {
			return []string{bin, "build", chrootManifest(t, dir, "a", ""), "-o", "/"}, dir
		}, true, 1, "cannot be /"},
		{"an ancestor of the manifest", func(t *testing.T, dir string) ([]string, string) {
			sub := filepath.Join(dir, "project", "appliance")
			must(t, os.MkdirAll(sub, 0o755))
			return []string{bin, "build", chrootManifest(t, sub, "a", ""), "-o", filepath.Join(dir, "project")}, dir
		}, true, 1, "holds the manifest's directory"},
		{"the home directory", func(t *testing.T, dir string) ([]string, string) {
			home := filepath.Join(dir, "home")
			must(t, os.Mkdir(home, 0o755))
			t.Setenv("HOME", home)
			return []string{bin, "build", chrootManifest(t, dir, "a", ""), "-o", home}, dir
		}, true, 1, "is your home directory"},
		{"a directory holding a base tarball", func(t *testing.T, dir string) ([]string, string) {
			in := filepath.Join(dir, "inputs")
			must(t, os.Mkdir(in, 0o755))
			tarball := filepath.Join(in, "base.tar")
			must(t, exec.Command("tar", "-cf", tarball, "-C", dir, "--files-from=/dev/null").Run())
			m := chrootManifest(t, dir, "a", fmt.Sprintf("base = [%q]", tarball))
			return []string{bin, "build", m, "-o", in}, dir
		}, true, 1, "holds an input of the build"},
		{"a directory holding an inline source", func(t *testing.T, dir string) ([]string, string) {
			in := filepath.Join(dir, "inputs")
			must(t, os.Mkdir(in, 0o755))
			must(t, os.WriteFile(filepath.Join(in, "motd"), []byte("hi"), 0o644))
			m := chrootManifest(t, dir, "a", "")
			f, _ := os.OpenFile(m, os.O_APPEND|os.O_WRONLY, 0)
			fmt.Fprintf(f, "[[file]]\npath = \"/etc/motd\"\nsource = %q\n", filepath.Join(in, "motd"))
			f.Close()
			return []string{bin, "build", m, "-o", in}, dir
		}, true, 1, "holds an input of the build"},
		{"the drop-in: a directory of the user's", func(t *testing.T, dir string) ([]string, string) {
			d := superminD(t, dir)
			out := filepath.Join(dir, "appliance")
			foreign(out)
			return []string{bin, "supermin", "--build", "-f", "chroot", d, "-o", out}, dir
		}, false, 1, "not an output of supermin-compile"},
		{"the drop-in: supermin's own prepare output", func(t *testing.T, dir string) ([]string, string) {
			out := filepath.Join(dir, "supermin.d")
			must(t, os.Mkdir(out, 0o755))
			must(t, os.WriteFile(filepath.Join(out, "packages"), []byte("bash\n"), 0o644))
			return []string{bin, "supermin", "--prepare", "--use-installed", "bash", "-o", out}, dir
		}, false, 0, ""},
		{"the drop-in: a prepare output holding more", func(t *testing.T, dir string) ([]string, string) {
			out := filepath.Join(dir, "supermin.d")
			must(t, os.Mkdir(out, 0o755))
			must(t, os.WriteFile(filepath.Join(out, "packages"), []byte("bash\n"), 0o644))
			must(t, os.WriteFile(filepath.Join(out, "daemon.tar.gz"), nil, 0o644))
			return []string{bin, "supermin", "--prepare", "--use-installed", "bash", "-o", out}, dir
		}, false, 1, `"daemon.tar.gz"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			argv, keep := c.setup(t, dir)
			if c.force {
				argv = append(argv, "--force")
			}
			before := snapshot(t, keep)
			r := runCode(t, nil, argv...)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, c.code, c.want)
			}
			if c.code != 0 {
				if after := snapshot(t, keep); after != before {
					t.Errorf("a refused build changed %s:\nbefore:\n%s\nafter:\n%s", keep, before, after)
				}
				if c.force && !strings.Contains(r.stderr, "even with --force") && !strings.Contains(r.stderr, "cannot be /") {
					t.Errorf("the message should say --force cannot help: %s", r.stderr)
				}
				if !c.force && !strings.Contains(r.stderr, "--force") {
					t.Errorf("the message should say how to overrule it: %s", r.stderr)
				}
			}
		})
	}
}

// superminD writes a supermin.d whose only input is a hostfiles list.
func superminD(t *testing.T, dir string) string {
	d := filepath.Join(dir, "supermin.d")
	must(t, os.Mkdir(d, 0o755))
	must(t, os.WriteFile(filepath.Join(d, "hostfiles"), []byte("/etc/hostname\n"), 0o644))
	return d
}

// TestForceInManifestIsRefused: overruling ownership is a command-line
// decision; a manifest that says force = true is a manifest error.
func TestForceInManifestIsRefused(t *testing.T) {
	dir := t.TempDir()
	r := runCode(t, nil, binary(t), "build", chrootManifest(t, dir, "a", "force = true"))
	if r.code != 2 || !strings.Contains(r.stderr, "a.toml:3: force: not accepted in a manifest") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// TestOutputInsideItsInputs: with the output under a hostfiles glob, each
// build has the same files: the previous output is never an input.
func TestOutputInsideItsInputs(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "srv")
	must(t, os.Mkdir(src, 0o755))
	for i := range 4 {
		must(t, os.WriteFile(filepath.Join(src, fmt.Sprint("f", i)), []byte("x"), 0o644))
	}
	m := chrootManifest(t, dir, "a", fmt.Sprintf("hostfiles = [%q]\noutput = %q", src+"/**", filepath.Join(src, "out")))
	var counts []int
	for i := range 3 {
		r := runCode(t, nil, binary(t), "build", m)
		if r.code != 0 {
			t.Fatalf("build %d: %s", i, r.stderr)
		}
		counts = append(counts, len(walked(t, filepath.Join(src, "out"))))
		if warned := strings.Count(r.stderr, "left out the output"); warned != min(i, 1) {
			t.Errorf("build %d: %d warnings about the output, want %d:\n%s", i, warned, min(i, 1), r.stderr)
		}
	}
	if counts[0] != counts[1] || counts[1] != counts[2] {
		t.Errorf("the output grows from build to build: %v files", counts)
	}
}

// slowManifest is a chroot of many host files, so that a build takes long
// enough to be interrupted at different points.
func slowManifest(t *testing.T, dir string) string {
	return chrootManifest(t, dir, "slow", `hostfiles = ["/usr/share/doc/**"]`)
}

// waitStaging waits until a staging directory appears in dir.
func waitStaging(t *testing.T, dir string) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if len(stagingLeft(dir)) > 0 {
			return
		}
	}
	t.Fatal("no staging directory appeared")
}

// TestInterruptRemovesStaging: SIGINT, SIGTERM and SIGHUP remove the
// staging directory, say so, exit 128+signal and leave the previous
// output whole.
func TestInterruptRemovesStaging(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	run(t, nil, binary(t), "build", chrootManifest(t, dir, "a", ""), "-o", out)
	before := snapshot(t, out)
	m := slowManifest(t, dir)
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}, {syscall.SIGHUP, 129}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			cmd := exec.Command(binary(t), "build", m, "-o", out, "--force")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			must(t, cmd.Start())
			waitStaging(t, dir)
			time.Sleep(100 * time.Millisecond) // into the writing
			must(t, cmd.Process.Signal(c.sig))
			cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != c.code {
				t.Errorf("exit %d, want %d: %s", code, c.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "removed the unfinished build") {
				t.Errorf("stderr does not say what was removed: %s", stderr.String())
			}
			if left := stagingLeft(dir); len(left) > 0 {
				t.Errorf("staging left behind: %v", left)
			}
			if after := snapshot(t, out); after != before {
				t.Error("the interrupted build changed the previous output")
			}
		})
	}
}

// TestKillKeepsPreviousOutput: SIGKILL at points spread over a build
// leaves either the previous output or the new one, whole, never a mix;
// the next build removes what the killed one staged.
func TestKillKeepsPreviousOutput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	m := slowManifest(t, dir)
	start := time.Now()
	run(t, nil, binary(t), "build", m, "-o", out)
	took := time.Since(start)
	complete := snapshot(t, out)
	small := chrootManifest(t, dir, "small", "")
	const points = 14
	for i := range points {
		run(t, nil, binary(t), "build", small, "-o", out)
		previous := snapshot(t, out)
		cmd := exec.Command(binary(t), "build", m, "-o", out)
		must(t, cmd.Start())
		time.Sleep(took * time.Duration(i) / points)
		cmd.Process.Kill()
		cmd.Wait()
		if now := snapshot(t, out); now != previous && now != complete {
			t.Fatalf("kill point %d/%d: the output is neither the previous one nor the new one", i, points)
		}
		if r := runCode(t, nil, binary(t), "build", small, "-o", out); r.code != 0 {
			t.Fatalf("kill point %d/%d: the next build failed: %s", i, points, r.stderr)
		}
		if left := stagingLeft(dir); len(left) > 0 {
			t.Fatalf("kill point %d/%d: the next build left %v", i, points, left)
		}
	}
}

// TestConcurrentBuildsAgreeOnFingerprint: two manifests built into one
// output at the same time, with and without --lock: afterwards --if-newer
// calls the output current for the manifest that built it, and only for
// that one.
func TestConcurrentBuildsAgreeOnFingerprint(t *testing.T) {
	for _, lock := range []bool{false, true} {
		t.Run(fmt.Sprint("lock=", lock), func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			ms := []string{chrootManifest(t, dir, "a", ""), chrootManifest(t, dir, "b", "")}
			for round := range 5 {
				var wg sync.WaitGroup
				for i := range 6 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						argv := []string{binary(t), "build", ms[i%2], "-o", out}
						if lock {
							argv = append(argv, "--lock", filepath.Join(dir, "lock"))
						}
						if r := runCode(t, nil, argv...); r.code != 0 {
							t.Errorf("round %d: %s", round, r.stderr)
						}
					}()
				}
				wg.Wait()
				builtBy, err := os.ReadFile(filepath.Join(out, "built-by"))
				must(t, err)
				for _, m := range ms {
					r := runCode(t, nil, binary(t), "build", m, "-o", out, "--if-newer")
					current := strings.Contains(r.stderr, "is up to date")
					mine := strings.HasSuffix(m, string(builtBy)+".toml")
					if current != mine {
						t.Fatalf("round %d: output built by %s; --if-newer for %s says current=%v", round, builtBy, filepath.Base(m), current)
					}
					if !current {
						break // it rebuilt: the next check would see the other manifest's output
					}
				}
			}
			if left := stagingLeft(dir); len(left) > 0 {
				t.Errorf("staging left behind: %v", left)
			}
		})
	}
}

// TestOutputOnFullDisk: a build that runs out of room on the output's
// file system fails with exit 1, removes its staging directory and
// leaves the previous output whole.
func TestOutputOnFullDisk(t *testing.T) {
	testtool.Root(t)
	dir := t.TempDir()
	must(t, exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).Run())
	defer exec.Command("umount", dir).Run()
	out := filepath.Join(dir, "out")
	run(t, nil, binary(t), "build", chrootManifest(t, dir, "a", ""), "-o", out)
	before := snapshot(t, out)
	r := runCode(t, nil, binary(t), "build", slowManifest(t, dir), "-o", out)
	if r.code != 1 || !strings.Contains(r.stderr, "no space left on device") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, ".tmp-") {
		t.Errorf("the message names the staging directory, which is gone: %s", r.stderr)
	}
	if left := stagingLeft(dir); len(left) > 0 {
		t.Errorf("staging left behind: %v", left)
	}
	if after := snapshot(t, out); after != before {
		t.Error("the failed build changed the previous output")
	}
}

// TestSBOMFollowsTheOutput: build --sbom writes the SBOM only once the
// output is committed: a failed build leaves none, and a build that
// --if-newer skips still writes it, for the output that is there.
func TestSBOMFollowsTheOutput(t *testing.T) {
	dir := t.TempDir()
	m := chrootManifest(t, dir, "a", `hostfiles = ["/usr/share/doc/**"]`)
	out, sbom := filepath.Join(dir, "out"), filepath.Join(dir, "a.spdx.json")
	r := runCode(t, nil, binary(t), "build", m, "-o", out, "--format", "ext2", "--size", "1M", "--sbom", sbom)
	if r.code != 1 || !strings.Contains(r.stderr, "too small") {
		t.Fatalf("want a too-small ext2 image to fail: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(sbom); err == nil {
		t.Error("a failed build wrote an SBOM")
	}
	run(t, nil, binary(t), "build", m, "-o", out)
	r = runCode(t, nil, binary(t), "build", m, "-o", out, "--if-newer", "--sbom", sbom)
	if r.code != 0 || !strings.Contains(r.stderr, "is up to date") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if doc, err := os.ReadFile(sbom); err != nil || !strings.Contains(string(doc), `"fileName": "./built-by"`) {
		t.Errorf("a build skipped by --if-newer wrote no SBOM of its output: %v", err)
	}
}
