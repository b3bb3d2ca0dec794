package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"

	"kycd/internal/app"
	"kycd/internal/seal"
)

var errKeysUsage = errors.New(`usage: kycd keys rotate [--batch N] | status`)

// keysRotate wraps the keyring and every applicant's data key under the current master key
// (KYCD_MASTER_KEY), opening them under the previous one (KYCD_MASTER_KEY_PREVIOUS), in
// transactions of --batch keys, printing its progress. It can stop anywhere (kill -9 included)
// and run again: what is under the current key already is skipped. It ends by checking that
// nothing is left under another key.
func keysRotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var batch int
	cfg, _, err := parse("keys rotate", args, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&batch, "batch", 500, "data keys rewrapped per transaction")
	})
	if err != nil {
		return err
	}
	if batch <= 0 {
		return fmt.Errorf("--batch: %d is not a positive number", batch)
	}
	if cfg.MasterKeyPrevious == "" {
		return errors.New("no rotation to run: set KYCD_MASTER_KEY to the new master key and KYCD_MASTER_KEY_PREVIOUS to the old one")
	}
	st, sealer, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	keys := sealer.MasterKeys()
	fmt.Fprintf(stdout, "rotating from master key %s to master key %s\n", keys.PreviousID(), keys.CurrentID())
	changed, err := app.RotateKeyring(ctx, st, keys)
	if err != nil {
		return err
	}
	if changed {
		fmt.Fprintf(stdout, "keyring: wrapped under master key %s\n", keys.CurrentID())
	} else {
		fmt.Fprintf(stdout, "keyring: under master key %s already\n", keys.CurrentID())
	}
	total, after := 0, ""
	var skipped []error
	for {
		n, last, bad, err := st.RewrapDataKeys(ctx, after, batch)
		if err != nil {
			return fmt.Errorf("after %d data keys rewrapped (run kycd keys rotate again to go on): %w", total, err)
		}
		for _, e := range bad {
			fmt.Fprintf(stdout, "skipped, neither key opens it: %v\n", e)
		}
		skipped = append(skipped, bad...)
		if last == "" {
			break
		}
		total += n
		after = last
		fmt.Fprintf(stdout, "data keys: %d rewrapped so far (up to applicant %s)\n", total, last)
	}
	if len(skipped) > 0 {
		return fmt.Errorf("%d data keys rewrapped; %d could not be opened with KYCD_MASTER_KEY or KYCD_MASTER_KEY_PREVIOUS and "+
			"were left as they are (listed above): keep the previous key until they are dealt with", total, len(skipped))
	}
	left, err := st.DataKeysNotUnderCurrent(ctx)
	if err != nil {
		return err
	}
	if left > 0 {
		return fmt.Errorf("%d data keys are still under another master key (written meanwhile by a replica that does not have "+
			"KYCD_MASTER_KEY set to the new key?): run kycd keys rotate again", left)
	}
	under, err := app.KeyringKeyID(ctx, st)
	if err != nil {
		return err
	}
	if under != keys.CurrentID() {
		return fmt.Errorf("the keyring is under master key %s, not %s: run kycd keys rotate again", under, keys.CurrentID())
	}
	fmt.Fprintf(stdout, "done: %d data keys rewrapped in this run; the keyring and every data key are under master key %s.\n"+
		"The previous master key (%s) can now be removed: unset KYCD_MASTER_KEY_PREVIOUS and restart every replica.\n",
		total, keys.CurrentID(), keys.PreviousID())
	return nil
}

// keysStatus prints the current master key's id, the previous one's, the key that wraps the
// keyring, and how many data keys each master key wraps.
func keysStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parse("keys status", args, stderr, nil)
	if err != nil {
		return err
	}
	st, sealer, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	keys := sealer.MasterKeys()
	under, err := app.KeyringKeyID(ctx, st)
	if err != nil {
		return err
	}
	counts, err := st.DataKeysByMasterKey(ctx, seal.WrappedKeyID)
	if err != nil {
		return err
	}
	previous := keys.PreviousID()
	if previous == "" {
		previous = "none set"
	}
	fmt.Fprintf(stdout, "current master key:  %s\nprevious master key: %s\nkeyring under:       %s\ndata keys:\n", keys.CurrentID(), previous, under)
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		fmt.Fprintln(stdout, "  none")
	}
	for _, id := range ids {
		name := id
		switch id {
		case "": // first: PreviousID is "" too when no previous key is set
			name = "no key id (wrapped before key ids, under the first master key)"
		case keys.CurrentID():
			name += " (current)"
		case keys.PreviousID():
			name += " (previous)"
		}
		fmt.Fprintf(stdout, "  %s: %d\n", name, counts[id])
	}
	return nil
}
