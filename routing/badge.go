package routing

import (
	"strconv"
	"strings"
)

// fallbackBadge is used when the catalog has no locales at all.
const fallbackBadge = "Ships from {name} — {min}–{max}h"

// badgeTemplate is a locale's badge split once, at load, into literal text
// and placeholders, so rendering is appends instead of four string scans.
type badgeTemplate []badgePart

type badgePart struct {
	lit string
	ph  byte // 0 literal, 'n' name, 'r' region, '<' min, '>' max
}

var placeholders = map[string]byte{"{name}": 'n', "{region}": 'r', "{min}": '<', "{max}": '>'}

// compileBadge splits a template. Braces that are not one of the four
// placeholders stay as text: a translator's typo shows up in the badge
// instead of failing every decision.
func compileBadge(s string) badgeTemplate {
	var t badgeTemplate
	for len(s) > 0 {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t = append(t, badgePart{lit: s})
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			t = append(t, badgePart{lit: s})
			break
		}
		if ph, ok := placeholders[s[i:i+j+1]]; ok {
			if i > 0 {
				t = append(t, badgePart{lit: s[:i]})
			}
			t = append(t, badgePart{ph: ph})
		} else {
			t = append(t, badgePart{lit: s[:i+j+1]})
		}
		s = s[i+j+1:]
	}
	return t
}

func (t badgeTemplate) render(name, region string, minH, maxH int) string {
	n := 16
	for _, p := range t {
		n += len(p.lit)
	}
	var b strings.Builder
	b.Grow(n + len(name) + len(region))
	var num [20]byte
	for _, p := range t {
		switch p.ph {
		case 0:
			b.WriteString(p.lit)
		case 'n':
			b.WriteString(name)
		case 'r':
			b.WriteString(region)
		case '<':
			b.Write(strconv.AppendInt(num[:0], int64(minH), 10))
		case '>':
			b.Write(strconv.AppendInt(num[:0], int64(maxH), 10))
		}
	}
	return b.String()
}
