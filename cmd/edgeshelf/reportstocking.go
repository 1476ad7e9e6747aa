package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/stocking/fromstore"
)

// reportStockingCommand runs `edgeshelf report stocking [flags]`: the
// same report as GET /admin/reports/stocking with Accept: text/plain.
func reportStockingCommand(args, environ []string, stdout, stderr io.Writer) int {
	if err := reportStocking(args, environ, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "edgeshelf:", err)
		return 1
	}
	return 0
}

func reportStocking(args, environ []string, stdout, stderr io.Writer) error {
	cfg, err := config.LoadCommand(config.ReportStocking, args, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	blob, err := openStore(ctx, cfg.Store)
	if err != nil {
		return err
	}
	cat, err := fromstore.LoadCatalog(ctx, blob)
	if err != nil {
		return err
	}
	rep, err := fromstore.Load(ctx, blob, cfg.Stocking, cat, cfg.Stocking.HistoryWeeks, time.Now())
	if err != nil {
		return err
	}
	return rep.WriteText(stdout)
}
