// Package vipstest is the TestMain of packages whose tests call libvips: it
// starts libvips once with the shipped defaults (liborc on under
// edgeshelf's lock, malloc arenas capped, as the server starts it) and,
// after every test ran and libvips stopped, fails the run if a goroutine
// was left behind.
package vipstest

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/edgeshelf/edgeshelf/transform"
)

// Main runs m between libvips' start-up and shut-down, then checks for
// leaked goroutines; opts tell goleak what a package may leave running.
func Main(m *testing.M, opts ...goleak.Option) {
	if err := transform.Startup(transform.Defaults()); err != nil {
		panic(err)
	}
	goleak.VerifyTestMain(vipsShutdown{m}, opts...)
}

// vipsShutdown stops libvips after the tests and before the leak check.
type vipsShutdown struct{ m *testing.M }

func (v vipsShutdown) Run() int {
	code := v.m.Run()
	transform.Shutdown()
	return code
}
