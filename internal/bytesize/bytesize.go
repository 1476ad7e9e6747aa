package bytesize

import (
	"fmt"

	"github.com/dustin/go-humanize"
)

// Size is a number of bytes.
type Size int64

// UnmarshalText accepts "512MiB", "64MB", "1GiB", "0" or a plain number.
func (s *Size) UnmarshalText(b []byte) error {
	n, err := humanize.ParseBytes(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a byte size such as 512MiB", string(b))
	}
	if n > 1<<62 {
		return fmt.Errorf("%q is too large", string(b))
	}
	*s = Size(n)
	return nil
}

// String prints in binary units.
func (s Size) String() string { return humanize.IBytes(uint64(s)) }

// MarshalText is the String form.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
