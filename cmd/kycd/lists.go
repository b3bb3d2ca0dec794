package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/riverqueue/river"

	"kycd/internal/app"
	"kycd/internal/screening"
	"kycd/internal/store"
)

// multiFlag collects a flag given several times.
type multiFlag []string

// String joins the values (flag.Value).
func (m *multiFlag) String() string { return strings.Join(*m, ",") }

// Set adds a value (flag.Value).
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// listsImport reads every given list whole, then stores each in one transaction: a broken file
// stops the import before anything is stored, and the lists in use stay.
func listsImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var ofac multiFlag
	var un string
	var allowShrink bool
	cfg, _, err := parse("lists import", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&allowShrink, "allow-shrink", false, "accept a list with less than half the entries of the stored one")
		fs.Var(&ofac, "ofac", "folder or URL prefix of an OFAC list (sdn.csv... or cons_prim.csv...); repeat for both lists")
		fs.StringVar(&un, "un", "", "UN consolidated list XML, file or URL")
	})
	if err != nil {
		return err
	}
	if len(ofac) == 0 && un == "" {
		return errors.New("nothing to import: give --ofac DIR and/or --un FILE")
	}
	// Steps: each file read (four per OFAC list, one UN file), then each list stored.
	lists := len(ofac)
	if un != "" {
		lists++
	}
	bar := newBar(stderr, 5*len(ofac)+2*(lists-len(ofac)))
	ims, err := screening.ReadSources(ctx, ofac, un, func(list, file string, n int64) {
		bar.step(fmt.Sprintf("read %s %s (%d KiB)", list, file, n>>10))
	})
	if err != nil {
		bar.done()
		return fmt.Errorf("import refused, the lists in use are unchanged: %w", err)
	}
	bar.total = bar.n + len(ims) // an OFAC list may have fewer than four files
	st, _, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	levels, err := app.LoadLevels(cfg)
	if err != nil {
		return err
	}
	svc := screening.NewService(st, screening.NewLists(st, 0), cfg.Sanctions.Threshold, levels)
	// This process only inserts the monitoring jobs an import causes; a serving kycd works them.
	workers := river.NewWorkers()
	screening.Register(workers, svc, st)
	if err := st.InitJobs(store.JobsConfig{Workers: workers}); err != nil {
		return err
	}
	var changes []screening.ListChange
	for _, im := range ims {
		v, ch, err := svc.Import(ctx, im.List, im.Source, im.Entries, im.Raw, allowShrink)
		if err != nil {
			bar.done()
			return fmt.Errorf("import %s: %w", im.List, err)
		}
		bar.step(fmt.Sprintf("stored %s: %d entries", v.List, v.EntryCount))
		changes = append(changes, ch)
	}
	bar.done()
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "LIST\tENTRIES\tCHANGED\tREMOVED\tVERSION")
	for i, im := range ims {
		ch := changes[i]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", im.List, len(im.Entries), len(ch.Changed), ch.Removed, versionOf(ch))
	}
	return tw.Flush()
}

// versionOf says whether an import stored a new version or found the same one stored.
func versionOf(ch screening.ListChange) string {
	if len(ch.Changed) == 0 && ch.Removed == 0 && ch.Previous != "" {
		return "unchanged"
	}
	return "new"
}

// screen prints the hits of one name.
func screen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New(`usage: kycd screen "NAME" [--dob YYYY-MM-DD] [--country CC] [--min-score 0.7]`)
	}
	name := args[0]
	var q screening.Query
	cfg, _, err := parse("screen", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&q.DateOfBirth, "dob", "", "date of birth, YYYY-MM-DD or YYYY")
		fs.StringVar(&q.Country, "country", "", "nationality")
		fs.StringVar(&q.Type, "type", "", "individual or entity")
		fs.Float64Var(&q.MinScore, "min-score", 0, "lowest score shown, in (0, 1]; 0 means the match threshold")
		fs.IntVar(&q.Limit, "limit", 10, "most hits shown")
	})
	if err != nil {
		return err
	}
	q.Name = name
	st, _, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	levels, err := app.LoadLevels(cfg)
	if err != nil {
		return err
	}
	svc := screening.NewService(st, screening.NewLists(st, 0), cfg.Sanctions.Threshold, levels)
	res, err := svc.Screen(ctx, q)
	if err != nil {
		return err
	}
	if len(res.Lists) == 0 {
		return errors.New("no sanctions list imported yet: run kycd lists import")
	}
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "SCORE\tLIST\tENTRY\tMATCHED NAME\tWHY")
	for _, h := range res.Hits {
		fmt.Fprintf(tw, "%.3f\t%s\t%s\t%s\t%s\n", h.Score, h.List, h.EntryID, h.MatchedName, strings.Join(h.Why, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d hit(s) at or above %.2f\n", len(res.Hits), res.Threshold)
	return nil
}

// bar is a text progress bar on stderr.
type bar struct {
	w        io.Writer
	n, total int
}

func newBar(w io.Writer, total int) *bar { return &bar{w: w, total: max(total, 1)} }

func (b *bar) step(what string) {
	b.n++
	if b.n > b.total {
		b.total = b.n
	}
	const width = 30
	filled := width * b.n / b.total
	fmt.Fprintf(b.w, "\r[%s%s] %3d%% %-60.60s", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), 100*b.n/b.total, what)
}

func (b *bar) done() { fmt.Fprintln(b.w) }
