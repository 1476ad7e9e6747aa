package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
)

const importUsage = "usage: edgeshelf import orders [--store DIR|s3://bucket/prefix] FILE  (a Shopify order export, CSV; - reads stdin)"

// importCommand runs `edgeshelf import orders [flags] FILE`.
func importCommand(args, environ []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "orders" {
		fmt.Fprintln(stderr, importUsage)
		return 2
	}
	args = args[1:]
	file := ""
	if n := len(args); n > 0 && (args[n-1] == "-" || !strings.HasPrefix(args[n-1], "-")) {
		args, file = args[:n-1], args[n-1]
	}
	cfg, err := config.LoadCommand(config.ImportOrders, args, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil && file == "" {
		fmt.Fprintln(stderr, importUsage)
		return 2
	}
	if err == nil {
		err = importOrders(cfg, file, stdin, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "edgeshelf:", strings.ReplaceAll(err.Error(), "; line ", "\n  line "))
		return 1
	}
	return 0
}

// stdin is where FILE "-" is read from (a variable for the tests).
var stdin io.Reader = os.Stdin

// importOrders parses the whole file first, then writes the import as one
// object: a bad row stores nothing.
func importOrders(cfg *config.Config, file string, in io.Reader, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	blob, err := openStore(ctx, cfg.Store)
	if err != nil {
		return err
	}
	cat, _, err := catalog.Load(ctx, blob)
	if err != nil {
		return fmt.Errorf("loading the catalog from %s (regions come from it): %w", cfg.Store.URL, err)
	}
	if file != "-" {
		f, err := os.Open(file) //nolint:gosec // the operator names the file to import on their own machine
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	res, err := orderimport.Parse(in, cat.RegionOf)
	if err != nil {
		return fmt.Errorf("%s: nothing imported: %w", file, err)
	}
	if len(res.Lines) == 0 {
		return fmt.Errorf("%s: no shipped order lines in %d rows; nothing imported", file, res.Counts.Rows)
	}
	imp, err := orderimport.Put(ctx, blob, res, file, time.Now())
	if err != nil {
		return err
	}
	n := res.Counts
	_, err = fmt.Fprintf(stdout, "imported %d orders (%d lines, %d units) as %s; left out %d cancelled orders, %d orders without shipping, %d rows without a SKU; %d refunded orders counted as returns\n",
		n.Orders, n.Lines, n.Units, orderimport.Key(imp.ID), n.Cancelled, n.NoShip, n.NoSKU, n.Refunded)
	return err
}
