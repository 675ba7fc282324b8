package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// fingerprintPrefix starts the name of the file our drop-in leaves in an
// output directory to implement --if-newer; supermin writes no such file,
// so finding it in libguestfs's cache proves our binary built the appliance.
const fingerprintPrefix = ".supermin-compile"

// testFinishedOK is the last line libguestfs-test-tool prints on success.
const testFinishedOK = "===== TEST FINISHED OK ====="

// libguestfsEnv runs libguestfs under TCG (no KVM needed) with its appliance
// cache and temporary files in cache and tmp.
func libguestfsEnv(cache, tmp string) []string {
	return []string{
		"LIBGUESTFS_BACKEND=direct",
		"LIBGUESTFS_BACKEND_SETTINGS=force_tcg",
		"LIBGUESTFS_CACHEDIR=" + cache,
		"TMPDIR=" + tmp,
	}
}

// runLong runs argv with a time limit, killing its whole process group
// (qemu included) when the limit passes, and returns stdout and stderr
// interleaved.
func runLong(t *testing.T, what string, limit time.Duration, dir string, env []string, argv ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s took %s", what, time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return out.String(), err
}

// withOurSupermin returns argv wrapped to run in a private mount namespace
// where our binary is bind-mounted over /usr/bin/supermin, so that
// libguestfs runs it as "supermin" (the drop-in mode).
func withOurSupermin(bin string, argv ...string) []string {
	return append([]string{"unshare", "-m", "--propagation", "private", "sh", "-c",
		`mount --bind "$1" /usr/bin/supermin && shift && exec "$@"`, "sh", bin}, argv...)
}

func lastLines(s string, n int) string {
	return strings.Join(tail(strings.Split(strings.TrimRight(s, "\n"), "\n"), n), "\n")
}

func needLibguestfs(t *testing.T, cmds ...string) {
	t.Helper()
	testtool.Root(t) // mount --bind, and libguestfs's direct backend
	testtool.Need(t, append([]string{"unshare", "mount", "qemu-system-x86_64"}, cmds...)...)
	needGuestfsD(t) // also: /usr/bin/supermin must exist to be mounted over
}

// TestLibguestfsUsesOurSupermin: libguestfs, with our binary in place of
// /usr/bin/supermin, builds its appliance with it and boots it
// (libguestfs-test-tool), then guestfish reuses the cached appliance
// (--if-newer) to partition, format and write a disk.
func TestLibguestfsUsesOurSupermin(t *testing.T) {
	needLibguestfs(t, "libguestfs-test-tool", "guestfish")
	bin := binary(t)
	cache, tmp, work := t.TempDir(), t.TempDir(), t.TempDir()
	env := libguestfsEnv(cache, tmp)

	out, err := runLong(t, "libguestfs-test-tool", 10*time.Minute, work, env, withOurSupermin(bin, "libguestfs-test-tool")...)
	if err != nil || !strings.Contains(out, testFinishedOK) {
		t.Fatalf("libguestfs-test-tool with our supermin: %v, no %q; last lines:\n%s", err, testFinishedOK, lastLines(out, 60))
	}
	applianceDirs, _ := filepath.Glob(filepath.Join(cache, ".guestfs-*", "appliance.d"))
	if len(applianceDirs) != 1 {
		t.Fatalf("want one appliance.d in the cache, got %v", applianceDirs)
	}
	appliance := applianceDirs[0]
	fingerprints, _ := filepath.Glob(filepath.Join(appliance, fingerprintPrefix+"*"))
	if len(fingerprints) == 0 {
		entries, _ := os.ReadDir(appliance)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("%s has no %s* file: our binary did not build it (has %v); supermin lines:\n%s",
			appliance, fingerprintPrefix, names, grepLines(out, "supermin"))
	}
	before := inodeOf(t, filepath.Join(appliance, "root"))

	t.Run("guestfish", func(t *testing.T) {
		out, err := runLong(t, "guestfish", 10*time.Minute, work, env, withOurSupermin(bin,
			"guestfish", "-v", "-N", filepath.Join(work, "disk.img")+"=disk:64M", "--",
			"part-disk", "/dev/sda", "mbr", ":",
			"mkfs", "ext4", "/dev/sda1", ":",
			"mount", "/dev/sda1", "/", ":",
			"write", "/hello", "hi from guestfish", ":",
			"cat", "/hello")...)
		if err != nil || !strings.Contains(out, "hi from guestfish") {
			t.Fatalf("guestfish with our supermin: %v; last lines:\n%s", err, lastLines(out, 60))
		}
		// libguestfs touches the appliance's files on every launch, so
		// only the inode tells whether it was rebuilt.
		if after := inodeOf(t, filepath.Join(appliance, "root")); after != before {
			t.Errorf("the cached appliance was rebuilt (root inode %d -> %d); supermin lines:\n%s",
				before, after, grepLines(out, "supermin: "))
		}
		if !strings.Contains(out, notNeeded) {
			t.Errorf("no %q from our supermin; supermin lines:\n%s", notNeeded, grepLines(out, "supermin: "))
		}
	})
}

// TestFixedAppliance: the directory `supermin-compile build
// examples/guestfs.toml` writes is a libguestfs fixed appliance
// (README.fixed, kernel, initrd, root) that libguestfs boots.
func TestFixedAppliance(t *testing.T) {
	needLibguestfs(t, "libguestfs-test-tool")
	dir := filepath.Join(t.TempDir(), "appliance")
	run(t, nil, binary(t), "build", "../examples/guestfs.toml", "-o", dir)
	for _, f := range []string{"README.fixed", "kernel", "initrd", "root"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("fixed appliance: %v", err)
		}
	}
	env := append(libguestfsEnv(t.TempDir(), t.TempDir()), "LIBGUESTFS_PATH="+dir)
	out, err := runLong(t, "libguestfs-test-tool", 10*time.Minute, t.TempDir(), env, "libguestfs-test-tool")
	if err != nil || !strings.Contains(out, testFinishedOK) {
		t.Fatalf("libguestfs-test-tool on the fixed appliance: %v, no %q; last lines:\n%s", err, testFinishedOK, lastLines(out, 60))
	}
	// The qemu command line libguestfs prints names the root it boots.
	if !strings.Contains(out, "file="+filepath.Join(dir, "root")+",") || strings.Contains(out, "run supermin") {
		t.Errorf("libguestfs did not boot the fixed appliance in %s; its appliance lines:\n%s", dir, grepLines(out, "appliance"))
	}
}

func grepLines(s, substr string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			keep = append(keep, l)
		}
	}
	return strings.Join(head(keep, 60), "\n")
}

func inodeOf(t *testing.T, file string) uint64 {
	t.Helper()
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}
