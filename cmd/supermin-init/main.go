// Command supermin-init is the /init of the mini initrd (package boot/pid1)
// on its own: a small static binary (CGO_ENABLED=0) that `make` builds and
// embeds in supermin-compile.
package main

import "github.com/supermin-compile/supermin-compile/boot/pid1"

func main() { pid1.Main() }
