package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/supermin-compile/supermin-compile/globber"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// why explains what brought a package or a path into the appliance.
func why(args []string) int {
	fs := flag.NewFlagSet("why", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	args, err := parseInterleaved(fs, args)
	if err != nil || len(args) != 2 {
		return usageError("why needs a manifest and a package name or path")
	}
	m, code := parse(fs, []string{"--", args[0]})
	if m == nil {
		return code
	}
	target := args[1]
	if !strings.HasPrefix(target, "/") {
		_, r, err := planner.Resolve(m)
		if err != nil {
			return fail(err)
		}
		return printChain(r, target)
	}
	res, err := planner.Plan(m)
	if err != nil {
		return fail(err)
	}
	for _, e := range res.Plan.Entries {
		if e.Path != target {
			continue
		}
		fmt.Printf("%s: from %s\n", e.Path, e.Origin)
		if _, ok := res.Resolved.Reasons[e.Origin.Name]; e.Origin.Kind == plan.Package && ok {
			return printChain(res.Resolved, e.Origin.Name)
		}
		if e.Origin.Kind == plan.Host {
			fmt.Println(hostReason(m.Hostfiles, e.Path))
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "supermin-compile: %s is not in the appliance\n", target)
	return exitFail
}

func printChain(r *resolver.Result, name string) int {
	chain := r.Chain(name)
	if chain == nil {
		fmt.Fprintf(os.Stderr, "supermin-compile: package %s is not in the closure\n", name)
		return exitFail
	}
	fmt.Println(strings.Join(chain, " <- "), "(named in the manifest)")
	return 0
}

// hostReason names the hostfiles glob that matched path, or says that the
// host gave it as a parent directory.
func hostReason(globs []string, path string) string {
	for _, g := range globs {
		if p, err := globber.Compile(g); err == nil && p.Match(path) {
			return "matched by hostfiles glob " + g
		}
	}
	return "a parent directory, as the host has it"
}
