package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"kycd/internal/retention"
)

// retentionPlan prints, per retention class, how many items the retention job would take now and
// how old the oldest one is, under the retention settings given (as kycd serve takes them). It
// changes no data (pending migrations are applied first, as every subcommand does).
func retentionPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, st, _, err := openStore(ctx, "retention plan", args, stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := cfg.Retention.Validate(); err != nil {
		return err
	}
	// Nothing is erased or deleted: the plan only counts.
	plan, err := retention.NewService(st, nil, nil, cfg.Retention).Plan(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CLASS\tSETTING\tPERIOD\tDUE NOW\tOLDEST")
	for _, c := range plan {
		period, oldest := "kept for ever", "-"
		if c.Period > 0 {
			period = days(c.Period)
		}
		if c.Due > 0 {
			oldest = days(c.OldestAge) + " ago"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\n", c.Name, c.Setting, period, c.Due, oldest)
	}
	return w.Flush()
}

// days writes a duration in days (and the duration itself): 1825 days (43800h0m0s).
func days(d time.Duration) string {
	return fmt.Sprintf("%d days (%s)", int64(d/(24*time.Hour)), d.Round(time.Second))
}
