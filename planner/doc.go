// Package planner turns a manifest and its package source into a Plan.
//
// It opens the source and resolves the package closure, then merges the
// packages' files, the globbed host files, the kernel's modules, the base
// tarballs and the inline files, in that order of precedence, into one
// sorted Plan: excluded paths dropped, parent directories added,
// symlinked directories resolved as the kernel would, hard-link groups
// normalised. It reads the host and the package archives but writes
// nothing: the builder package writes Plans.
package planner
