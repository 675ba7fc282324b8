package main

import (
	"flag"
	"os"
	"time"

	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/sbom"
)

// sbomCmd prints the SPDX 2.3 JSON description of an appliance.
func sbomCmd(args []string) int {
	fs := flag.NewFlagSet("sbom", flag.ContinueOnError)
	out := fs.String("o", "", "write to `FILE` instead of stdout")
	m, res, code := planned(fs, args)
	if res == nil {
		return code
	}
	if err := writeSBOM(m, res, *out); err != nil {
		return fail(err)
	}
	return 0
}

// writeSBOM writes the document to file (atomically), or to stdout.
func writeSBOM(m *manifest.Manifest, res *planner.Result, file string) error {
	created := time.Now()
	if t, ok := planner.SourceDateEpoch(); ok {
		created = t
	}
	d, err := sbom.Build(m, res, version, created)
	if err != nil {
		return err
	}
	if file == "" {
		return d.Write(os.Stdout)
	}
	return writeAtomic(file, d.Write)
}
