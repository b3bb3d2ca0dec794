package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// auditVerify checks an environment's audit log (every chain, anchor and signature) and, with
// --head, that a head exported earlier by kycd audit head is still in it.
func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var head string
	st, env, err := openAuditLog(ctx, "audit verify", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&head, "head", "", "a file kycd audit head wrote earlier: check that the log still holds it")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.VerifyAuditChain(ctx, env); err != nil {
		return err
	}
	if head != "" {
		raw, err := os.ReadFile(head)
		if err != nil {
			return err
		}
		var h store.AuditHead
		if err := json.Unmarshal(raw, &h); err != nil {
			return fmt.Errorf("--head %s: %w", head, err)
		}
		if h.Env != env {
			return fmt.Errorf("--head %s is the %s log's head, not %s's", head, h.Env, env)
		}
		if err := st.VerifyAuditHead(ctx, h); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "the %s audit log verifies, and holds the exported anchor %d\n", env, h.Seq)
		return nil
	}
	fmt.Fprintf(stdout, "the %s audit log verifies\n", env)
	return nil
}

// auditHead prints an environment's newest signed anchor as JSON, to keep apart from the database.
func auditHead(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	st, env, err := openAuditLog(ctx, "audit head", args, stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	h, err := st.AuditHeadOf(ctx, env)
	if errors.Is(err, store.ErrNoAnchor) {
		return fmt.Errorf("the %s audit log has no anchor yet: kycd serve writes one every minute while the log moves", env)
	}
	if err != nil {
		return err
	}
	out, _ := json.MarshalIndent(h, "", "  ")
	fmt.Fprintln(stdout, string(out))
	return nil
}

// openAuditLog opens the database of an audit subcommand, whose --env (test or live) is required,
// with the subcommand's own flags (extra).
func openAuditLog(ctx context.Context, name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*store.Store, kyc.Env, error) {
	var env string
	_, st, _, err := openStore(ctx, name, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&env, "env", "", "the environment whose log to read: test or live (required)")
		if extra != nil {
			extra(fs)
		}
	})
	if err != nil {
		return nil, "", err
	}
	if err := required(map[string]string{"env": env}); err != nil {
		_ = st.Close()
		return nil, "", err
	}
	if !kyc.Env(env).Valid() {
		_ = st.Close()
		return nil, "", fmt.Errorf("--env must be test or live")
	}
	return st, kyc.Env(env), nil
}
