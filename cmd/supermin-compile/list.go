package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/supermin-compile/supermin-compile/globber"
	"github.com/supermin-compile/supermin-compile/internal/smallfile"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
)

func list(args []string) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print a JSON array")
	locked := fs.Bool("locked", false, "fail when the plan differs from APPLIANCE.lock")
	m, res, code := planned(fs, args)
	if res == nil {
		return code
	}
	if *locked {
		if err := checkLock(m, res); err != nil {
			return fail(err)
		}
	}
	warn(res)
	write := plan.WriteList
	if *asJSON {
		write = plan.WriteJSON
	}
	if err := write(os.Stdout, res.Plan); err != nil {
		return fail(err)
	}
	return 0
}

func resolve(args []string) int {
	fs := flag.NewFlagSet("resolve", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	m, code := parse(fs, args)
	if m == nil {
		return code
	}
	_, r, err := planner.Resolve(m)
	if err != nil {
		return fail(err)
	}
	for _, w := range append(r.Notes, r.Warnings...) {
		fmt.Fprintln(os.Stderr, "supermin-compile:", w)
	}
	if *asJSON {
		out := ResolveJSON{Packages: []ResolvedPackage{}}
		for _, p := range r.Packages {
			out.Packages = append(out.Packages, ResolvedPackage{p.Name, p.Version, p.Arch, r.Reasons[p.Name]})
		}
		return printJSON(out)
	}
	w := bufio.NewWriter(os.Stdout)
	for _, p := range r.Packages {
		fmt.Fprintln(w, p.Name, p.Version, p.Arch)
	}
	w.Flush()
	return 0
}

// warn prints the resolver's notes and warnings, the host paths left out
// as unreadable and the count of package files the host lacks.
func warn(res *planner.Result) {
	for _, w := range append(append(res.Resolved.Notes, res.Resolved.Warnings...), res.Warnings...) {
		fmt.Fprintln(os.Stderr, "supermin-compile:", w)
	}
	warnUnreadable("supermin-compile", res.Unreadable)
	if n := res.AbsentFiles.Count; n > 0 {
		fmt.Fprintf(os.Stderr, "supermin-compile: %d package files are not on the host and were skipped (e.g. %s)\n",
			n, strings.Join(res.AbsentFiles.First[:min(3, len(res.AbsentFiles.First))], ", "))
	}
}

// warnUnreadable prints one line per host path left out because it could
// not be read, in supermin 5's words:
// "supermin: warning: PATH: Permission denied (ignored)".
func warnUnreadable(prog string, u planner.Unreadable) {
	for _, e := range u {
		fmt.Fprintf(os.Stderr, "%s: warning: %s: %s (ignored)\n", prog, e.Path, strerror(e.Err))
	}
}

// strerror words an error as the C library words errno: "Permission denied".
func strerror(err error) string {
	s := err.Error()
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func glob(args []string) int {
	fs := flag.NewFlagSet("glob", flag.ContinueOnError)
	file := fs.String("f", "", "read patterns from `FILE`, one a line")
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	patterns := fs.Args()
	if *file != "" {
		more, err := readLines(*file)
		if err != nil {
			return usageError("%v", err)
		}
		patterns = append(patterns, more...)
	}
	pats := make([]*globber.Pattern, len(patterns))
	for i, p := range patterns {
		var err error
		if pats[i], err = globber.Compile(p); err != nil {
			return usageError("%q: %v", p, err)
		}
	}
	matches, err := globber.Expand(globber.OSFS("/"), pats)
	if err != nil {
		return fail(err)
	}
	w := bufio.NewWriter(os.Stdout)
	for _, m := range matches {
		fmt.Fprintln(w, m.Path)
	}
	w.Flush()
	return 0
}

func readLines(file string) ([]string, error) {
	data, err := smallfile.Read(file, 64<<20)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines, nil
}
