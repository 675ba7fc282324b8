package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/supermin-compile/supermin-compile/builder"
)

// onInterrupt makes SIGINT, SIGTERM and SIGHUP remove what the build has
// staged and exit 128+signal, after saying what was removed. The outputs
// stay as they were. A second signal during the cleanup is ignored.
func onInterrupt(prog string) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := (<-c).(syscall.Signal)
		interrupted.Store(true)
		name := "SIG" + map[syscall.Signal]string{syscall.SIGINT: "INT", syscall.SIGTERM: "TERM", syscall.SIGHUP: "HUP"}[sig]
		removed := builder.Interrupt()
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

// interrupted is set once a signal's cleanup has begun: from then on the
// cleanup decides the exit status and the message.
var interrupted atomic.Bool

// parkIfInterrupted stops the calling goroutine for good when a signal's
// cleanup has begun: the build then fails because its staging directory
// is being removed, and that failure is not the user's news.
func parkIfInterrupted() {
	if interrupted.Load() {
		select {}
	}
}
