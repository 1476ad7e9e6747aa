// Package console holds the operator console: a small single-page app
// (TypeScript sources in web/, built by `make console` into dist/) that the
// origin serves at /console. The built files are committed and embedded,
// so `go build` and `make run` need no Node toolchain.
package console

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets is the built console: index.html at the root and hashed files
// under assets/.
func Assets() fs.FS {
	// Sub fails only on an invalid path name, and "dist" is valid; a
	// missing directory already fails the build at the embed line.
	sub, _ := fs.Sub(dist, "dist")
	return sub
}
