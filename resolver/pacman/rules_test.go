package pacman

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pacmanRefuses runs pacman -U of the named package files on a copy of
// the test root and returns its complaint; the test fails if pacman
// installs them.
func pacmanRefuses(t *testing.T, root string, files ...string) string {
	t.Helper()
	scratch := filepath.Join(t.TempDir(), "root")
	if out, err := exec.Command("cp", "-a", root, scratch).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	argv := append(append(pacmanArgs(scratch), "-U", "--noscriptlet", "--noconfirm"), files...)
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err == nil {
		t.Fatalf("pacman installed %s:\n%s", strings.Join(files, " "), out)
	}
	return string(out)
}

func pkgFile(t *testing.T, pkgs, name string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(pkgs, name+"-[0-9]*.pkg.tar.*"))
	if len(m) != 1 {
		t.Fatalf("package files of %s: %q", name, m)
	}
	return m[0]
}

// TestConflictAsPacman: smc-conflict's conflicts=('smc-base<2') keeps it
// from smc-base in pacman and in a closure, whose error names both.
func TestConflictAsPacman(t *testing.T) {
	pkgs, root, _ := fixtures(t)
	said := pacmanRefuses(t, root, pkgFile(t, pkgs, "smc-conflict"))
	if !strings.Contains(said, "smc-conflict and smc-base are in conflict") {
		t.Fatalf("pacman did not refuse for the conflict:\n%s", said)
	}
	dir, err := OpenDir(pkgs, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	r := closureOf(t, dir, "smc-conflict", "smc-app")
	err = dir.CheckConflicts(r)
	if err == nil || !strings.Contains(err.Error(), "smc-conflict conflicts with smc-base 1.0-1") {
		t.Errorf("CheckConflicts: %v, want smc-conflict against smc-base 1.0-1", err)
	}
	if err := dir.CheckConflicts(closureOf(t, dir, "smc-app")); err != nil {
		t.Errorf("smc-app alone: %v", err)
	}
}

// TestVersionedDependUnversionedProvide: smc-base provides smc-virtual
// without a version, which pacman does not take for smc-vreq's
// smc-virtual>=1; the resolver warns that nothing satisfies it.
func TestVersionedDependUnversionedProvide(t *testing.T) {
	pkgs, root, _ := fixtures(t)
	said := pacmanRefuses(t, root, pkgFile(t, pkgs, "smc-vreq"))
	if !strings.Contains(said, "unable to satisfy dependency 'smc-virtual>=1'") {
		t.Fatalf("pacman did not refuse for the dependency:\n%s", said)
	}
	dir, err := OpenDir(pkgs, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	r := closureOf(t, dir, "smc-vreq", "smc-base")
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "smc-virtual>=1") {
		t.Errorf("warnings %q, want one about smc-virtual>=1", r.Warnings)
	}
}

// TestReplacesNoted: smc-app's replaces=('smc-oldapp') is not followed,
// and the planner's notes say so.
func TestReplacesNoted(t *testing.T) {
	_, root, _ := fixtures(t)
	db, err := OpenDB(root, "")
	if err != nil {
		t.Fatal(err)
	}
	r := closureOf(t, db, "smc-app")
	if err := db.CheckConflicts(r); err != nil {
		t.Fatal(err)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "smc-app replaces smc-oldapp") {
		t.Errorf("notes %q, want smc-app's replaces", r.Notes)
	}
}

// TestDamaged: a damaged package file or database entry is an error
// naming it, never a panic.
func TestDamaged(t *testing.T) {
	pkgs, root, _ := fixtures(t)
	good, err := os.ReadFile(pkgFile(t, pkgs, "smc-base"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"truncated": good[:len(good)/2], "garbage": []byte(strings.Repeat("not a package ", 100)), "empty": nil,
	} {
		dir := t.TempDir()
		file := filepath.Join(dir, "smc-base-1.0-1-x86_64.pkg.tar.zst")
		os.WriteFile(file, data, 0o644)
		d, err := OpenDir(dir, "x86_64")
		if err == nil { // the metadata may survive a truncation; the payload cannot
			_, err = d.Entries(d.Packages()[0])
		}
		if err == nil || !strings.Contains(err.Error(), file) {
			t.Errorf("%s: %v, want an error naming %s", name, err, file)
		}
	}
	broken := filepath.Join(t.TempDir(), "root")
	if out, err := exec.Command("cp", "-a", root, broken).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	desc, _ := filepath.Glob(filepath.Join(broken, LocalDB, "smc-base-*", "desc"))
	os.WriteFile(desc[0], []byte("%NAME%\nsmc-base\n\n%ARCH%\nx86_64\n"), 0o644)
	if _, err := OpenDB(broken, ""); err == nil || !strings.Contains(err.Error(), desc[0]) || !strings.Contains(err.Error(), "no version") {
		t.Errorf("desc without a version: %v", err)
	}
}
