package s3

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/edgeshelf/edgeshelf/store"
)

// ParseURL splits a store root of the form s3://bucket/prefix. The prefix is
// optional; when present it is returned with one trailing slash.
func ParseURL(u string) (bucket, prefix string, err error) {
	pu, err := url.Parse(u)
	if err != nil {
		return "", "", fmt.Errorf("s3 url: %w", err)
	}
	if pu.Scheme != "s3" {
		return "", "", fmt.Errorf("s3 url %q: scheme must be s3://", u)
	}
	if pu.Opaque != "" || pu.User != nil || pu.RawQuery != "" || pu.ForceQuery || pu.Fragment != "" {
		return "", "", fmt.Errorf("s3 url %q: want s3://bucket/prefix, without credentials, query or fragment", u)
	}
	if err := validateBucket(pu.Host); err != nil {
		return "", "", err
	}
	prefix, err = normalisePrefix(strings.TrimPrefix(pu.Path, "/"))
	if err != nil {
		return "", "", err
	}
	return pu.Host, prefix, nil
}

func normalisePrefix(prefix string) (string, error) {
	if prefix == "" {
		return "", nil
	}
	if err := store.ValidatePrefix(prefix); err != nil {
		return "", fmt.Errorf("s3 prefix: %w", err)
	}
	return strings.TrimSuffix(prefix, "/") + "/", nil
}

// validateBucket applies S3's general-purpose bucket naming rules, so a typo
// in a URL fails at start-up rather than as a confusing signature or DNS
// error on the first request.
func validateBucket(b string) error {
	bad := func(why string) error { return fmt.Errorf("s3 bucket name %q: %s", b, why) }
	if len(b) < 3 || len(b) > 63 {
		return bad("must be 3 to 63 characters")
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-' {
			return bad("only lower-case letters, digits, dots and hyphens are allowed")
		}
	}
	if !isAlnum(b[0]) || !isAlnum(b[len(b)-1]) {
		return bad("must begin and end with a letter or digit")
	}
	if strings.Contains(b, "..") || strings.Contains(b, ".-") || strings.Contains(b, "-.") {
		return bad("dots must not be adjacent to dots or hyphens")
	}
	if ip := net.ParseIP(b); ip != nil {
		return bad("must not look like an IP address")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(b, p) {
			return bad("reserved prefix " + p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(b, s) {
			return bad("reserved suffix " + s)
		}
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
