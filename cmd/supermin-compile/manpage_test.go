package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// The man page, doc/supermin-compile.1, is generated from the --help texts
// (usage, superminUsage) and the prose below, so the two cannot drift:
// TestManPageIsCurrent fails when the committed page differs from what
// they give. `make man` (go test -run TestManPage -update-man) rewrites it.

const manPage = "../../doc/supermin-compile.1"

var updateMan = flag.Bool("update-man", false, "rewrite "+manPage+" from the --help texts")

// manSections are the prose of the page; "@USAGE", "@COMMANDS" and
// "@SUPERMIN" stand for the --help texts, shown as they are.
const manSections = `.TH SUPERMIN\-COMPILE 1 "" "supermin\-compile" "User Commands"
.nh
.SH NAME
supermin\-compile \- build minimal Linux appliances from a declarative appliance.toml
.SH SYNOPSIS
@USAGE
.SH DESCRIPTION
.B supermin\-compile
builds a minimal Linux appliance (an ext2 image with a kernel and an initrd,
a cpio initramfs, or a chroot directory) from an
.IR appliance.toml
that lists packages, host\-file globs, exclude globs, base tarballs and inline
files. It resolves the package closure from the package metadata (dpkg, a
directory of .deb or .rpm files, apt or rpm\-md repositories), without a chroot,
install scripts or, for host packages, the network, and writes one sorted,
deterministic file list in the chosen format.
.PP
Run as
.B supermin
(a symlink, the Debian package's diversion, or a bind mount over
/usr/bin/supermin) or as
.BR "supermin\-compile supermin" ,
it takes supermin 5's command line instead: see
.BR "SUPERMIN COMPATIBILITY" .
.PP
README.md, in the source and in /usr/share/doc/supermin\-compile, describes
the manifest, the formats, the lock files and the design in full.
.SH COMMANDS
@COMMANDS
.SH EXIT STATUS
0 on success; 1 when the command failed; 2 for a usage error or an error in
the manifest (its message names the file and line).
.SH FILES
.TP
.I APPLIANCE.lock
beside the manifest: the pinned closure that
.B lock
writes and
.B \-\-locked
checks.
.TP
.I $XDG_CACHE_HOME/supermin\-compile
(~/.cache/supermin\-compile): the download cache of repository sources.
.TP
.I OUTPUT/.supermin\-compile.fingerprint
the marker of an output this tool wrote; a build replaces only such an
output, unless
.BR \-\-force .
.SH SUPERMIN COMPATIBILITY
Run as
.BR supermin ,
the binary takes supermin 5's command line, so libguestfs builds its
appliance with it unchanged (libguestfs runs
.B supermin \-\-build \-\-if\-newer \-f ext2
before each launch). The Debian package installs it so: it diverts
supermin's /usr/bin/supermin to /usr/bin/supermin.distrib and supermin's
man page to
.BR supermin.distrib (1),
so that both
.B supermin
and
.B man supermin
are this tool; removing the package puts supermin's back.
.PP
Its
.B \-\-help
reads:
@SUPERMIN
.PP
Where it differs from supermin 5:
.IP \(bu 2
.B \-o
is replaced only if supermin would have written it (absent, empty, one of
our outputs, or holding only what supermin writes there);
.B \-\-force
overrules that.
.IP \(bu 2
.B \-\-if\-newer
compares a fingerprint of the inputs, packages and kernel, not
modification times, so an unchanged appliance is not rebuilt.
.IP \(bu 2
Dependencies are resolved with our own resolver, which keeps packages that
supermin's dpkg driver drops (such as those reached through virtual
packages).
.IP \(bu 2
.B \-\-packager\-config
is read as an apt.conf(5) file by
.BR \-\-prepare ;
.B \-\-prepare
reads a dpkg host only.
.SH SEE ALSO
.BR supermin.distrib (1),
.BR supermin (1),
.BR guestfs (3),
.BR libguestfs\-test\-tool (1)
`

// renderManPage returns the man page for the current --help texts.
func renderManPage() string {
	synopsis, commands, _ := strings.Cut(usage, "\ncommands:\n")
	r := strings.NewReplacer(
		"@USAGE", verbatim(synopsis),
		"@COMMANDS", verbatim(commands),
		"@SUPERMIN", verbatim(fmt.Sprintf(superminUsage, "VERSION")))
	return r.Replace(manSections)
}

// verbatim returns text as a no-fill roff block that shows it as it is.
func verbatim(text string) string {
	var b strings.Builder
	b.WriteString(".PP\n.nf\n")
	for _, line := range strings.Split(strings.Trim(text, "\n"), "\n") {
		line = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(line)
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			line = `\&` + line
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(".fi")
	return b.String()
}

// TestManPageIsCurrent: the committed man page is what the --help texts
// give today.
func TestManPageIsCurrent(t *testing.T) {
	want := renderManPage()
	if *updateMan {
		if err := os.WriteFile(manPage, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(manPage)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date with the --help texts: run `make man` and commit it", manPage)
	}
}

// TestManPageRenders: man renders the page without a warning, and what it
// shows holds every line of `supermin-compile help` and of `supermin
// --help`, as a reader sees them.
func TestManPageRenders(t *testing.T) {
	testtool.Need(t, "man", "groff")
	cmd := exec.Command("man", "--warnings", "-E", "ascii", "-l", manPage)
	cmd.Env = append(os.Environ(), "MANWIDTH=120", "MAN_KEEP_FORMATTING=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("man -l %s: %v\n%s", manPage, err, errb.String())
	}
	shown := squeeze(out.String())
	for _, name := range []string{"NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "SUPERMIN COMPATIBILITY"} {
		if !strings.Contains(out.String(), "\n"+name+"\n") {
			t.Errorf("the rendered page has no %s section", name)
		}
	}
	help, _, _ := runCLI(t, "help")
	superminHelp, _, _ := runCLI(t, "supermin", "--help")
	superminHelp = strings.ReplaceAll(superminHelp, version, "VERSION")
	for _, line := range strings.Split(help+superminHelp, "\n") {
		if line = squeeze(line); line != "" && line != "commands:" && !strings.Contains(shown, line) {
			t.Errorf("the rendered man page lacks this line of --help: %q", line)
		}
	}
}

// squeeze collapses runs of white space, which man's filling may change.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
