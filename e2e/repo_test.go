package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// Builds with `[source] type = "apt"` from a repository that the test
// serves on 127.0.0.1 (net/http/httptest): hello's closure, real Debian
// .debs, laid out by apt-ftparchive (repo/apt/testdata/mkrepo.sh), its
// InRelease signed with a throwaway key that gpg makes. The tests tamper
// with it, cut it, slow it down and shut it, always through the real
// CLI, and then check the download cache file by file.

// gpgHome is a throwaway GNUPGHOME holding two signing keys: good, which
// the manifests trust, and other, which nobody trusts.
type gpgHome string

func newGPG(t *testing.T) gpgHome {
	testtool.Need(t, "gpg", "gpg-agent", "gpgconf")
	dir, err := os.MkdirTemp("", "smc-gpg") // short: gpg-agent's socket path is limited
	must(t, err)
	t.Cleanup(func() {
		_ = exec.Command("gpgconf", "--homedir", dir, "--kill", "all").Run()
		os.RemoveAll(dir)
	})
	g := gpgHome(dir)
	for _, name := range []string{"good", "other"} {
		g.run(t, "--quick-gen-key", "smc "+name+" <"+name+"@example.org>", "ed25519", "sign", "1y")
	}
	return g
}

func (g gpgHome) run(t *testing.T, args ...string) {
	t.Helper()
	testtool.Output(t, []string{"LC_ALL=C"}, "gpg", append([]string{"--homedir", string(g), "--batch", "--yes",
		"--pinentry-mode", "loopback", "--passphrase", ""}, args...)...)
}

// clearsign writes out, release signed inline by key ("good", "other").
func (g gpgHome) clearsign(t *testing.T, key, release, out string) {
	g.run(t, "--local-user", key+"@example.org", "--output", out, "--clearsign", release)
}

// served is a signed repository on disk, with what the tests need to
// serve it, tampered with or not.
type served struct {
	root    string // dists/smc, pool/main, flat/: signed by good
	keyring string // good's public key
	gpg     gpgHome
	debs    []string // the .debs, relative to root: hello's closure
}

// newRepo lays out the repository of hello's closure.
func newRepo(t *testing.T) *served {
	testtool.Need(t, "apt-ftparchive", "dpkg")
	debs := fetchDebDir(t, "hello")
	r := &served{root: filepath.Join(t.TempDir(), "repo"), gpg: newGPG(t)}
	testtool.Output(t, nil, "sh", "../repo/apt/testdata/mkrepo.sh", r.root, debs)
	// dists/smc has an InRelease, flat/ a Release and Release.gpg.
	r.gpg.clearsign(t, "good", r.file("dists/smc/Release"), r.file("dists/smc/InRelease"))
	r.gpg.run(t, "--local-user", "good@example.org", "--output", r.file("flat/Release.gpg"), "-abs", r.file("flat/Release"))
	r.keyring = filepath.Join(t.TempDir(), "good.gpg")
	r.gpg.run(t, "--output", r.keyring, "--export", "good@example.org")
	pool, err := filepath.Glob(r.file("pool/main/*.deb"))
	must(t, err)
	for _, p := range pool {
		r.debs = append(r.debs, strings.TrimPrefix(p, r.root+"/"))
	}
	return r
}

func (r *served) file(rel string) string { return filepath.Join(r.root, rel) }

// read returns a file of the repository.
func (r *served) read(t *testing.T, rel string) []byte {
	b, err := os.ReadFile(r.file(rel))
	must(t, err)
	return b
}

// resigned returns dists/smc/InRelease made from the Release that edit
// returns, signed by key.
func (r *served) resigned(t *testing.T, key string, edit func(string) string) []byte {
	dir := t.TempDir()
	release := filepath.Join(dir, "Release")
	must(t, os.WriteFile(release, []byte(edit(string(r.read(t, "dists/smc/Release")))), 0o644))
	r.gpg.clearsign(t, key, release, filepath.Join(dir, "InRelease"))
	b, err := os.ReadFile(filepath.Join(dir, "InRelease"))
	must(t, err)
	return b
}

// expire gives a Release a Valid-Until long past.
func expire(release string) string {
	return strings.Replace(release, "\nDate:", "\nValid-Until: Sat, 01 Jan 2000 00:00:00 UTC\nDate:", 1)
}

// server serves a repository's files. Misbehave, when set, may answer a
// request itself (and return true) instead.
type server struct {
	*httptest.Server
	mu      sync.Mutex
	hits    map[string]int  // requests per path
	refused map[string]bool // SHA256 of each body sent by misbehave: never to be cached
}

func serve(t *testing.T, root string, misbehave func(s *server, w http.ResponseWriter, req *http.Request) bool) *server {
	s := &server{hits: map[string]int{}, refused: map[string]bool{}}
	files := http.FileServer(http.Dir(root))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s.mu.Lock()
		s.hits[req.URL.Path]++
		s.mu.Unlock()
		if misbehave == nil || !misbehave(s, w, req) {
			files.ServeHTTP(w, req)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// send answers with body, which the cache must never hold.
func (s *server) send(w http.ResponseWriter, body []byte) {
	s.refuse(body)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

// refuse notes that the cache must never hold b.
func (s *server) refuse(b []byte) {
	s.mu.Lock()
	s.refused[sha256Hex(b)] = true
	s.mu.Unlock()
}

func (s *server) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// flipped is b with one byte changed in the middle: same size, other hash.
func flipped(b []byte) []byte {
	b = bytes.Clone(b)
	b[len(b)/2] ^= 0xff
	return b
}

// aptManifest writes dir/app.toml: hello from the repositories at url
// (suites as in a sources line: "smc" or the flat "flat/"), as a chroot,
// with its download cache in dir/cache.
func (r *served) manifest(t *testing.T, dir, url string, suites ...string) string {
	if len(suites) == 0 {
		suites = []string{"smc"}
	}
	var repos strings.Builder
	for _, suite := range suites {
		fmt.Fprintf(&repos, "\n[[source.repository]]\nurl = %q\nsuite = %q\nkeyring = %q\n", url, suite, r.keyring)
		if !strings.HasSuffix(suite, "/") {
			repos.WriteString("components = [\"main\"]\n")
		}
	}
	m := filepath.Join(dir, "app.toml")
	writeFile(t, m, "packages = [\"hello\"]\nformat = \"chroot\"\nkernel = false\n[source]\ntype = \"apt\"\ncache_dir = \"cache\"\n"+repos.String())
	return m
}

// checkCache checks a download cache: every file under blobs/ is named
// by its SHA256, none is a body the server was told to refuse, and no
// temporary file is left (unless killed: a killed build leaves those of
// its downloads under way). It returns the SHA256 of the cached files.
func checkCache(t *testing.T, dir string, refused map[string]bool, killed bool) map[string]bool {
	t.Helper()
	cached := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(dir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256Hex(b)
		switch {
		case d.Name() != sum:
			t.Errorf("cache: %s holds a file whose SHA256 is %s", p, sum)
		case refused[sum]:
			t.Errorf("cache: %s holds a refused download", p)
		}
		cached[sum] = true
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if tmp, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(tmp) > 0 && !killed {
		t.Errorf("cache: %d temporary files left", len(tmp))
	}
	return cached
}

// TestAptRepositoryRefused serves a repository tampered with, or a server
// that misbehaves, in each way in turn: the build fails with exit 1 and a
// message that says what is wrong, writes no output, and the cache holds
// nothing of what was refused. A server that fails once and then
// answers is retried, and the build succeeds.
func TestAptRepositoryRefused(t *testing.T) {
	testtool.Root(t) // chroot, to run the built hello
	r := newRepo(t)
	expired := r.resigned(t, "good", expire)
	byOther := r.resigned(t, "other", func(rel string) string { return rel })
	// The Release's hash of the plain Packages, which the build keeps
	// decompressed, replaced by another.
	plainPackages := regexp.MustCompile(` [0-9a-f]{64}( +[0-9]+ main/binary-[a-z0-9]+/Packages\n)`)
	otherContent := r.resigned(t, "good", func(rel string) string {
		return plainPackages.ReplaceAllString(rel, " "+strings.Repeat("0", 64)+"$1")
	})
	const inRelease = "/dists/smc/InRelease"
	isIndex := func(p string) bool { return strings.Contains(p, "/binary-") }
	isLibc := func(p string) bool { return strings.Contains(p, "/libc6_") && strings.HasSuffix(p, ".deb") }
	cases := []struct {
		name      string
		misbehave func(s *server, w http.ResponseWriter, req *http.Request) bool
		says      []string // what the error must say
		ok        bool     // the build succeeds
		nothing   bool     // nothing at all is cached
	}{{
		name: "modified InRelease",
		misbehave: func(s *server, w http.ResponseWriter, req *http.Request) bool {
			if req.URL.Path != inRelease {
				return false
			}
			s.send(w, bytes.Replace(r.read(t, "dists/smc/InRelease"), []byte("Codename: smc-code"), []byte("Codename: smc-edoc"), 1))
			return true
		},
		says: []string{"InRelease", "bad signature"}, nothing: true,
	}, {
		name: "index whose hash does not match",
		misbehave: func(s *server, w http.ResponseWriter, req *http.Request) bool {
			if !isIndex(req.URL.Path) {
				return false
			}
			s.send(w, flipped(r.read(t, req.URL.Path)))
			return true
		},
		says: []string{"Packages", "sha256 mismatch"},
	}, {
		name: "index whose content does not match",
		misbehave: func(s *server, w http.ResponseWriter, req *http.Request) bool {
			if req.URL.Path != inRelease {
				return false
			}
			plain, _ := filepath.Glob(r.file("dists/smc/main/binary-*/Packages"))
			s.refuse(r.read(t, strings.TrimPrefix(plain[0], r.root)))
			w.Write(otherContent)
			return true
		},
		says: []string{"Packages.xz: decompressed", "sha256 mismatch", "want " + strings.Repeat("0", 64)},
	}, {
		name: "deb whose hash does not match",
		misbehave: func(s *server, w http.ResponseWriter, req *http.Request) bool {
			if !isLibc(req.URL.Path) {
				return false
			}
			s.send(w, flipped(r.read(t, req.URL.Path)))
			return true
		},
		says: []string{"libc6_", "sha256 mismatch"},
	}, {
		name: "expired Valid-Until",
		misbehave: func(s *server, w http.ResponseWriter, req *http.Request) bool {
			if req.URL.Path != inRelease {
				return false
			}
			s.send(w, expired)
			return true
		},
		says: []string{"InRelease", "expired: Valid-Until"}, nothing: true,
	}, {
		name: "unsigned repository",
		misbehave: func(s *server, w http.ResponseWriter, req *http.Request) bool {
			switch req.URL.Path {
			case inRelease:
				http.NotFound(w, req)
			case "/dists/smc/Release":
				s.send(w, r.read(t, "dists/smc/Release"))
			default:
				return false
			}
			return true
		},
		says: []string{"Release", "not signed"}, nothing: true,
	}, {
		name: "signed by a key that is not trusted",
		misbehave: func(s *server, w http.ResponseWriter, req *http.Request) bool {
			if req.URL.Path != inRelease {
				return false
			}
			s.send(w, byOther)
			return true
		},
		says: []string{"InRelease", "no good signature"}, nothing: true,
	}, {
		name: "truncated download",
		misbehave: func(s *server, w http.ResponseWriter, req *http.Request) bool {
			if !isLibc(req.URL.Path) {
				return false
			}
			deb := r.read(t, req.URL.Path)
			w.Header().Set("Content-Length", fmt.Sprint(len(deb)))
			w.Write(deb[:len(deb)/2]) // and the connection closes
			return true
		},
		says: []string{"libc6_", "closed the connection", "gave up after 4 tries"},
	}, {
		name: "server that closes connections",
		misbehave: func(s *server, w http.ResponseWriter, req *http.Request) bool {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return true
		},
		says: []string{inRelease, "EOF", "gave up after 4 tries"}, nothing: true,
	}, {
		name: "server error then success",
		misbehave: func(s *server, w http.ResponseWriter, req *http.Request) bool {
			if s.hitsOf(req.URL.Path) > 1 {
				return false
			}
			http.Error(w, "try again", http.StatusInternalServerError)
			return true
		},
		ok: true,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, r.root, c.misbehave)
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			res := runCode(t, nil, binary(t), "build", r.manifest(t, dir, s.URL), "-o", out)
			cached := checkCache(t, filepath.Join(dir, "cache"), s.refused, false)
			if c.ok {
				if res.code != 0 {
					t.Fatalf("exit %d:\n%s", res.code, res.stderr)
				}
				if n := s.hitsOf(inRelease); n != 2 {
					t.Errorf("InRelease asked for %d times, want 2 (a 500, then a retry)", n)
				}
				if b, err := exec.Command("chroot", out, "/usr/bin/hello").CombinedOutput(); err != nil || string(b) != "Hello, world!\n" {
					t.Errorf("hello in the appliance: %v %q", err, b)
				}
				return
			}
			if res.code != 1 {
				t.Errorf("exit %d, want 1:\n%s", res.code, res.stderr)
			}
			for _, part := range append(c.says, s.URL) {
				if !strings.Contains(res.stderr, part) {
					t.Errorf("the error does not say %q:\n%s", part, res.stderr)
				}
			}
			if _, err := os.Lstat(out); err == nil {
				t.Error("a refused build wrote its output")
			}
			if c.nothing && len(cached) > 0 {
				t.Errorf("%d files cached from a repository whose Release was refused", len(cached))
			}
			t.Logf("refused: %s", strings.TrimSpace(res.stderr))
		})
	}
}

// TestAptOffline: --offline with a cold cache fails naming every missing
// file: each repository's InRelease, then, once `resolve` has cached the
// indexes, each .deb of the closure. With a warm cache, the build works
// with the server shut, and makes the same tree.
func TestAptOffline(t *testing.T) {
	r := newRepo(t)
	s := serve(t, r.root, nil)
	dir := t.TempDir()
	m := r.manifest(t, dir, s.URL, "smc", "flat/")
	build := func(out string, args ...string) result {
		return runCode(t, nil, append([]string{binary(t), "build", m, "-o", filepath.Join(dir, out)}, args...)...)
	}
	wantMissing := func(what string, res result, files ...string) {
		t.Helper()
		if res.code != 1 || !strings.Contains(res.stderr, "offline") {
			t.Errorf("%s: exit %d, want 1 and a message that says offline:\n%s", what, res.code, res.stderr)
		}
		for _, f := range files {
			if !strings.Contains(res.stderr, s.URL+"/"+f) {
				t.Errorf("%s: the error does not name %s:\n%s", what, f, res.stderr)
			}
		}
		if s.hitsOf("/dists/smc/InRelease") > 1 {
			t.Errorf("%s: the server was asked", what)
		}
	}
	wantMissing("cold cache", build("cold", "--offline"), "dists/smc/InRelease", "flat/InRelease")
	if s.hitsOf("/dists/smc/InRelease") != 0 {
		t.Error("--offline went to the server")
	}

	runCode(t, nil, binary(t), "resolve", m) // caches the Releases and indexes
	wantMissing("indexes cached", build("no-debs", "--offline"), r.debs...)

	online := build("online")
	if online.code != 0 {
		t.Fatalf("online build: exit %d\n%s", online.code, online.stderr)
	}
	s.Close()
	offline := build("offline", "--offline")
	if offline.code != 0 {
		t.Fatalf("offline build with a warm cache: exit %d\n%s", offline.code, offline.stderr)
	}
	want := treeNodes(t, filepath.Join(dir, "online"))
	if got := treeNodes(t, filepath.Join(dir, "offline")); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the offline build differs from the online one:\n%v\n%v", got, want)
	}
	checkCache(t, filepath.Join(dir, "cache"), nil, false)

	// A Release that expired since it was cached still serves offline, as
	// apt's lists do, with a note. (Online, TestAptRepositoryRefused.)
	cacheVerified(t, filepath.Join(dir, "cache"), s.URL+"/dists/smc/InRelease", r.resigned(t, "good", expire))
	expired := build("expired", "--offline")
	if expired.code != 0 || !strings.Contains(expired.stderr, "offline, the cached Release is used though it expired") {
		t.Fatalf("offline build with an expired Release: exit %d\n%s", expired.code, expired.stderr)
	}
	if got := treeNodes(t, filepath.Join(dir, "expired")); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the offline build from the expired Release differs:\n%v\n%v", got, want)
	}
}

// cacheVerified puts content into a download cache as the last verified
// file of url, as fetch/doc.go lays the cache out: what a build that
// fetched it would have left.
func cacheVerified(t *testing.T, cache, url string, content []byte) {
	sum := sha256Hex(content)
	blob := filepath.Join(cache, "blobs/sha256", sum[:2], sum)
	must(t, os.MkdirAll(filepath.Dir(blob), 0o755))
	must(t, os.WriteFile(blob, content, 0o444))
	writeFile(t, filepath.Join(cache, "urls", sha256Hex([]byte(url))), sum+" "+url+"\n")
}

// TestAptConcurrentBuilds: four builds share one cache. The server holds
// back the InRelease and libc6's .deb until all four have asked for them
// (or a minute has passed), so that they fetch the same files at once.
// Every build succeeds with the same tree, and the cache holds each file
// once, under its SHA256, with no temporary file left.
func TestAptConcurrentBuilds(t *testing.T) {
	r := newRepo(t)
	const builds = 4
	gates := map[string]*gate{}
	for _, p := range []string{"/dists/smc/InRelease", "/" + r.deb(t, "libc6")} {
		gates[p] = newGate(builds)
	}
	s := serve(t, r.root, func(s *server, w http.ResponseWriter, req *http.Request) bool {
		if g := gates[req.URL.Path]; g != nil {
			g.wait()
		}
		return false
	})
	dir := t.TempDir()
	m := r.manifest(t, dir, s.URL)
	results := make([]result, builds)
	var wg sync.WaitGroup
	for i := range builds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runCode(t, nil, binary(t), "build", m, "-o", filepath.Join(dir, fmt.Sprint("out", i)))
		}()
	}
	wg.Wait()
	for i, res := range results {
		if res.code != 0 {
			t.Fatalf("build %d: exit %d\n%s", i, res.code, res.stderr)
		}
	}
	for p, g := range gates {
		if !g.met() {
			t.Errorf("%s: fewer than %d builds asked for it at once", p, builds)
		}
	}
	want := fmt.Sprint(treeNodes(t, filepath.Join(dir, "out0")))
	for i := 1; i < builds; i++ {
		if got := fmt.Sprint(treeNodes(t, filepath.Join(dir, fmt.Sprint("out", i)))); got != want {
			t.Errorf("build %d made another tree", i)
		}
	}
	// InRelease, Packages.xz, Packages decompressed and the .debs.
	if cached := checkCache(t, filepath.Join(dir, "cache"), nil, false); len(cached) != 3+len(r.debs) {
		t.Errorf("%d files cached, want %d", len(cached), 3+len(r.debs))
	}
}

// gate holds requests back until n have arrived, or a minute has passed.
type gate struct {
	mu      sync.Mutex
	n       int
	open    chan struct{}
	arrived int
}

func newGate(n int) *gate { return &gate{n: n, open: make(chan struct{})} }

func (g *gate) wait() {
	g.mu.Lock()
	if g.arrived++; g.arrived == g.n {
		close(g.open)
	}
	g.mu.Unlock()
	select {
	case <-g.open:
	case <-time.After(time.Minute):
	}
}

func (g *gate) met() bool {
	select {
	case <-g.open:
		return true
	default:
		return false
	}
}

// deb returns the path under the repository's root of a package's .deb.
func (r *served) deb(t *testing.T, name string) string {
	for _, d := range r.debs {
		if strings.HasPrefix(filepath.Base(d), name+"_") {
			return d
		}
	}
	t.Fatalf("no .deb of %s in the repository", name)
	return ""
}

// TestAptKilledBuild: a build killed by SIGKILL in the middle of
// downloading libc6's .deb leaves the cache consistent, with nothing of
// that .deb cached. The next build succeeds from the same cache, and
// `cache prune` removes the killed build's temporary file.
func TestAptKilledBuild(t *testing.T) {
	r := newRepo(t)
	libc := "/" + r.deb(t, "libc6")
	started := make(chan struct{})
	s := serve(t, r.root, func(s *server, w http.ResponseWriter, req *http.Request) bool {
		if req.URL.Path != libc || s.hitsOf(libc) > 1 {
			return false
		}
		deb := r.read(t, req.URL.Path)
		w.Header().Set("Content-Length", fmt.Sprint(len(deb)))
		w.Write(deb[:len(deb)/2])
		http.NewResponseController(w).Flush()
		close(started)
		<-req.Context().Done() // until the build dies
		return true
	})
	dir := t.TempDir()
	m := r.manifest(t, dir, s.URL)
	cmd := exec.Command(binary(t), "build", m, "-o", filepath.Join(dir, "killed"))
	must(t, cmd.Start())
	select {
	case <-started:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatal("the build never asked for libc6's .deb")
	}
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	if err := cmd.Wait(); cmd.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the build was not killed: %v", err)
	}
	cache := filepath.Join(dir, "cache")
	libcSum := sha256Hex(r.read(t, libc))
	if cached := checkCache(t, cache, nil, true); cached[libcSum] {
		t.Error("libc6's .deb is cached after its download was killed")
	}

	if res := runCode(t, nil, binary(t), "build", m, "-o", filepath.Join(dir, "out")); res.code != 0 {
		t.Fatalf("the build after the kill: exit %d\n%s", res.code, res.stderr)
	}
	if cached := checkCache(t, cache, nil, true); !cached[libcSum] {
		t.Error("libc6's .deb is not cached after a build")
	}
	res := runCode(t, nil, binary(t), "cache", "prune", "--cache-dir", cache)
	if res.code != 0 || !strings.Contains(res.stderr, "unfinished downloads of dead processes") {
		t.Errorf("cache prune: exit %d\n%s", res.code, res.stderr)
	}
	checkCache(t, cache, nil, false)
}
