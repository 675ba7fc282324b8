// Package apt knows apt repositories, on local files only: where the
// host's apt configuration says packages come from, and whether what a
// repository served is what it signed. Fetching is someone else's job; a
// fetcher calls this package at each step:
//
//  1. Sources: ReadHost parses /etc/apt/sources.list, sources.list.d/*.list
//     (one-line style) and *.sources (deb822 style) as sources.list(5)
//     documents them; Repository is a repository a manifest lists itself.
//     Source.Keyring loads the keys a source trusts: its Signed-By (files,
//     fingerprints or an inline key) or apt's trusted.gpg(.d). ReadConfig
//     reads apt.conf(5) files as apt-get does (apt.conf.d, apt.conf, -c
//     FILE); of what they set, its Paths (Dir::Etc::SourceList,
//     SourceParts, Trusted, TrustedParts) moves where ReadHostPaths and
//     Source.KeyringWith look.
//  2. Release: Verifier.InRelease (clearsigned) or Verifier.Release
//     (Release + Release.gpg) checks the OpenPGP signature against the
//     keyring as apt does (a good signature by a trusted, unexpired,
//     unrevoked key with a strong digest and key algorithm; any bad
//     signature refuses), then Valid-Until and Date, and returns the parsed
//     Release. Only the signed text is parsed: an InRelease with anything
//     outside its signed block is refused, as apt refuses it.
//  3. Indexes: Release.Index names the Packages file to fetch for a
//     component and architecture (xz, else gz, ...), its SHA256 and size
//     and its by-hash path; Release.CheckIndex checks the fetched file.
//     Source.CheckDeb checks a .deb against its index entry with the same
//     check resolver/deb makes when it reads one.
//
// Every refusal is an *Error naming the repository, the file and what did
// not match.
package apt
