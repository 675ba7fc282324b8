package plan

// Origin says where an Entry comes from. Its kind decides what a later
// stage does with the entry (the lock pins host files, the SBOM lists a
// tarball's members under the tarball); the name only tells people which
// package or tarball, so a package named "host" is still a package.
type Origin struct {
	Kind OriginKind
	Name string // the package or the tarball's file name, for those kinds
}

// OriginKind is the kind of an Origin. The zero kind is an entry whose
// origin nobody recorded.
type OriginKind uint8

const (
	Package     OriginKind = iota + 1 // a package's file; Name is the package
	Tarball                           // a base tarball's member; Name is its base name
	Host                              // a hostfiles match, or a parent directory taken from the host
	Inline                            // the manifest's [[file]] tables
	Parent                            // a parent directory made up for a path
	Kernel                            // the kernel's modules directory
	Initrd                            // the initrd's own files
	PackageList                       // the package list a format adds
)

// FromPackage and FromTarball make the origins that carry a name.
func FromPackage(name string) Origin { return Origin{Kind: Package, Name: name} }
func FromTarball(name string) Origin { return Origin{Kind: Tarball, Name: name} }

// The origins of the kinds without a name.
var (
	FromHost        = Origin{Kind: Host}
	FromInline      = Origin{Kind: Inline}
	FromParent      = Origin{Kind: Parent}
	FromKernel      = Origin{Kind: Kernel}
	FromInitrd      = Origin{Kind: Initrd}
	FromPackageList = Origin{Kind: PackageList}
)

var originWords = [...]string{Host: "host", Inline: "inline", Parent: "parent",
	Kernel: "kernel", Initrd: "initrd", PackageList: "packagelist"}

// String is the origin as `list` prints it: the package or tarball name,
// else the kind's word ("host", "inline", ...); "" when nobody recorded it.
func (o Origin) String() string {
	if int(o.Kind) < len(originWords) && originWords[o.Kind] != "" {
		return originWords[o.Kind]
	}
	return o.Name
}
