package resolver

import "fmt"

// memUniverse is an in-memory Universe for tests.
type memUniverse struct {
	native string
	pkgs   []*Package
}

func (u *memUniverse) Packages() []*Package { return u.pkgs }
func (u *memUniverse) NativeArch() string   { return u.native }

func (u *memUniverse) Files(p *Package) ([]File, error) {
	return nil, fmt.Errorf("memUniverse has no files for %s", p.Name)
}

// pk builds an amd64 package; "name:arch" selects another architecture.
func pk(nameArch, ver, depends, provides string) *Package {
	p := &Package{Name: nameArch, Version: ver, Arch: "amd64", Depends: depends, Provides: provides}
	for i := range len(nameArch) {
		if nameArch[i] == ':' {
			p.Name, p.Arch = nameArch[:i], nameArch[i+1:]
		}
	}
	return p
}

func universe(pkgs ...*Package) *memUniverse {
	return &memUniverse{native: "amd64", pkgs: pkgs}
}
