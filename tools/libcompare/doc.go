// Package libcompare measures the libraries the project was first specified
// with, and well-kept libraries for parts we wrote ourselves, against our
// own code, on real fixtures; README.md's Dependencies table cites it. It
// is its own module so that the libraries it compares never enter the main
// module's go.mod or the binary.
package libcompare
