// Package fetch fetches files over HTTP into a content-addressed cache,
// verified before a byte is trusted or cached.
//
// A Cache (OpenCache, DefaultDir) is a directory shared by every build of
// a user; its files are named by their SHA256:
//
//	blobs/sha256/ab/abcdef…  verified files, read-only
//	tmp/PID-RANDOM-HOST      downloads under way, or left by a killed process
//	urls/SHA256-OF-URL       the last verified file of a URL (GetSigned)
//
// Cache.Path finds a file by SHA256. A Client fetches what the cache
// lacks: Get and GetAll for files whose SHA256 is known beforehand (from
// a Release file, a repomd.xml, a lock file), GetSigned for those whose
// signature is checked instead (InRelease, repomd.xml). A download
// streams into a temporary file in the cache, hashed as it is written;
// only a file of the right size and SHA256 (or that the caller's verify
// accepted) is synced and renamed to its name under blobs/. So a build
// killed at any moment, or two builds fetching the same file at once,
// leave no half file that a later build trusts, and no lock is needed.
//
// Downloads run Parallel at a time. A failure of the connection, a
// server silent for Timeout, and HTTP 5xx, 408 and 429 are tried again,
// up to Attempts times, after a back-off that doubles, with jitter; a 404,
// another 4xx or a mismatch fails at once. Proxies come from the usual
// environment variables (http_proxy, https_proxy, no_proxy). file:// URLs
// read a mirror on disk. On a terminal, Client.Progress shows a line per
// download under way and a total.
//
// Offline, a Client uses only the cache: GetAll fails naming every
// missing file (a MissingError), and GetSigned returns the URL's last
// verified file after verify accepts it again.
//
// Every failure is an *Error naming the URL, the file's label and what
// went wrong: a *MismatchError (size or sha256, want and got), a
// *VerifyError, a *StatusError (errors.Is(err, ErrNotFound) for 404 and
// 410), a *TimeoutError ("no data for 30s").
//
// A file is "used" when a Client fetches it or finds it cached: its mtime
// is set then (atime is not reliable under noatime and relatime).
// Cache.Prune removes the files that no lock file names and that were not
// used recently, and the temporary files of dead processes.
package fetch
