package rpm

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// vercmpCases are rpm's own rpmvercmp test cases plus the odd corners.
var vercmpCases = []struct {
	a, b string
	want int
}{
	{"1.0", "1.0", 0}, {"1.0", "2.0", -1}, {"2.0", "1.0", 1},
	{"2.0.1", "2.0.1", 0}, {"2.0", "2.0.1", -1}, {"2.0.1", "2.0", 1},
	{"2.0.1a", "2.0.1a", 0}, {"2.0.1a", "2.0.1", 1}, {"2.0.1", "2.0.1a", -1},
	{"5.5p1", "5.5p1", 0}, {"5.5p1", "5.5p2", -1}, {"5.5p2", "5.5p1", 1},
	{"5.5p10", "5.5p10", 0}, {"5.5p1", "5.5p10", -1}, {"5.5p10", "5.5p1", 1},
	{"10xyz", "10.1xyz", -1}, {"10.1xyz", "10xyz", 1},
	{"xyz10", "xyz10", 0}, {"xyz10", "xyz10.1", -1}, {"xyz10.1", "xyz10", 1},
	{"xyz.4", "xyz.4", 0}, {"xyz.4", "8", -1}, {"8", "xyz.4", 1},
	{"xyz.4", "2", -1}, {"2", "xyz.4", 1},
	{"5.5p2", "5.6p1", -1}, {"5.6p1", "5.5p2", 1},
	{"5.6p1", "6.5p1", -1}, {"6.5p1", "5.6p1", 1},
	{"6.0.rc1", "6.0", 1}, {"6.0", "6.0.rc1", -1},
	{"10b2", "10a1", 1}, {"10a2", "10b2", -1},
	{"1.0aa", "1.0aa", 0}, {"1.0a", "1.0aa", -1}, {"1.0aa", "1.0a", 1},
	{"10.0001", "10.0001", 0}, {"10.0001", "10.1", 0}, {"10.1", "10.0001", 0},
	{"10.0001", "10.0039", -1}, {"10.0039", "10.0001", 1},
	{"4.999.9", "5.0", -1}, {"5.0", "4.999.9", 1},
	{"20101121", "20101121", 0}, {"20101121", "20101122", -1}, {"20101122", "20101121", 1},
	{"2_0", "2_0", 0}, {"2.0", "2_0", 0}, {"2_0", "2.0", 0},
	{"a", "a", 0}, {"a+", "a+", 0}, {"a+", "a_", 0}, {"a_", "a+", 0},
	{"+a", "+a", 0}, {"+a", "_a", 0}, {"_a", "+a", 0},
	{"+_", "+_", 0}, {"_+", "+_", 0}, {"_+", "_+", 0}, {"+", "_", 0}, {"_", "+", 0},
	{"1.0~rc1", "1.0~rc1", 0}, {"1.0~rc1", "1.0", -1}, {"1.0", "1.0~rc1", 1},
	{"1.0~rc1", "1.0~rc2", -1}, {"1.0~rc2", "1.0~rc1", 1},
	{"1.0~rc1~git123", "1.0~rc1~git123", 0}, {"1.0~rc1~git123", "1.0~rc1", -1},
	{"1.0~rc1", "1.0~rc1~git123", 1},
	{"1.0^", "1.0^", 0}, {"1.0^", "1.0", 1}, {"1.0", "1.0^", -1},
	{"1.0^git1", "1.0^git1", 0}, {"1.0^git1", "1.0", 1}, {"1.0", "1.0^git1", -1},
	{"1.0^git1", "1.0^git2", -1}, {"1.0^git2", "1.0^git1", 1},
	{"1.0^git1", "1.01", -1}, {"1.01", "1.0^git1", 1},
	{"1.0^20160101", "1.0^20160101", 0}, {"1.0^20160101", "1.0.1", -1},
	{"1.0.1", "1.0^20160101", 1},
	{"1.0^20160101^git1", "1.0^20160101^git1", 0},
	{"1.0^20160102", "1.0^20160101^git1", 1}, {"1.0^20160101^git1", "1.0^20160102", -1},
	{"1.0~rc1^git1", "1.0~rc1^git1", 0}, {"1.0~rc1^git1", "1.0~rc1", 1},
	{"1.0~rc1", "1.0~rc1^git1", -1},
	{"1.0^git1~pre", "1.0^git1~pre", 0}, {"1.0^git1", "1.0^git1~pre", 1},
	{"1.0^git1~pre", "1.0^git1", -1},
	{"1b.fc17", "1b.fc17", 0}, {"1b.fc17", "1.fc17", -1}, {"1.fc17", "1b.fc17", 1},
	{"1g.fc17", "1g.fc17", 0}, {"1g.fc17", "1.fc17", 1}, {"1.fc17", "1g.fc17", -1},
	// odd corners
	{"1.0a", "1.0.a", 0}, {"1", "1a", -1}, {"1a", "1", 1}, {"a", "1", -1},
	{"1.0", "1.0.", 0}, {"1..0", "1.0", 0}, {"A", "a", -1}, {"1~", "1", -1},
	{"1~", "1~~", 1}, {"1^", "1~", 1}, {"1^", "1^^", -1}, {"1^~", "1^", -1},
	{"1.1.α", "1.1.α", 0}, {"1.1.α", "1.1", 0}, {"1.α1", "1.1", 0},
	{"007", "7", 0}, {"0", "00", 0}, {"99999999999999999999", "100000000000000000000", -1},
	{"", "", 0}, {"", "1", -1}, {"1", "", 1}, {"", "~", 1}, {"", "^", -1}, {".", "", 0},
}

func TestVercmpTable(t *testing.T) {
	for _, c := range vercmpCases {
		if got := Vercmp(c.a, c.b); got != c.want {
			t.Errorf("Vercmp(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// randVersion draws a short string from the characters rpmvercmp cares about.
func randVersion(r *rand.Rand, alphabet string) string {
	b := make([]byte, 1+r.IntN(7))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// rpmVercmp asks rpm's Lua rpm.vercmp (which parses full EVRs) about all
// pairs in one run; an invalid input (rpm rejects "") answers 2.
func rpmVercmp(t *testing.T, pairs [][2]string) []int {
	t.Helper()
	var lua strings.Builder
	lua.WriteString("%{lua: local p = {")
	for _, p := range pairs {
		fmt.Fprintf(&lua, "%q,%q,", p[0], p[1])
	}
	lua.WriteString(`} for i = 1, #p, 2 do local ok, r = pcall(rpm.vercmp, p[i], p[i+1]) io.write(ok and r or 2, "\n") end}`)
	out, err := exec.Command("rpm", "--eval", lua.String()).Output()
	if err != nil {
		t.Fatalf("rpm --eval: %v", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(pairs) {
		t.Fatalf("rpm printed %d answers for %d pairs", len(lines), len(pairs))
	}
	res := make([]int, len(lines))
	for i, l := range lines {
		if res[i], err = strconv.Atoi(l); err != nil {
			t.Fatalf("rpm answer %q: %v", l, err)
		}
	}
	return res
}

// TestVercmpOracle checks Vercmp and Compare against rpm 4.18 itself.
func TestVercmpOracle(t *testing.T) {
	testtool.Need(t, "rpm")
	r := rand.New(rand.NewPCG(1, 2))
	var vers, evrs [][2]string
	for _, c := range vercmpCases {
		if c.a != "" && c.b != "" {
			vers = append(vers, [2]string{c.a, c.b})
		}
	}
	for range 300 {
		const alpha = "0123456789.~^_+ab"
		vers = append(vers, [2]string{randVersion(r, alpha), randVersion(r, alpha)})
	}
	evrs = append(evrs, [][2]string{
		{"1:1.0-1", "1.0-1"}, {"0:1.0-1", "1.0-1"}, {"2:0.1", "1:9.9"}, {"10:1", "9:1"},
		{"1.0-1", "1.0-2"}, {"1.0-1", "1.0"}, {"1.0", "1.0-0"}, {"1.0~rc1-1", "1.0-0"},
		{"1.0-1.fc38", "1.0-1.fc38~1"}, {":1", "0:1"}, {"a:1", "1"}, {"1-2-3", "1-2-4"},
		{"1-2-3", "1.2-3"}, {"007:1", "7:1"}, {"1:2:3", "1:2"}, {"1^git-1", "1-1"},
	}...)
	for range 300 {
		a, b := randEVR(r), randEVR(r)
		evrs = append(evrs, [2]string{a, b})
	}
	got := rpmVercmp(t, append(vers, evrs...))
	for i, p := range vers {
		if v := Vercmp(p[0], p[1]); v != got[i] {
			t.Errorf("Vercmp(%q, %q) = %d, rpm says %d", p[0], p[1], v, got[i])
		}
	}
	for i, p := range evrs {
		want := got[len(vers)+i]
		if c := Compare(ParseEVR(p[0]), ParseEVR(p[1])); c != want {
			t.Errorf("Compare(%q, %q) = %d, rpm says %d", p[0], p[1], c, want)
		}
	}
	t.Logf("%d version pairs, %d EVR pairs agree with rpm", len(vers), len(evrs))
}

// randEVR draws an EVR string. It avoids an empty version and an empty
// release after '-', which rpm tells apart from no release and EVR cannot.
func randEVR(r *rand.Rand) string {
	const alpha = "0123456789.~^_+ab"
	s := randVersion(r, alpha+"-")
	if r.IntN(3) == 0 {
		s = strconv.Itoa(r.IntN(3)) + ":" + s
	}
	if e := ParseEVR(s); e.Version == "" || strings.HasSuffix(s, "-") {
		return "1" + strings.TrimSuffix(s, "-")
	}
	return s
}

func TestParseEVR(t *testing.T) {
	for _, c := range []struct {
		in   string
		want EVR
		str  string
	}{
		{"1.0", EVR{"", "1.0", ""}, "1.0"},
		{"1.0-1", EVR{"", "1.0", "1"}, "1.0-1"},
		{"2:1.0-1.fc38", EVR{"2", "1.0", "1.fc38"}, "2:1.0-1.fc38"},
		{"1-2-3", EVR{"", "1-2", "3"}, "1-2-3"},
		{"a:1-2", EVR{"", "a:1", "2"}, "a:1-2"},
		{"1:2:3", EVR{"1", "2:3", ""}, "1:2:3"},
		{":1", EVR{"", "1", ""}, "1"},
		{"1.0-", EVR{"", "1.0", ""}, "1.0"},
		{"", EVR{}, ""},
	} {
		got := ParseEVR(c.in)
		if got != c.want || got.String() != c.str {
			t.Errorf("ParseEVR(%q) = %#v (%q), want %#v (%q)", c.in, got, got, c.want, c.str)
		}
	}
}

func TestSatisfies(t *testing.T) {
	for _, c := range []struct {
		op, want, have string
		ok             bool
	}{
		{"", "", "1.0", true},
		{"=", "1.0", "1.0-5", true}, // a release-less requirement takes any release
		{">=", "1.0", "1.0-5", true},
		{"<=", "1.0", "1.0-5", true},
		{">", "1.0", "1.0-5", false},
		{"<", "1.0", "1.0-5", false},
		{"=", "1.0-5", "1.0", true}, // a release-less provide offers every release
		{"<", "1.0-5", "1.0", true},
		{"=", "1.0-5", "1.0-6", false},
		{"<", "1.0-5", "1.0-4", true},
		{"<=", "1.0-5", "1.0-5", true},
		{">", "1.0-5", "1.0-5", false},
		{">", "1.0", "1.1", true},
		{">", "1.1", "1.0", false},
		{">=", "2.0", "1:1.0", true}, // missing epoch is 0
		{"<", "1:1.0", "2.0", true},
		{"=", "0:1.0", "1.0", true},
		{"=", "1:1.0", "1.0", false},
		{">=", "1:1.0", "01:1.0", true},
		{"<", "1.0", "1.0~rc1", true},
		{"?", "1.0", "1.0", false},
	} {
		if got := Satisfies(c.op, ParseEVR(c.want), ParseEVR(c.have)); got != c.ok {
			t.Errorf("Satisfies(%q %q, have %q) = %v, want %v", c.op, c.want, c.have, got, c.ok)
		}
	}
}

// TestOverlap: ranged provides meet requirements as rpm 4.18 decides
// (checked with rpmbuild-made packages and rpm -i --test).
func TestOverlap(t *testing.T) {
	cases := []struct {
		pop, pv, rop, rv string
		want             bool
	}{
		{">=", "2.0", ">=", "3.0", true},
		{"<", "2.0", ">=", "3.0", false},
		{"<=", "3.0", ">=", "3.0", true},
		{"<", "3.0", ">", "2.0", true},
		{"=", "1.0", "<", "1.0-2", true}, // release-less "=" side matches outright
		{"=", "1.0", ">", "1.0-2", true},
		{"=", "1.0-3", "<=", "1.0", true},
		{"=", "1.0-3", "<", "1.0", false},
		{"=", "1:1.0", ">=", "2.0", true},
		{"=", "1.0", ">=", "0:1.0", true},
		{">", "1.0", "=", "1.0", false},
	}
	for _, c := range cases {
		if got := Overlap(c.pop, ParseEVR(c.pv), c.rop, ParseEVR(c.rv)); got != c.want {
			t.Errorf("provide %s %s, require %s %s: %v, want %v", c.pop, c.pv, c.rop, c.rv, got, c.want)
		}
	}
}
