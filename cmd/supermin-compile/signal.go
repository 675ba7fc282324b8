package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/supermin-compile/supermin-compile/emit"
)

// onInterrupt makes SIGINT, SIGTERM and SIGHUP remove what the build has
// staged and exit 128+signal, after saying what was removed. The outputs
// stay as they were. A second signal during the cleanup is ignored.
func onInterrupt(prog string) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := (<-c).(syscall.Signal)
		name := "SIG" + map[syscall.Signal]string{syscall.SIGINT: "INT", syscall.SIGTERM: "TERM", syscall.SIGHUP: "HUP"}[sig]
		removed := emit.Interrupt()
		if len(removed) == 0 {
			fmt.Fprintf(os.Stderr, "%s: interrupted by %s\n", prog, name)
		}
		for _, r := range removed {
			fmt.Fprintf(os.Stderr, "%s: interrupted by %s: removed the unfinished build %s (%.1f MiB); %s is as it was\n",
				prog, name, r.Dir, float64(r.Bytes)/(1<<20), r.Output)
		}
		os.Exit(128 + int(sig))
	}()
}
