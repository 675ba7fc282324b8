package main

import "runtime/debug"

// version is set by the Makefile from git describe (the linker sets only
// a variable initialised by a constant); a binary built without it (go
// install, go build) takes it from its build information.
var version = "dev"

func init() { version = buildVersion(version, debug.ReadBuildInfo) }

// buildVersion is set when the linker set it, else the module's version
// (v1.2.3, or a pseudo-version from go install ...@latest) and the VCS
// revision go build stamps: the fingerprint includes the version, so
// --if-newer rebuilds after a newer binary is installed.
func buildVersion(set string, info func() (*debug.BuildInfo, bool)) string {
	bi, ok := info()
	if set != "dev" || !ok {
		return set
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = set
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 12:
			rev = s.Value[:12]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev != "" {
		v += "+" + rev + dirty
	}
	return v
}
