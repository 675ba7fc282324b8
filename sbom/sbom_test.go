package sbom_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdxlib"

	"github.com/supermin-compile/supermin-compile/builder"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/sbom"
)

const toolVersion = "1.2.3-test"

func planned(t *testing.T, file string) (*manifest.Manifest, *planner.Result) {
	t.Helper()
	m, err := manifest.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := planner.Plan(m)
	if err != nil {
		t.Fatal(err)
	}
	return m, res
}

func describe(t *testing.T, m *manifest.Manifest, res *planner.Result) *index {
	t.Helper()
	d, err := sbom.Build(m, res, toolVersion, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		t.Fatal(err)
	}
	validate(t, buf.Bytes())
	return indexOf(t, d)
}

// validate checks a document against the official SPDX 2.3 JSON schema
// and with the SPDX project's Go parser and validator.
func validate(t *testing.T, doc []byte) {
	t.Helper()
	if err := schemaCheck(doc); err != nil {
		t.Errorf("the SPDX 2.3 JSON schema rejects the document: %v", err)
	}
	parsed, err := spdxjson.Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("the SPDX parser rejects the document: %v", err)
	}
	if err := spdxlib.ValidateDocument(parsed); err != nil {
		t.Errorf("spdxlib.ValidateDocument: %v", err)
	}
}

func schemaCheck(doc []byte) error {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schema, err := c.Compile("testdata/spdx-schema-2.3.json")
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return schema.Validate(inst)
}

// TestSchemaRejects: the schema check is not vacuous.
func TestSchemaRejects(t *testing.T) {
	for _, doc := range []string{
		`{"spdxVersion": "SPDX-2.3"}`,
		`{"SPDXID": "SPDXRef-DOCUMENT", "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "name": "x",
		  "documentNamespace": "https://x.invalid/x", "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]},
		  "files": [{"SPDXID": "SPDXRef-File-1", "fileName": "./a", "checksums": [{"algorithm": "SHA999", "checksumValue": "00"}]}]}`,
	} {
		if schemaCheck([]byte(doc)) == nil {
			t.Errorf("the schema accepts %s", doc)
		}
	}
}

// index finds a document's elements by name and what contains them.
type index struct {
	doc   *sbom.Document
	files map[string]*sbom.File    // by fileName
	pkgs  map[string]*sbom.Package // by SPDXID
	in    map[string]string        // SPDXID -> the SPDXID that CONTAINS it
}

func indexOf(t *testing.T, d *sbom.Document) *index {
	x := &index{doc: d, files: map[string]*sbom.File{}, pkgs: map[string]*sbom.Package{}, in: map[string]string{}}
	for i := range d.Files {
		f := &d.Files[i]
		if x.files[f.FileName] != nil {
			t.Errorf("%s is described twice", f.FileName)
		}
		x.files[f.FileName] = f
	}
	for i := range d.Packages {
		x.pkgs[d.Packages[i].SPDXID] = &d.Packages[i]
	}
	for _, r := range d.Relationships {
		if r.Type == "CONTAINS" {
			if x.in[r.Related] != "" {
				t.Errorf("%s is contained twice", r.Related)
			}
			x.in[r.Related] = r.Element
		}
	}
	return x
}

// pkg returns the package element named name.
func (x *index) pkg(t *testing.T, name string) *sbom.Package {
	t.Helper()
	for _, p := range x.doc.Packages {
		if p.Name == name {
			return x.pkgs[p.SPDXID]
		}
	}
	t.Fatalf("no package %s in the SBOM", name)
	return nil
}

// file checks that name is described with sha256, contained by the
// element in, and returns it.
func (x *index) file(t *testing.T, name, sha256, in string) *sbom.File {
	t.Helper()
	f := x.files[name]
	if f == nil {
		t.Errorf("the SBOM lacks %s", name)
		return nil
	}
	if got := checksum(f.Checksums, "SHA256"); got != sha256 {
		t.Errorf("%s: SHA256 %s, sha256sum says %s", name, got, sha256)
	}
	if checksum(f.Checksums, "SHA1") == "" {
		t.Errorf("%s has no SHA1", name)
	}
	if x.in[f.SPDXID] != in {
		t.Errorf("%s is contained by %s, want %s", name, x.in[f.SPDXID], in)
	}
	return f
}

func (x *index) contains(id string) int {
	n := 0
	for _, r := range x.doc.Relationships {
		if r.Element == id && r.Type == "CONTAINS" && strings.HasPrefix(r.Related, "SPDXRef-File-") {
			n++
		}
	}
	return n
}

func checksum(sums []sbom.Checksum, algo string) string {
	for _, s := range sums {
		if s.Algorithm == algo {
			return s.Value
		}
	}
	return ""
}

func purl(p *sbom.Package) string {
	for _, r := range p.ExternalRefs {
		if r.Type == "purl" {
			return r.Locator
		}
	}
	return ""
}

// sha256sums runs sha256sum over files: path -> digest.
func sha256sums(t *testing.T, files ...string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for len(files) > 0 {
		n := min(len(files), 500)
		out := testtool.Output(t, nil, "sha256sum", append([]string{"--"}, files[:n]...)...)
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			sum, file, _ := strings.Cut(line, "  ")
			sums[file] = sum
		}
		files = files[n:]
	}
	return sums
}

// extract unpacks a tarball with GNU tar into a new directory.
func extract(t *testing.T, tarball string) string {
	t.Helper()
	dir := t.TempDir()
	testtool.Output(t, nil, "tar", "--no-same-owner", "-xf", tarball, "-C", dir)
	return dir
}

// checkBase: each base tarball is an element with the tarball's SHA-256,
// containing exactly its regular files that are in the Plan, with the
// checksums of GNU tar's extraction.
func checkBase(t *testing.T, x *index, m *manifest.Manifest, res *planner.Result) {
	for _, tarball := range m.Base {
		name := filepath.Base(tarball)
		p := x.pkg(t, name)
		if got, want := checksum(p.Checksums, "SHA256"), sha256sums(t, tarball)[tarball]; got != want {
			t.Errorf("%s: SHA256 %s, sha256sum says %s", name, got, want)
		}
		dir := extract(t, tarball)
		n := 0
		for i := range res.Plan.Entries {
			e := &res.Plan.Entries[i]
			if e.Origin == plan.FromTarball(name) && e.Type == plan.Regular {
				n++
				f := filepath.Join(dir, e.Path)
				x.file(t, "."+e.Path, sha256sums(t, f)[f], p.SPDXID)
			}
		}
		if got := x.contains(p.SPDXID); got != n {
			t.Errorf("%s contains %d files, the Plan has %d from it", name, got, n)
		}
	}
}

// dpkgOwner asks dpkg which installed package ships file: name, version,
// architecture, and its files with symlinks resolved.
func dpkgOwner(t *testing.T, file string) (name, version, arch string, files map[string]bool) {
	t.Helper()
	out := string(testtool.Output(t, nil, "dpkg-query", "-S", file))
	pkg, _, _ := strings.Cut(strings.TrimSpace(out), ": ")
	out = string(testtool.Output(t, nil, "dpkg-query", "-W", "-f", "${Package} ${Version} ${Architecture}", pkg))
	f := strings.Fields(out)
	files = map[string]bool{}
	for _, l := range strings.Split(string(testtool.Output(t, nil, "dpkg-query", "-L", pkg)), "\n") {
		if real, err := filepath.EvalSymlinks(l); err == nil {
			files[real] = true
		}
	}
	return f[0], f[1], f[2], files
}

// TestGuestfs: the SBOM of examples/guestfs.toml describes the kernel's
// package (as dpkg names it), every kernel module of the root image, each
// base tarball and its files (libguestfs's daemon among them) and our
// /init, each file with the checksums of sha256sum, and passes the SPDX
// 2.3 schema and the SPDX validator.
func TestGuestfs(t *testing.T) {
	const supermind = "/usr/lib/x86_64-linux-gnu/guestfs/supermin.d"
	if _, err := os.Stat(supermind + "/packages"); err != nil {
		testtool.Unavailable(t, supermind+" is missing (scripts/install-deps.sh installs libguestfs-tools)")
	}
	testtool.Need(t, "dpkg-query", "tar", "sha256sum")
	m, res := planned(t, "../examples/guestfs.toml")
	x := describe(t, m, res)
	root := "SPDXRef-Appliance"

	image, err := filepath.EvalSymlinks(res.Kernel.Path)
	if err != nil {
		t.Fatal(err)
	}
	name, version, arch, owned := dpkgOwner(t, image)
	kp := x.pkg(t, name)
	if want := fmt.Sprintf("pkg:deb/debian/%s@%s?arch=%s", name, version, arch); kp.VersionInfo != version || purl(kp) != want {
		t.Errorf("kernel package %s %s %s, want version %s and %s", kp.Name, kp.VersionInfo, purl(kp), version, want)
	}
	if x.in[kp.SPDXID] != root {
		t.Errorf("the appliance does not contain %s", name)
	}
	x.file(t, "."+image, sha256sums(t, image)[image], kp.SPDXID)

	var modules []*plan.Entry
	var hostFiles []string
	for i := range res.Plan.Entries {
		if e := &res.Plan.Entries[i]; e.Origin.Kind == plan.Kernel && e.Type == plan.Regular {
			h, _ := plan.HostPath(e.Src)
			modules, hostFiles = append(modules, e), append(hostFiles, h)
		}
	}
	if len(modules) < 1000 {
		t.Fatalf("the Plan has %d kernel modules: root_modules is off?", len(modules))
	}
	sums := sha256sums(t, hostFiles...)
	byPackage := 0
	for i, e := range modules {
		in := root // depmod's indexes belong to no package
		if real, _ := filepath.EvalSymlinks(hostFiles[i]); owned[real] {
			in = kp.SPDXID
			byPackage++
		}
		x.file(t, "."+e.Path, sums[hostFiles[i]], in)
	}
	if byPackage < len(modules)/2 {
		t.Errorf("only %d of %d kernel modules are described as %s's", byPackage, len(modules), name)
	}

	checkBase(t, x, m, res)
	if !strings.Contains(x.files["./usr/sbin/guestfsd"].Comment, "daemon.tar.gz") {
		t.Errorf("guestfsd is not described as daemon.tar.gz's: %+v", x.files["./usr/sbin/guestfsd"])
	}

	ip := x.pkg(t, "supermin-compile-init")
	if ip.VersionInfo != toolVersion || x.in[ip.SPDXID] != root {
		t.Errorf("init package: version %q (want %q), contained by %s", ip.VersionInfo, toolVersion, x.in[ip.SPDXID])
	}
	// The init `make init` embeds, or else this test binary, which
	// supermin-compile puts in the initrd when it was built without it.
	bin := "../boot/initrd/bin/supermin-init"
	if _, err := os.Stat(bin); err != nil {
		bin = "/proc/self/exe"
	}
	x.file(t, "initrd:/init", sha256sums(t, bin)[bin], ip.SPDXID)

	purls := map[string]bool{}
	for _, p := range x.doc.Packages {
		purls[purl(&p)] = true
	}
	for _, p := range res.Resolved.Packages {
		if want := fmt.Sprintf("pkg:deb/debian/%s@%s?arch=%s", p.Name, p.Version, p.Arch); !purls[want] {
			t.Errorf("the SBOM lacks %s", want)
		}
	}
}

// TestInlineAndInitrd: in an appliance built from a manifest, an inline
// file that replaces a base tarball's member is described once, as the
// manifest's, with the bytes debugfs reads from the root image; the
// tarball contains only what is left of it; every file of the initrd
// (extracted with GNU cpio) and the kernel copy are described with their
// checksums.
func TestInlineAndInitrd(t *testing.T) {
	testtool.Need(t, "tar", "sha256sum", "cpio", "debugfs")
	dir := t.TempDir()
	write := func(name, text string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tree/etc/a", "a, from the tarball\n")
	write("tree/etc/b", "b, from the tarball\n")
	testtool.Output(t, nil, "tar", "-czf", filepath.Join(dir, "base.tar.gz"), "-C", filepath.Join(dir, "tree"), "./etc")
	write("c.conf", "c, from a source file\n")
	write("app.toml", `packages = ["dash"]
size = "64M"
base = ["base.tar.gz"]
[[file]]
path = "/etc/b"
content = "b, inline\n"
[[file]]
path = "/etc/c"
source = "c.conf"
[kernel]
root_modules = false
`)
	m, err := manifest.Load(filepath.Join(dir, "app.toml"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := builder.Begin(m, builder.Options{Version: toolVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer run.End()
	res, err := planner.PlanForBuild(m, run.Kernel)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if _, err := run.Write(res); err != nil {
		t.Fatal(err)
	}
	x := describe(t, m, res)
	out := m.Output
	root := "SPDXRef-Appliance"

	for _, p := range []string{"/etc/a", "/etc/b", "/etc/c"} {
		dumped := filepath.Join(t.TempDir(), "f")
		testtool.Output(t, nil, "debugfs", "-R", "dump "+p+" "+dumped, filepath.Join(out, "root"))
		in := root
		if p == "/etc/a" {
			in = x.pkg(t, "base.tar.gz").SPDXID
		}
		x.file(t, "."+p, sha256sums(t, dumped)[dumped], in)
	}
	if c := x.files["./etc/b"].Comment; c != "origin: inline" {
		t.Errorf("/etc/b: comment %q, want origin: inline", c)
	}
	checkBase(t, x, m, res)

	kernel := filepath.Join(out, "kernel")
	image, _ := filepath.EvalSymlinks(res.Kernel.Path)
	if f := x.files["."+image]; f == nil || checksum(f.Checksums, "SHA256") != sha256sums(t, kernel)[kernel] {
		t.Errorf("the kernel copy's checksum is not the kernel's in the SBOM: %+v", f)
	}

	unpacked := t.TempDir()
	cmd := exec.Command("cpio", "-id", "--quiet", "-F", filepath.Join(out, "initrd"))
	cmd.Dir = unpacked
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio: %v %s", err, msg)
	}
	var files []string
	filepath.Walk(unpacked, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	sums := sha256sums(t, files...)
	described := 0
	for name := range x.files {
		if strings.HasPrefix(name, "initrd:") {
			described++
		}
	}
	if described != len(files) || len(files) < 3 {
		t.Errorf("the SBOM describes %d initrd files, cpio extracts %d", described, len(files))
	}
	for _, f := range files {
		name := "initrd:/" + strings.TrimPrefix(f, unpacked+"/")
		if g := x.files[name]; g == nil || checksum(g.Checksums, "SHA256") != sums[f] {
			t.Errorf("%s: described as %+v, sha256sum says %s", name, g, sums[f])
		}
		if path.Base(name) == "init" && x.in[x.files[name].SPDXID] != x.pkg(t, "supermin-compile-init").SPDXID {
			t.Errorf("/init is not the supermin-compile-init package's")
		}
	}
}

// TestTarballNamedHost: supermin 5 inputs are recognised by content, so a
// base tarball may be called "host". Its files are still the tarball's,
// with its checksums, and the host file beside them is still the host's.
func TestTarballNamedHost(t *testing.T) {
	testtool.Need(t, "tar", "sha256sum")
	dir := t.TempDir()
	tarred := filepath.Join(dir, "tree", "etc", "from-tarball")
	os.MkdirAll(filepath.Dir(tarred), 0o755)
	if err := os.WriteFile(tarred, []byte("a base tarball's file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inputs := filepath.Join(dir, "supermin.d")
	os.Mkdir(inputs, 0o755)
	testtool.Output(t, nil, "tar", "-cf", filepath.Join(inputs, "host"), "-C", filepath.Join(dir, "tree"), "./etc")
	if err := os.WriteFile(filepath.Join(inputs, "hostfiles"), []byte("/etc/debian_version\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.FromSuperminD([]string{inputs})
	if err != nil {
		t.Fatal(err)
	}
	m.Format = manifest.Chroot // supermin --format chroot: no kernel
	res, err := planner.Plan(m)
	if err != nil {
		t.Fatal(err)
	}
	x := describe(t, m, res)
	x.file(t, "./etc/from-tarball", sha256sums(t, tarred)[tarred], x.pkg(t, "host").SPDXID)
	const hostFile = "/etc/debian_version"
	x.file(t, "."+hostFile, sha256sums(t, hostFile)[hostFile], "SPDXRef-Appliance")
	checkBase(t, x, m, res)
}
