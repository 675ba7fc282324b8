package pid1

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// waitForRoot finds the device number of root= ("/dev/vda", "/dev/sda1",
// "/dev/pmem0", "UUID=..."), waiting with a growing back-off while the
// drivers probe, and says so after a few seconds.
func waitForRoot(root string) uint64 {
	find, what := rootFinder(root)
	start := time.Now()
	warned := false
	for delay := time.Millisecond; ; delay = min(2*delay, 500*time.Millisecond) {
		if dev, ok := find(); ok {
			logf("root device %s is %d:%d", what, unix.Major(dev), unix.Minor(dev))
			return dev
		}
		waited := time.Since(start)
		if waited > maxWait {
			fatal("gave up waiting for root device %s after %s; block devices seen: %s",
				what, waited.Round(time.Second), strings.Join(blockDevices(), " "))
		}
		if waited > 3*time.Second && !warned {
			fmt.Fprintf(os.Stderr, "supermin-init: still waiting for root device %s; "+
				"is its driver (e.g. virtio_blk) in the initrd? devices seen: %s\n",
				what, strings.Join(blockDevices(), " "))
			warned = true
		}
		time.Sleep(delay)
	}
}

func rootFinder(root string) (func() (uint64, bool), string) {
	if name, ok := strings.CutPrefix(root, "/dev/"); ok {
		return func() (uint64, bool) { return devNumber(name) }, root
	}
	if u, ok := strings.CutPrefix(root, "UUID="); ok {
		raw, err := hex.DecodeString(strings.ReplaceAll(u, "-", ""))
		if err != nil || len(raw) != 16 {
			fatal("root=%s: not a UUID", root)
		}
		return func() (uint64, bool) { return findUUID(raw) }, root
	}
	fatal("root=%s: expected /dev/NAME or UUID=...", root)
	return nil, ""
}

// devNumber reads /sys/class/block/NAME/dev ("253:0").
func devNumber(name string) (uint64, bool) {
	b, err := os.ReadFile(filepath.Join("/sys/class/block", name, "dev"))
	if err != nil {
		return 0, false
	}
	ma, mi, ok := strings.Cut(strings.TrimSpace(string(b)), ":")
	major, err1 := strconv.ParseUint(ma, 10, 32)
	minor, err2 := strconv.ParseUint(mi, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, false
	}
	return unix.Mkdev(uint32(major), uint32(minor)), true
}

func blockDevices() []string {
	entries, _ := os.ReadDir("/sys/class/block")
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) == 0 {
		names = append(names, "(none)")
	}
	return names
}

// findUUID looks for an ext2/3/4 superblock with the given UUID on every
// block device: the superblock starts at byte 1024, its magic 0xEF53 at
// offset 0x38 and its UUID at 0x68.
func findUUID(uuid []byte) (uint64, bool) {
	for _, name := range blockDevices() {
		dev, ok := devNumber(name)
		if !ok {
			continue
		}
		node := "/dev/probe-" + name
		if err := unix.Mknod(node, unix.S_IFBLK|0o600, int(dev)); err != nil {
			continue
		}
		sb := make([]byte, 1024)
		f, err := os.Open(node)
		if err == nil {
			_, err = f.ReadAt(sb, 1024)
			f.Close()
		}
		os.Remove(node)
		if err == nil && sb[0x38] == 0x53 && sb[0x39] == 0xef && bytes.Equal(sb[0x68:0x78], uuid) {
			return dev, true
		}
	}
	return 0, false
}

// loadModules loads the modules listed, one file name a line, in order.
// A missing or failing module is reported, not fatal: a driver for absent
// hardware fails to load, and that is fine.
func loadModules(list string) {
	data, err := os.ReadFile(list)
	if err != nil {
		logf("no module list %s: %v", list, err)
		return
	}
	for _, name := range strings.Fields(string(data)) {
		if err := insmod("/" + name); err != nil {
			logf("%s: %v", name, err)
		}
	}
}

func insmod(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	err = unix.FinitModule(int(f.Fd()), "", 0)
	if err == unix.EEXIST {
		return nil
	}
	return err
}

// switchRoot makes dir the root: it deletes the initramfs files (freeing
// their memory; pivot_root does not work from an initramfs), moves the
// mount of dir onto / and chroots into it, as util-linux switch_root does.
func switchRoot(dir string) {
	deleteInitramfs()
	if err := os.Chdir(dir); err != nil {
		fatal("chdir %s: %v", dir, err)
	}
	if err := unix.Mount(".", "/", "", unix.MS_MOVE, ""); err != nil {
		fatal("moving %s to /: %v", dir, err)
	}
	if err := unix.Chroot("."); err != nil {
		fatal("chroot: %v", err)
	}
	os.Chdir("/")
}

// deleteInitramfs removes the files of the initramfs root, in every
// directory but mount points (/root, /proc): when /init is supermin-compile
// itself, its loader and libraries sit in /lib64 and /usr.
func deleteInitramfs() {
	var root unix.Stat_t
	if unix.Stat("/", &root) != nil {
		return
	}
	entries, err := os.ReadDir("/")
	if err != nil {
		return
	}
	for _, e := range entries {
		var st unix.Stat_t
		name := "/" + e.Name()
		if unix.Lstat(name, &st) == nil && st.Dev == root.Dev {
			os.RemoveAll(name)
		}
	}
}
