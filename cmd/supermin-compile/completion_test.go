package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// The shell completions in doc/completion: they load, and they offer
// every command the binary has.

const (
	bashCompletion = "../../doc/completion/supermin-compile.bash"
	zshCompletion  = "../../doc/completion/_supermin-compile"
)

// bashComplete returns what bash completion offers after words (the last
// one being completed).
func bashComplete(t *testing.T, words ...string) []string {
	t.Helper()
	script := `source "$0" && COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && { _supermin_compile; printf '%s\n' "${COMPREPLY[@]}"; }`
	out, err := exec.Command("bash", append([]string{"-c", script, bashCompletion}, words...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("bash completion of %q: %v\n%s", words, err, out)
	}
	return strings.Fields(string(out))
}

func TestBashCompletion(t *testing.T) {
	testtool.Need(t, "bash")
	out, err := exec.Command("bash", "-c", `source "$0" && complete -p supermin-compile`, bashCompletion).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "-F _supermin_compile supermin-compile") {
		t.Fatalf("bash does not complete supermin-compile after loading %s: %v %s", bashCompletion, err, out)
	}
	offered := bashComplete(t, "supermin-compile", "")
	for name := range commands {
		if !strings.HasPrefix(name, "-") && !slices.Contains(offered, name) {
			t.Errorf("bash completion does not offer the command %q (offers %v)", name, offered)
		}
	}
	if got := bashComplete(t, "supermin-compile", "build", "--format", ""); !slices.Equal(got, []string{"ext2", "cpio", "chroot"}) {
		t.Errorf("--format completes to %v", got)
	}
	if got := bashComplete(t, "supermin-compile", "supermin", "--if-"); !slices.Equal(got, []string{"--if-newer"}) {
		t.Errorf("supermin --if- completes to %v", got)
	}
}

func TestZshCompletion(t *testing.T) {
	testtool.Need(t, "zsh")
	script := `fpath=(${0:h} $fpath); autoload -Uz compinit && compinit -u -D && print -r -- $_comps[supermin-compile] $_comps[supermin]`
	out, err := exec.Command("zsh", "-f", "-c", script, zshCompletion).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "_supermin-compile _supermin-compile" {
		t.Fatalf("zsh compinit does not bind supermin-compile and supermin to _supermin-compile: %v %q", err, out)
	}
	// Every command is described in the zsh function.
	text, err := os.ReadFile(zshCompletion)
	if err != nil {
		t.Fatal(err)
	}
	for name := range commands {
		if !strings.HasPrefix(name, "-") && !strings.Contains(string(text), "'"+name+":") {
			t.Errorf("zsh completion does not describe the command %q", name)
		}
	}
}
