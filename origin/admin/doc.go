// Package admin serves the operator's API under /admin (bearer token,
// checked by origin's core before any handler here runs) and the console's
// shell: rules versions, stock snapshots and overrides, carrier breakers
// and reports, delivery outcomes, the colour and expansion reports, purges
// and warm-ups. Warm-ups render through the variant service, in the
// background, and are cancelled and awaited by Close.
package admin
