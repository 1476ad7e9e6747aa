// Package signing owns variant URL signatures: HMAC-SHA256 keys loaded
// from a key file (several at once, for rotation), signing the URLs that
// /route and the console hand out, and verifying them on /img.
package signing
