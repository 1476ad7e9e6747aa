// Package bytesize is a byte count that reads and prints as "512MiB", for
// configuration values.
package bytesize
