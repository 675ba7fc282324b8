package main

import (
	"fmt"
	"os"
	"strings"
)

const superminUsage = `supermin - tool for creating supermin appliances
(supermin-compile ` + "%s" + `, compatible with supermin ` + superminVersion + `)

Usage:

  supermin --prepare LIST OF PACKAGES ...
  supermin --build INPUT [INPUT ...]

Options:

  --build                      Build a full appliance
  --copy-kernel                Copy kernel instead of symlinking
  --dtb                        Obsolete option, do not use
  -f chroot|ext2               Set output format
  --format                     -"-
  --force                      Replace -o OUTPUTDIR even if supermin did
                               not write it (supermin-compile only)
  --host-cpu ARCH              Set host CPU architecture
  --if-newer                   Only build if needed
  --include-packagelist        Add a file with the list of packages
  --list-drivers               Display list of drivers and exit
  --lock LOCKFILE              Use a lock file
  --names                      Give an error for people needing supermin 4
  -o OUTPUTDIR                 Set output directory
  --packager-config CONFIGFILE Set packager config file
  --prepare                    Prepare a supermin appliance
  --size                       Set the size of the ext2 filesystem
  --use-installed              Use installed files instead of accessing network
  -v                           Enable debugging messages
  --verbose                    -"-
  -V                           Display version and exit
  --version                    -"-
  -help                        Display this list of options
  --help                       Display this list of options
`

const dtbError = `*** error: The --dtb option was removed in supermin 5.1.18.

Normally you can just drop this option and the wildcard following
it.  Modern QEMU will generate a correct DTB for the supermin
appliance automatically.
`

const namesError = `*** error: This is supermin version 5.
supermin: *** It looks like you are looking for supermin version 4.

This version of supermin will not work.  You need to find the old version
or upgrade to libguestfs >= 1.26.
`

// parseSupermin reads supermin 5's options. done says the command already
// finished (help, version, drivers, or an error) with exit status code.
func parseSupermin(args []string) (a *superminArgs, code int, done bool) {
	a = &superminArgs{}
	withValue := map[string]*string{"-f": &a.format, "--format": &a.format, "--host-cpu": &a.cpu,
		"--lock": &a.lock, "-o": &a.output, "--packager-config": &a.packagerConfig, "--size": &a.size, "--dtb": new(string)}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value, hasValue := strings.Cut(arg, "=")
		if !strings.HasPrefix(arg, "--") || !hasValue {
			name, hasValue = arg, false
		}
		if dst, ok := withValue[name]; ok {
			if !hasValue {
				if i+1 >= len(args) {
					return nil, usageFail("option '%s' needs an argument.", name), true
				}
				i++
				value = args[i]
			}
			*dst = value
			if name == "--dtb" {
				return nil, superminError("%s", dtbError), true
			}
			continue
		}
		switch name {
		case "--build", "--prepare":
			if a.mode != "" {
				return nil, superminError("you must use --prepare or --build to select the mode"), true
			}
			a.mode = strings.TrimPrefix(name, "--")
		case "--copy-kernel":
			a.copyKernel = true
		case "--force":
			a.force = true
		case "--if-newer":
			a.ifNewer = true
		case "--include-packagelist":
			a.packageList = true
		case "--use-installed":
			a.useInstalled = true
		case "-v", "--verbose":
			a.verbose++
		case "-V", "--version":
			fmt.Printf("supermin %s (supermin-compile %s)\n", superminVersion, version)
			return nil, 0, true
		case "--list-drivers":
			listDrivers(os.Stdout, "/")
			return nil, 0, true
		case "--names":
			return nil, superminError("%s", namesError), true
		case "-help", "--help":
			fmt.Printf(superminUsage, version)
			return nil, 0, true
		default:
			if strings.HasPrefix(arg, "-") && arg != "-" {
				return nil, usageFail("unknown option '%s'.", arg), true
			}
			a.inputs = append(a.inputs, arg)
		}
	}
	if checkSupermin(a) {
		return nil, 1, true
	}
	return a, 0, false
}

// usageFail reports a command-line error with the usage, exit status 2,
// as OCaml's Arg module does for supermin.
func usageFail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "supermin: "+format+"\n", args...)
	fmt.Fprintf(os.Stderr, superminUsage, version)
	return 2
}

// checkSupermin applies supermin's rules on option combinations.
func checkSupermin(a *superminArgs) bool {
	msg := ""
	switch {
	case a.mode == "":
		msg = "you must use --prepare or --build to select the mode"
	case a.mode == "prepare" && a.format != "":
		msg = "cannot use --prepare and --format options together"
	case a.mode == "build" && a.format == "":
		msg = "when using --build, you must specify an output --format"
	case a.format != "" && a.format != "ext2" && a.format != "chroot" && a.format != "fs" && a.format != "filesystem":
		msg = fmt.Sprintf("unknown --format option (%s)\n", a.format)
	case a.output == "":
		msg = "output directory (-o option) must be supplied"
	}
	if a.format == "fs" || a.format == "filesystem" {
		a.format = "chroot"
	}
	a.output = strings.TrimSuffix(a.output, "/")
	if msg != "" {
		superminError("%s", msg)
		return true
	}
	return false
}
