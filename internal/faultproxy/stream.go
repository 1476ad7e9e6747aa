package faultproxy

import (
	"errors"
	"io"
	"net"
	"time"
)

// chunk is data read from one side, due to be written to the other at due;
// a chunk with err ends the stream.
type chunk struct {
	data []byte
	due  time.Time
	err  error
}

// read moves src's data into q, stamped with the delay of the fault in
// force when it arrived, and ends q with the read error (io.EOF included).
func (l *link) read(src net.Conn, q chan<- chunk) {
	for {
		buf := make([]byte, 32<<10)
		n, err := src.Read(buf)
		if n > 0 {
			f := l.p.Fault()
			if f.resetsAtOnce() {
				l.reset(true)
				return
			}
			select {
			case q <- chunk{data: buf[:n], due: time.Now().Add(f.delay())}:
			case <-l.done:
				return
			}
		}
		if err != nil {
			select {
			case q <- chunk{err: err}:
			case <-l.done:
			}
			return
		}
	}
}

// next waits for q's next chunk and its due time; ok is false when the link
// was reset meanwhile.
func (l *link) next(q <-chan chunk) (chunk, bool) {
	var c chunk
	select {
	case c = <-q:
	case <-l.done:
		return chunk{}, false
	}
	if wait := time.Until(c.due); wait > 0 && c.err == nil {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-l.done:
			return chunk{}, false
		}
	}
	return c, true
}

// writeUp forwards the client's data to the server; in a black hole it is
// dropped.
func (l *link) writeUp(q <-chan chunk) {
	for {
		c, ok := l.next(q)
		if !ok {
			return
		}
		up := l.up()
		switch {
		case l.isSilenced() || up == nil:
			if c.err != nil {
				return
			}
		case errors.Is(c.err, io.EOF):
			halfClose(up)
			return
		case c.err != nil:
			l.reset(false)
			return
		default:
			if _, err := up.Write(c.data); err != nil {
				l.reset(false)
				return
			}
		}
	}
}

// writeDown forwards the server's data to the client, cutting it short
// under ResetAfter.
func (l *link) writeDown(q <-chan chunk) {
	for {
		c, ok := l.next(q)
		if !ok {
			return
		}
		switch {
		case l.isSilenced():
			// The upstream was cut on purpose: drop what was in flight,
			// and keep draining so the reader is never stuck sending.
			if c.err != nil {
				return
			}
			continue
		case errors.Is(c.err, io.EOF):
			halfClose(l.client)
			return
		case c.err != nil:
			l.reset(false)
			return
		}
		data := c.data
		cut := false
		if f := l.p.Fault(); f.kind == kindReset && f.resetAfter > 0 {
			if room := f.resetAfter - l.sentDown.Load(); int64(len(data)) > room {
				data, cut = data[:max(room, 0)], true
			}
		}
		if len(data) > 0 {
			if _, err := l.client.Write(data); err != nil {
				l.reset(false)
				return
			}
			l.sentDown.Add(int64(len(data)))
		}
		if cut {
			l.reset(true)
			return
		}
	}
}
