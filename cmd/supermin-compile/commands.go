package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/planner"
)

// Exit statuses: 2 for usage and manifest errors, 1 for failures.
const (
	exitFail  = 1
	exitUsage = 2
)

const usage = `usage: supermin-compile [build] APPLIANCE.toml [-o DIR] [--format F] [--size N]
                        [--compression C] [--if-newer] [--lock FILE] [--locked] [--sbom FILE]
                        [--force]
       supermin-compile supermin SUPERMIN-ARGS...   (or run as "supermin")
       supermin-compile COMMAND [ARGS]

commands:
  build APPLIANCE.toml           build the appliance (the default command)
  list [--json] [--locked] APPLIANCE.toml
                                 print the appliance's files, sorted by path
  lock [--check [--json]] APPLIANCE.toml
                                 write APPLIANCE.lock, or report drift from it
  diff [--json] A B              compare manifests, lock files or list --json outputs
  sbom [-o FILE] APPLIANCE.toml  describe the appliance as SPDX 2.3 JSON
  resolve [--json] APPLIANCE.toml
                                 print the package closure: name version arch
  why [--json] APPLIANCE.toml NAME|PATH
                                 show what brought a package or path in
  glob [-f FILE] PATTERN...      expand host-file globs (one pass)
  cache [prune [--keep-days N] [LOCKFILE...] | verify] [--cache-dir DIR]
                                 show, prune or check the download cache
  help                           this text
  version                        print the version
`

var commands = map[string]func([]string) int{
	"build":     build,
	"list":      list,
	"resolve":   resolve,
	"glob":      glob,
	"why":       why,
	"lock":      lockCmd,
	"diff":      diffCmd,
	"sbom":      sbomCmd,
	"cache":     cacheCmd,
	"supermin":  supermin,
	"help":      func([]string) int { fmt.Print(usage); return 0 },
	"--help":    func([]string) int { fmt.Print(usage); return 0 },
	"-h":        func([]string) int { fmt.Print(usage); return 0 },
	"version":   printVersion,
	"--version": printVersion,
}

func printVersion([]string) int {
	fmt.Println("supermin-compile", version)
	return 0
}

func usageError(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "supermin-compile: "+format+"\n", args...)
	fmt.Fprint(os.Stderr, "run 'supermin-compile help' for usage\n")
	return exitUsage
}

// fail prints err; manifest errors exit 2, everything else 1.
func fail(err error) int {
	parkIfInterrupted()
	fmt.Fprintln(os.Stderr, "supermin-compile:", err)
	var me manifest.Errors
	if errors.As(err, &me) {
		return exitUsage
	}
	return exitFail
}

// parse parses a subcommand's flags and requires exactly one manifest.
func parse(fs *flag.FlagSet, args []string) (*manifest.Manifest, int) {
	fs.SetOutput(io.Discard)
	cacheDir := fs.String("cache-dir", "", "keep downloads in `DIR` (repository sources)")
	offline := fs.Bool("offline", false, "use only what the download cache holds (repository sources)")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, usageError("%s: %v", fs.Name(), err)
	}
	if len(positional) != 1 {
		return nil, usageError("%s needs one manifest, got %d arguments", fs.Name(), len(positional))
	}
	m, err := manifest.Load(positional[0])
	if err != nil {
		var me manifest.Errors
		if errors.As(err, &me) {
			fmt.Fprintln(os.Stderr, err)
			return nil, exitUsage
		}
		return nil, usageError("%v", err)
	}
	if *cacheDir != "" {
		if m.Source.CacheDir, err = filepath.Abs(*cacheDir); err != nil {
			return nil, usageError("%v", err)
		}
	}
	m.Source.Offline = *offline
	return m, 0
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("build app.toml -o out"). "--" ends the flags: everything
// after it is positional, as with getopt.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		switch arg := args[i]; {
		case arg == "--":
			return append(positional, args[i+1:]...), fs.Parse(flags)
		case len(arg) > 1 && arg[0] == '-':
			flags = append(flags, arg)
			if takesValue(fs, arg) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			positional = append(positional, arg)
		}
	}
	return positional, fs.Parse(flags)
}

// takesValue reports whether arg is a flag whose value is the next
// argument ("-o DIR", not "-o=DIR" nor a boolean "--json").
func takesValue(fs *flag.FlagSet, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

// planned parses a subcommand's flags and one manifest, and plans it; a
// nil Result means stop with the exit status code.
func planned(fs *flag.FlagSet, args []string) (*manifest.Manifest, *planner.Result, int) {
	m, code := parse(fs, args)
	if m == nil {
		return nil, nil, code
	}
	res, err := planner.Plan(m)
	if err != nil {
		return nil, nil, fail(err)
	}
	return m, res, 0
}
