package libcompare

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"pault.ag/go/debian/control"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// The fields the dpkg and apt sources read (internal/debpkg).
var debFields = []string{"Package", "Version", "Architecture", "Pre-Depends", "Depends", "Provides", "Conffiles", "Status"}

// controlFiles are the host's dpkg status file and Debian's main Packages
// index, decompressed: the two big inputs of internal/deb822.
func controlFiles(t testing.TB) map[string]string {
	t.Helper()
	status := "/var/lib/dpkg/status"
	if _, err := os.Stat(status); err != nil {
		testtool.Unavailable(t, "needs a dpkg host: "+err.Error())
	}
	lists, _ := filepath.Glob("/var/lib/apt/lists/*_main_binary-amd64_Packages*")
	if len(lists) == 0 {
		testtool.Unavailable(t, "needs apt lists (apt-get update)")
	}
	largest, size := "", int64(0)
	for _, l := range lists {
		if fi, err := os.Stat(l); err == nil && fi.Size() > size {
			largest, size = l, fi.Size()
		}
	}
	in, err := decompress.Open(largest)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	packages := filepath.Join(t.TempDir(), "Packages")
	out, err := os.Create(packages)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	out.Close()
	return map[string]string{"status": status, "Packages": packages}
}

// viaDeb822 renders each paragraph's debFields as one line.
func viaDeb822(r io.Reader) ([]string, error) {
	var out []string
	p := deb822.NewParagraph(debFields...)
	err := deb822.Parse(r, p, func(p *deb822.Paragraph) error {
		var b strings.Builder
		for i := range debFields {
			fmt.Fprintf(&b, "%q ", p.Get(i))
		}
		out = append(out, b.String())
		return nil
	})
	return out, err
}

// viaPault renders the same with pault.ag/go/debian/control. Its values
// of multi-line fields end in "\n"; ours do not.
func viaPault(r io.Reader) ([]string, error) {
	pr, err := control.NewParagraphReader(r, nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		p, err := pr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, f := range debFields {
			v, ok := p.Values[f]
			var q []byte
			if ok {
				q = []byte(strings.TrimSuffix(v, "\n"))
			}
			fmt.Fprintf(&b, "%q ", q)
		}
		out = append(out, b.String())
	}
}

// TestPaultControlAgrees: on the host's status file and Debian's main
// index, pault.ag/go/debian/control reads the same fields as deb822.
func TestPaultControlAgrees(t *testing.T) {
	for name, file := range controlFiles(t) {
		ours, theirs := parseFile(t, file, viaDeb822), parseFile(t, file, viaPault)
		if d := testtool.LineDiff(ours, theirs); d != "" {
			t.Errorf("%s: (- deb822, + pault):\n%s", name, d)
		}
		t.Logf("%s: %d paragraphs", name, len(ours))
	}
}

func parseFile(t testing.TB, file string, parse func(io.Reader) ([]string, error)) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := parse(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return out
}

// TestPaultLongFieldQuadratic: a field of n continuation lines costs
// pault.ag/go/debian/control O(n²) bytes (it appends each line to a
// string), so a hostile index with a long field costs gigabytes; deb822
// appends to a reused buffer.
func TestPaultLongFieldQuadratic(t *testing.T) {
	cost := func(parse func(io.Reader) ([]string, error), n int) uint64 {
		text := "Package: x\nConffiles:\n" + strings.Repeat(" /etc/some/config/file 0123456789abcdef0123456789abcdef\n", n)
		return allocatedBy(func() {
			if _, err := parse(strings.NewReader(text)); err != nil {
				t.Fatal(err)
			}
		})
	}
	pault1, pault4 := cost(viaPault, 1000), cost(viaPault, 4000)
	ours1, ours4 := cost(viaDeb822, 1000), cost(viaDeb822, 4000)
	t.Logf("1000 lines: pault %d KiB, deb822 %d KiB; 4000 lines: pault %d KiB, deb822 %d KiB", pault1>>10, ours1>>10, pault4>>10, ours4>>10)
	if pault4 < 10*pault1 || ours4 > 6*ours1 {
		t.Errorf("4x the lines: pault allocates %.1fx, deb822 %.1fx", float64(pault4)/float64(pault1), float64(ours4)/float64(ours1))
	}
}

// BenchmarkControl parses the status file and the main index, reading
// the fields the dpkg and apt sources use (their lengths: no copies).
func BenchmarkControl(b *testing.B) {
	files := controlFiles(b)
	for _, name := range []string{"status", "Packages"} {
		for _, p := range []struct {
			name  string
			parse func(io.Reader) (int, error)
		}{{"deb822", sizesDeb822}, {"pault", sizesPault}} {
			b.Run(name+"/"+p.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					f, err := os.Open(files[name])
					if err != nil {
						b.Fatal(err)
					}
					_, err = p.parse(f)
					f.Close()
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func sizesDeb822(r io.Reader) (n int, err error) {
	p := deb822.NewParagraph(debFields...)
	err = deb822.Parse(r, p, func(p *deb822.Paragraph) error {
		for i := range debFields {
			n += len(p.Get(i))
		}
		return nil
	})
	return n, err
}

func sizesPault(r io.Reader) (n int, err error) {
	pr, err := control.NewParagraphReader(r, nil)
	if err != nil {
		return 0, err
	}
	for {
		p, err := pr.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		for _, f := range debFields {
			n += len(p.Values[f])
		}
	}
}

// allocatedBy returns the bytes fn allocates.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
