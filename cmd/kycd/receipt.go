package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"kycd/internal/app"
	"kycd/internal/erasure"
)

// receiptVerify checks a signed erasure receipt (the `receipt` object of an erasure, saved as a
// file): against --public-key when given, else against this installation's own key.
func receiptVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var file, pub string
	cfg, _, err := parse("receipt verify", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&file, "file", "", "the signed receipt: the erasure's receipt object as JSON (required)")
		fs.StringVar(&pub, "public-key", "", "the key to trust, as kycd receipt public-key printed it (default: this installation's, from its master key)")
	})
	if err != nil {
		return err
	}
	if err := required(map[string]string{"file": file}); err != nil {
		return err
	}
	var trusted ed25519.PublicKey
	if pub != "" {
		if trusted, err = erasure.ParsePublicKey(pub); err != nil {
			return fmt.Errorf("--public-key: %w", err)
		}
	} else if trusted, err = installationReceiptKey(ctx, cfg); err != nil {
		return err
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	r, _, err := erasure.Verify(raw, trusted)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "receipt verified: applicant %s (%s) erased %s, signed by %s\n",
		r.ApplicantID, r.Env, r.ErasedTime.Format(time.RFC3339), erasure.PublicKeyString(trusted))
	return nil
}

// receiptPublicKey prints the installation's receipt-signing public key, for whoever must check
// receipts without the master key.
func receiptPublicKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parse("receipt public-key", args, stderr, nil)
	if err != nil {
		return err
	}
	pub, err := installationReceiptKey(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, erasure.PublicKeyString(pub))
	return nil
}

// installationReceiptKey derives the receipt-signing public key from the installation's root key,
// read from its keyring with its master key, which must exist already (this never creates one).
func installationReceiptKey(ctx context.Context, cfg app.Config) (ed25519.PublicKey, error) {
	sealer, err := app.ExistingSealer(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return erasure.SigningKey(sealer.Derive).Public().(ed25519.PublicKey), nil
}

var errReceiptUsage = errors.New(`usage: kycd receipt verify --file FILE [--public-key KEY] | public-key`)
