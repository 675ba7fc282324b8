package resolver

import "testing"

// FuzzResolve feeds arbitrary relation text through parsing and matching:
// control data is untrusted and must yield errors or warnings, never panics.
func FuzzResolve(f *testing.F) {
	f.Add("b (>= 1) | c:any, d [amd64] <!nocheck>", "c (= 2)", "b")
	f.Add("${x}, b:", "", "b:i386")
	f.Add("b:x-y-z-w-v | (", "b, ,", "b:")
	f.Fuzz(func(t *testing.T, depends, provides, request string) {
		u := universe(pk("a", "1", depends, ""), pk("b", "1:2~r-1", "a", provides), pk("c", "2", "", "b"))
		res, err := Resolve(u, Request{Packages: []string{"a"}, Optional: []string{request}})
		if err == nil && len(res.Packages) == 0 {
			t.Fatal("a resolved to nothing")
		}
	})
}
