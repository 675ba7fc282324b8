// Package e2e holds end-to-end tests that judge supermin-compile against the
// real tools (supermin 5 above all) on this host.
package e2e
