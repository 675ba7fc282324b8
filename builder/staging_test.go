package builder

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// deadPID returns the process ID of a process that has exited.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// TestStageRemovesOnlyItsOwnDeadStaging: a build removes the staging
// directories of its own output whose build is gone, and nothing else:
// not those of an output whose name merely starts like its own, not one
// whose owner still holds its lock, not one whose process is alive.
func TestStageRemovesOnlyItsOwnDeadStaging(t *testing.T) {
	testtool.Need(t, "flock")
	dir := t.TempDir()
	dead := deadPID(t)
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := mk(fmt.Sprintf(".a.tmp-%d-1", dead))
	staleOld := mk(fmt.Sprintf(".a.old-%d-2", dead))
	aliveProcess := mk(fmt.Sprintf(".a.tmp-%d-4", os.Getpid()))
	locked := mk(fmt.Sprintf(".a.tmp-%d-5", dead))
	holder := exec.Command("flock", locked, "sleep", "60")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if err := exec.Command("flock", "-n", locked, "true").Run(); err != nil {
			break // the holder has it
		}
		if time.Now().After(deadline) {
			t.Fatal("flock never took the lock")
		}
	}
	live, err := Stage(filepath.Join(dir, "a.tmp-1"))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Abort()
	otherOutput := mk(fmt.Sprintf(".a.tmp-1.tmp-%d-3", dead)) // a dead build of output "a.tmp-1"
	s, err := Stage(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	for p, want := range map[string]bool{stale: false, staleOld: false, otherOutput: true, aliveProcess: true, locked: true, live.Dir: true} {
		if exists(p) != want {
			t.Errorf("%s: exists=%v, want %v", filepath.Base(p), !want, want)
		}
	}
	// The live build of "a.tmp-1" now cleans its own dead staging.
	again, err := Stage(filepath.Join(dir, "a.tmp-1"))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Abort()
	if exists(otherOutput) || !exists(live.Dir) {
		t.Errorf("a second build of a.tmp-1: dead staging kept=%v, live staging kept=%v", exists(otherOutput), exists(live.Dir))
	}
}

// TestCommitReplacesAndRemovesPrevious: Commit swaps the staged output in,
// removes the previous one, and leaves nothing but the output.
func TestCommitReplacesAndRemovesPrevious(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	for _, content := range []string{"one", "two"} {
		s, err := Stage(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.Dir, "f"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(out, "f")); string(b) != content {
			t.Errorf("after commit: %q, want %q", b, content)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("after commit %s: %v", content, entries)
		}
	}
}
