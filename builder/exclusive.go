package builder

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Exclusive takes a POSIX record lock (fcntl F_SETLKW) on the whole of
// file, waiting for it, and holds it until release: --lock FILE. supermin
// takes the same kind of lock (lockf), so our builds and supermin's
// exclude each other. (Not to be confused with the appliance lock file,
// package lock.)
func Exclusive(file string) (release func(), err error) {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--lock: %w", err)
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	for {
		err = unix.FcntlFlock(f.Fd(), unix.F_SETLKW, &lk)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("--lock %s: %w", file, err)
	}
	return func() { f.Close() }, nil // closing drops the lock
}
