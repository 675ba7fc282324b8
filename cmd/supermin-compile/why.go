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
)

// why explains what brought a package or a path into the appliance.
func why(args []string) int {
	fs := flag.NewFlagSet("why", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print JSON")
	args, err := parseInterleaved(fs, args)
	if err != nil || len(args) != 2 {
		return usageError("why needs a manifest and a package name or path")
	}
	m, code := parse(flag.NewFlagSet("why", flag.ContinueOnError), []string{"--", args[0]})
	if m == nil {
		return code
	}
	target := args[1]
	if !strings.HasPrefix(target, "/") {
		_, r, err := planner.Resolve(m)
		if err != nil {
			return fail(err)
		}
		return explain(WhyJSON{Target: target, Chain: r.Chain(target)}, *asJSON)
	}
	res, err := planner.Plan(m)
	if err != nil {
		return fail(err)
	}
	for _, e := range res.Plan.Entries {
		if e.Path != target {
			continue
		}
		w := WhyJSON{Target: target, Origin: whyOrigin(e.Origin), Chain: []string{}}
		if _, ok := res.Resolved.Reasons[e.Origin.Name]; e.Origin.Kind == plan.Package && ok {
			w.Chain = res.Resolved.Chain(e.Origin.Name)
		}
		if e.Origin.Kind == plan.Host {
			w.Glob = hostGlob(m.Hostfiles, e.Path)
		}
		return explain(w, *asJSON)
	}
	fmt.Fprintf(os.Stderr, "supermin-compile: %s is not in the appliance\n", target)
	return exitFail
}

// explain prints w as text or JSON: a package's chain ("perl <- sleuthkit
// (named in the manifest)"), or a path's origin followed by its package's
// chain or the glob that matched it.
func explain(w WhyJSON, asJSON bool) int {
	if w.Origin == nil && w.Chain == nil {
		fmt.Fprintf(os.Stderr, "supermin-compile: package %s is not in the closure\n", w.Target)
		return exitFail
	}
	if asJSON {
		return printJSON(w)
	}
	if w.Origin != nil {
		fmt.Printf("%s: from %s\n", w.Target, w.Origin.word())
	}
	switch {
	case len(w.Chain) > 0:
		fmt.Println(strings.Join(w.Chain, " <- "), "(named in the manifest)")
	case w.Glob != "":
		fmt.Println("matched by hostfiles glob " + w.Glob)
	case w.Origin.Kind == "host":
		fmt.Println("a parent directory, as the host has it")
	}
	return 0
}

// hostGlob names the hostfiles glob that matched path; "" when the host
// gave it as a parent directory.
func hostGlob(globs []string, path string) string {
	for _, g := range globs {
		if p, err := globber.Compile(g); err == nil && p.Match(path) {
			return g
		}
	}
	return ""
}
