package dpkg

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"

	"github.com/supermin-compile/supermin-compile/internal/smallfile"
)

// nativeArch follows dpkg: the arch file (native first) when present, else
// the architecture of the installed dpkg, else the host's, as a last guess.
func nativeArch(admin, dpkgArch string) (string, error) {
	data, err := smallfile.Read(filepath.Join(admin, "arch"), 1<<20)
	switch {
	case err == nil:
		if a := firstLine(data); a != "" {
			return a, nil
		}
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("reading dpkg arch file: %w", err)
	}
	if dpkgArch != "" && dpkgArch != "all" {
		return dpkgArch, nil
	}
	if a, ok := goToDebian[runtime.GOARCH]; ok {
		return a, nil
	}
	return "", fmt.Errorf("cannot tell the native architecture of %s", admin)
}

func firstLine(data []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			return string(line)
		}
	}
	return ""
}

// goToDebian maps GOARCH to Debian architecture names where they differ or
// where Debian has a port.
var goToDebian = map[string]string{
	"amd64": "amd64", "386": "i386", "arm64": "arm64", "arm": "armhf",
	"ppc64le": "ppc64el", "ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64",
	"mips64le": "mips64el", "mipsle": "mipsel", "loong64": "loong64",
}
