package catalog

import (
	"fmt"
	"strconv"
	"strings"
)

// Quality is a preset's encoder quality: 1..100, 0 for the format's
// configured default, or QualityAuto (`quality: auto`), which lets each
// variant's render pick the lowest quality within the colour and fidelity
// bounds (transform's q=auto).
type Quality int

// QualityAuto is `quality: auto`.
const QualityAuto Quality = -1

// UnmarshalYAML reads a number or auto.
func (q *Quality) UnmarshalYAML(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"'`)
	if strings.EqualFold(s, "auto") {
		*q = QualityAuto
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 { // a negative number must not pass as auto
		return fmt.Errorf("quality %q is neither auto nor a number within 0..100", s)
	}
	*q = Quality(n)
	return nil
}

// Number is the fixed quality, 0 for the default or auto.
func (q Quality) Number() int {
	return max(int(q), 0)
}
