package sim

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Access is one line of the origin's access trace (EDGESHELF_ACCESS_TRACE):
// "unix_nanos key size source", source being where the origin found the
// entry (l1, l2 or render), so a replay can be checked against the origin.
type Access struct {
	Request
	Source string
}

// ReadTrace reads a trace file in either format, told apart line by line:
// the origin's access trace (space-separated, 3 or 4 fields) or CSV
// "time,key,size" (an optional header line is skipped). Blank lines and
// lines starting with # are skipped.
func ReadTrace(r io.Reader, name string) (*Trace, error) {
	acc, err := ReadAccesses(r)
	if err != nil {
		return nil, err
	}
	t := &Trace{Name: name, Reqs: make([]Request, len(acc))}
	for i, a := range acc {
		t.Reqs[i] = a.Request
	}
	return t, nil
}

// ReadAccesses reads a trace file keeping the access trace's source column
// ("" in CSV traces).
func ReadAccesses(r io.Reader) ([]Access, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []Access
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || (n == 1 && strings.HasPrefix(line, "time,")) {
			continue
		}
		a, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("trace line %d: %w", n, err)
		}
		out = append(out, a)
	}
	return out, sc.Err()
}

func parseLine(line string) (Access, error) {
	var f []string
	if strings.Contains(line, ",") && !strings.Contains(line, " ") {
		f = strings.Split(line, ",")
	} else {
		f = strings.Fields(line)
	}
	if len(f) < 3 || len(f) > 4 {
		return Access{}, fmt.Errorf("%q: want time key size [source]", line)
	}
	at, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return Access{}, fmt.Errorf("time %q: %w", f[0], err)
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		return Access{}, fmt.Errorf("size %q is not a byte count", f[2])
	}
	a := Access{Request: Request{Time: at, Key: f[1], Size: size}}
	if len(f) == 4 {
		a.Source = f[3]
	}
	return a, nil
}

// WriteTrace writes t as CSV "time,key,size" with a header (csv) or in the
// access-trace format without a source column.
func WriteTrace(w io.Writer, t *Trace, csv bool) error {
	bw := bufio.NewWriter(w)
	sep := byte(' ')
	if csv {
		sep = ','
		_, _ = bw.WriteString("time,key,size\n")
	}
	var line []byte
	for _, r := range t.Reqs {
		if strings.ContainsAny(r.Key, " ,\n") {
			return fmt.Errorf("key %q: a trace key may not hold spaces, commas or newlines", r.Key)
		}
		line = strconv.AppendInt(line[:0], r.Time, 10)
		line = append(line, sep)
		line = append(line, r.Key...)
		line = append(line, sep)
		line = strconv.AppendInt(line, r.Size, 10)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}
