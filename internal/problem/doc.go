// Package problem is the one typed error edgeshelf turns into an HTTP
// response: an RFC 9457 problem with a stable machine-readable code. Packages
// that know which status an error deserves return a *problem.Error; the
// origin's error handler maps everything else.
package problem
