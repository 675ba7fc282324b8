package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tree makes a root whose links point, taken from the host, at the host's
// own directories: only a lookup that stays inside the tree finds the
// tree's files.
func tree(t *testing.T) string {
	root := t.TempDir()
	for _, d := range []string{"run/ngircd", "usr/lib/x86_64-linux-gnu", "srv/real", "etc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"var/run":      "/run",                     // absolute: the tree's /run, not the host's
		"lib":          "usr/lib",                  // relative
		"escape":       "../../../../../../../srv", // ".." stops at the root
		"loop":         "loop",
		"lib64":        "/lib/../lib/x86_64-linux-gnu", // ".." after a link, as the kernel takes it
		"etc/os-alias": "../usr",
	}
	for l, target := range links {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(l)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(root, l)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestLpath(t *testing.T) {
	root := tree(t)
	tr := New(root)
	for p, want := range map[string]string{
		"/var/run/ngircd":                    "/run/ngircd",
		"/var/run":                           "/var/run", // the last component is not followed
		"/lib/x86_64-linux-gnu/libc.so.6":    "/usr/lib/x86_64-linux-gnu/libc.so.6",
		"/escape/real":                       "/srv/real",
		"/lib64/ld-linux-x86-64.so.2":        "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
		"/etc/os-alias/lib/x86_64-linux-gnu": "/usr/lib/x86_64-linux-gnu",
		"/absent/dir/file":                   "/absent/dir/file",
		"/":                                  "/",
	} {
		got, err := tr.Lpath(p)
		if err != nil {
			t.Errorf("Lpath(%s): %v", p, err)
			continue
		}
		if got != root+strings.TrimSuffix(want, "/") && !(want == "/" && got == root+"/") {
			t.Errorf("Lpath(%s) = %s, want %s inside the tree", p, got, want)
		}
		if _, err := os.Lstat(got); err != nil && !strings.HasPrefix(p, "/absent") && !strings.HasSuffix(p, ".so.6") && !strings.HasSuffix(p, ".so.2") {
			t.Errorf("Lpath(%s) = %s, which lstat does not find: %v", p, got, err)
		}
	}
}

func TestPathFollowsTheLastLink(t *testing.T) {
	root := tree(t)
	got, err := New(root).Path("/var/run")
	if err != nil || got != root+"/run" {
		t.Errorf("Path(/var/run) = %q, %v; want %s/run", got, err, root)
	}
}

func TestLoop(t *testing.T) {
	root := tree(t)
	_, err := New(root).Lpath("/loop/x")
	if err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") || !strings.Contains(err.Error(), root) {
		t.Errorf("Lpath through a loop: %v; want an error naming the tree", err)
	}
}
