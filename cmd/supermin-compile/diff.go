package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/smallfile"
	"github.com/supermin-compile/supermin-compile/lock"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
)

// diffCmd compares two appliances, each given as a manifest, a lock file or
// the output of `list --json`; exit 1 when they differ (a CI gate).
func diffCmd(args []string) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print the changes as JSON")
	files, err := parseInterleaved(fs, args)
	if err != nil || len(files) != 2 {
		return usageError("diff needs two manifests, lock files or list --json outputs")
	}
	var views [2]*lock.View
	for i, f := range files {
		if views[i], err = viewOf(f); err != nil {
			return fail(err)
		}
	}
	c := lock.Compare(views[0], views[1])
	if *asJSON {
		b, _ := json.MarshalIndent(c, "", "  ")
		fmt.Println(string(b))
	} else if lines := c.Lines(); len(lines) > 0 {
		fmt.Println(strings.Join(lines, "\n"))
	}
	if !c.Empty() {
		return exitFail
	}
	return 0
}

// viewOf reads one side of a diff, recognised by its content.
func viewOf(file string) (*lock.View, error) {
	data, err := smallfile.Read(file, 1<<30) // list --json of a large appliance
	if err != nil {
		return nil, err
	}
	switch {
	case isJSONArray(data):
		var entries []plan.ListEntry
		if err := json.Unmarshal(data, &entries); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		return lock.ListView(entries), nil
	case strings.HasSuffix(file, ".lock"):
		l, err := lock.Parse(file, data)
		if err != nil {
			return nil, err
		}
		return lock.LockView(l), nil
	}
	m, err := manifest.Load(file)
	if err != nil {
		return nil, err
	}
	res, err := planner.Plan(m)
	if err != nil {
		return nil, err
	}
	pkgs := map[string]string{}
	for _, p := range res.Resolved.Packages {
		pkgs[p.Name+":"+p.Arch] = p.Version
	}
	return lock.PlanView(res.Plan, pkgs), nil
}

// isJSONArray tells `list --json` output ("[" then "{" or "]") from TOML,
// whose tables also start with "[".
func isJSONArray(data []byte) bool {
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(data), []byte("["))
	rest = bytes.TrimSpace(rest)
	return ok && len(rest) > 0 && (rest[0] == '{' || rest[0] == ']')
}
