package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestCommandHelp: each command's --help names the command and lists only
// the flags it reads (report expansion reads the store and the report's
// thresholds; sign reads the signing keys).
func TestCommandHelp(t *testing.T) {
	for _, tc := range []struct {
		args        []string
		usage       string
		has, hasNot []string
	}{
		{[]string{"serve", "--help"}, "Usage: edgeshelf serve [flags]",
			[]string{"-store", "-l1-bytes", "-listen", "-expansion-weeks"}, nil},
		{[]string{"report", "expansion", "--help"}, "Usage: edgeshelf report expansion [flags]",
			[]string{"-store", "-s3-endpoint", "-expansion-weeks"}, []string{"-listen", "-l1-bytes", "-quality-jpeg", "-signing-key-file"}},
		{[]string{"report", "stocking", "--help"}, "Usage: edgeshelf report stocking [flags]",
			[]string{"-store", "-stocking-service-level", "-stocking-max-skus-per-hub"}, []string{"-listen", "-expansion-weeks"}},
		{[]string{"import", "orders", "--help"}, "Usage: edgeshelf import orders [flags] FILE",
			[]string{"-store"}, []string{"-listen", "-stocking-service-level"}},
		{[]string{"sign", "--help"}, "Usage: edgeshelf sign [flags] URL",
			[]string{"-signing-key-file", "-signature-bytes"}, []string{"-store", "-listen", "-l1-bytes"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, nil, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, &stderr)
			}
			help := stderr.String()
			if !strings.HasPrefix(help, tc.usage+"\n") {
				t.Errorf("help starts %q, want %q", strings.SplitN(help, "\n", 2)[0], tc.usage)
			}
			for _, f := range tc.has {
				if !strings.Contains(help, "  "+f+" ") && !strings.Contains(help, "  "+f+"\n") {
					t.Errorf("help lacks %s", f)
				}
			}
			for _, f := range tc.hasNot {
				if strings.Contains(help, "  "+f+" ") || strings.Contains(help, "  "+f+"\n") {
					t.Errorf("help lists %s, which this command does not read", f)
				}
			}
		})
	}
}
