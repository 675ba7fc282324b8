// Package pid1 is the /init of the mini initrd: it loads the kernel
// modules listed in /modules, finds the root device named by root= on the
// kernel command line, mounts it, switches to it and runs its /init. On a
// fatal error it says what it tried and powers the machine off, so that
// nothing hangs.
//
// cmd/supermin-init is this alone, small and static, which `make` embeds
// in supermin-compile. A supermin-compile built without it (go install)
// puts itself in the initrd as /init and runs Main when the kernel starts it.
package pid1

import (
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// maxWait bounds the wait for the root device.
const maxWait = 60 * time.Second

var quiet bool

func logf(format string, args ...any) {
	if !quiet {
		fmt.Fprintf(os.Stderr, "supermin-init: "+format+"\n", args...)
	}
}

// fatal reports and powers off; PID 1 must never just exit.
func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "supermin-init: "+format+"\n", args...)
	fmt.Fprintln(os.Stderr, "supermin-init: powering off")
	unix.Sync()
	unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	os.Exit(1)
}

// Invoked reports whether the kernel started this process as the
// initrd's /init: PID 1 and argv[0] "/init". A tool run as PID 1 in a
// container has its own name as argv[0].
func Invoked() bool {
	return os.Getpid() == 1 && len(os.Args) > 0 && os.Args[0] == "/init"
}

// Main boots the appliance; it never returns.
func Main() {
	mount("proc", "/proc", "proc")
	cmdline, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		fatal("reading /proc/cmdline: %v", err)
	}
	args := strings.Fields(string(cmdline))
	quiet = hasArg(args, "quiet")
	mount("sysfs", "/sys", "sysfs")
	loadModules("/modules")

	root := argValue(args, "root")
	if root == "" {
		fatal("no root= on the kernel command line (%s)", strings.TrimSpace(string(cmdline)))
	}
	dev := waitForRoot(root)
	if err := unix.Unmount("/sys", 0); err != nil {
		logf("umount /sys: %v", err)
	}
	if err := unix.Mknod("/dev/root", unix.S_IFBLK|0o600, int(dev)); err != nil {
		fatal("mknod /dev/root (%d:%d): %v", unix.Major(dev), unix.Minor(dev), err)
	}
	mountRoot(strings.HasPrefix(root, "/dev/pmem"))
	switchRoot("/root")
	if err := unix.Exec("/init", []string{"/init"}, os.Environ()); err != nil {
		fatal("exec /init of the appliance: %v (is /init in the image and executable?)", err)
	}
}

func mount(source, target, fstype string) {
	os.MkdirAll(target, 0o755)
	if err := unix.Mount(source, target, fstype, 0, ""); err != nil && err != unix.EBUSY {
		fatal("mount %s on %s: %v", fstype, target, err)
	}
}

func hasArg(args []string, name string) bool {
	for _, a := range args {
		if a == name {
			return true
		}
	}
	return false
}

// argValue returns the value of the last name=value argument.
func argValue(args []string, name string) string {
	v := ""
	for _, a := range args {
		if val, ok := strings.CutPrefix(a, name+"="); ok {
			v = val
		}
	}
	return v
}

// mountRoot mounts /dev/root on /root as ext2, then ext4 (kernels built
// without ext2 support use the ext4 driver for it).
func mountRoot(dax bool) {
	os.MkdirAll("/root", 0o755)
	opts := ""
	if dax {
		opts = "dax"
	}
	var tried []string
	for _, fstype := range []string{"ext2", "ext4"} {
		err := unix.Mount("/dev/root", "/root", fstype, unix.MS_NOATIME, opts)
		if err == nil {
			logf("mounted the root device as %s", fstype)
			return
		}
		tried = append(tried, fmt.Sprintf("%s: %v", fstype, err))
	}
	fatal("mounting the root device on /root failed (%s)", strings.Join(tried, "; "))
}
