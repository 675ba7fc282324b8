package testtool

import (
	"bytes"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Output runs an oracle with extra environment variables and returns its
// standard output; a failure ends the test with the command's stderr.
func Output(t testing.TB, env []string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// LineDiff compares listings line by line: "" when they are equal, else
// the lines only the oracle has ("- "), then those only we have ("+ "), at
// most 40.
func LineDiff(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	var out []string
	for _, l := range want {
		if !slices.Contains(got, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			out = append(out, "+ "+l)
		}
	}
	if len(out) == 0 {
		out = append(out, "(same lines, different order or count)")
	}
	return strings.Join(out[:min(len(out), 40)], "\n")
}
