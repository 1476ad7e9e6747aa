package transform

import (
	"os"
	"path/filepath"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// profilePaths are our compact output profiles written to files once at
// Startup, because libvips takes ICC profiles by path. Using our sRGB profile
// on both sides of an sRGB→sRGB conversion makes it an exact identity (the
// built-in libvips sRGB profile has slightly different primaries).
var profilePaths = map[Space]string{}

// srgbProfile is our compact sRGB profile. Untagged sRGB sources rendered to
// sRGB skip the (identity) ICC transform, a full pass over the pixels, and
// get this profile written into the encoded file instead (AVIF is tagged
// by CICP instead of a profile: see avifcicp.go).
var srgbProfile = colour.SRGBProfile()

func writeProfiles() error {
	dir, err := os.MkdirTemp("", "edgeshelf-icc-")
	if err != nil {
		return err
	}
	for space, icc := range map[Space][]byte{SRGB: colour.SRGBProfile(), DisplayP3: colour.DisplayP3Profile()} {
		p := filepath.Join(dir, string(space)+".icc")
		if err := os.WriteFile(p, icc, 0o600); err != nil {
			return err
		}
		profilePaths[space] = p
	}
	return nil
}

func profilePath(s Space) string {
	if p, ok := profilePaths[s]; ok {
		return p
	}
	return profilePaths[SRGB]
}
