package rpm

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// A repository with modules (RHEL 8 and 9 AppStream) lists in
// modules.yaml each module stream's packages, its artifacts. dnf hides the
// artifacts of every stream that is not active; a stream is active when
// modulemd-defaults names it as its module's default (enabling other
// streams, `dnf module enable`, is not supported here). Packages outside
// the active streams that share a name with one of their artifacts are
// hidden too, so that the stream's version is the one installed.

// modules is what modules.yaml says about packages.
type modules struct {
	artifacts map[string]bool // every stream's, "name-epoch:version-release.arch"
	active    map[string]bool // the artifacts of the default streams
	shadowed  map[string]bool // names of those active artifacts
}

// moduleDoc is one document of modules.yaml, of either kind used here.
type moduleDoc struct {
	Document string `yaml:"document"`
	Data     struct {
		Name      string `yaml:"name"`   // modulemd
		Stream    string `yaml:"stream"` // modulemd: its stream; defaults: the default one
		Module    string `yaml:"module"` // modulemd-defaults
		Artifacts struct {
			RPMs []string `yaml:"rpms"`
		} `yaml:"artifacts"`
	} `yaml:"data"`
}

// maxModulesYAML bounds modules.yaml, which is held in memory by the YAML
// decoder: RHEL 9's is about 1 MiB.
const maxModulesYAML = 64 << 20

// readModules reads a modules.yaml (decompressed) from r; name names it
// in errors.
func readModules(r io.Reader, name string) (*modules, error) {
	lr := &io.LimitedReader{R: r, N: maxModulesYAML + 1}
	dec := yaml.NewDecoder(lr)
	defaults := map[string]string{} // module -> default stream
	streams := map[[2]string][]string{}
	for i := 1; ; i++ {
		var doc moduleDoc
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if lr.N <= 0 {
			return nil, fmt.Errorf("%s: larger than %d MiB", name, maxModulesYAML>>20)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, i, err)
		}
		switch doc.Document {
		case "modulemd":
			k := [2]string{doc.Data.Name, doc.Data.Stream}
			streams[k] = append(streams[k], doc.Data.Artifacts.RPMs...)
		case "modulemd-defaults":
			if doc.Data.Stream != "" {
				defaults[doc.Data.Module] = doc.Data.Stream
			}
		}
	}
	m := &modules{artifacts: map[string]bool{}, active: map[string]bool{}, shadowed: map[string]bool{}}
	for k, rpms := range streams {
		for _, a := range rpms {
			m.artifacts[a] = true
			if defaults[k[0]] == k[1] {
				m.active[a] = true
				if n, ok := artifactName(a); ok {
					m.shadowed[n] = true
				}
			}
		}
	}
	return m, nil
}

// artifactName is the package name of "name-epoch:version-release.arch".
func artifactName(a string) (string, bool) {
	for i := 0; i < 2; i++ { // drop "-release.arch", then "-epoch:version"
		j := strings.LastIndexByte(a, '-')
		if j < 0 {
			return "", false
		}
		a = a[:j]
	}
	return a, true
}

// hides reports whether dnf hides p: an artifact of a stream that is not
// active, or a package outside the active streams named as one of theirs.
func (m *modules) hides(p *meta) bool {
	e := ParseEVR(p.pkg.Version)
	if e.Epoch == "" {
		e.Epoch = "0"
	}
	key := p.pkg.Name + "-" + e.String() + "." + p.pkg.Arch
	if m.active[key] {
		return false
	}
	return m.artifacts[key] || m.shadowed[p.pkg.Name]
}
