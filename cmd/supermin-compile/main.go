// Command supermin-compile builds minimal Linux appliances from a
// declarative appliance.toml, and lists, locks, diffs and describes them;
// run as "supermin" (or as "supermin-compile supermin") it takes supermin
// 5's command line instead. See README.md.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/boot/pid1"
)

func main() {
	if pid1.Invoked() { // the initrd's /init of an appliance we built
		pid1.Main()
	}
	if filepath.Base(os.Args[0]) == "supermin" {
		onInterrupt("supermin")
		exit(supermin(os.Args[1:]))
	}
	onInterrupt("supermin-compile")
	exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return exitUsage
	}
	cmd, ok := commands[args[0]]
	if !ok {
		if strings.HasSuffix(args[0], ".toml") {
			return build(args)
		}
		return usageError("unknown command %q", args[0])
	}
	return cmd(args[1:])
}

func exit(code int) {
	parkIfInterrupted()
	os.Exit(code)
}
