// Command kycd is the self-hosted KYC server. Subcommands: serve, migrate, apikey create, user create, version.
// Every setting is a flag and a KYCD_* environment variable; `kycd serve --help` lists them with
// their defaults. main is the only place that exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"kycd/internal/app"
	"kycd/internal/auth"
	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/seal"
	"kycd/internal/store"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "kycd:", err)
		os.Exit(1)
	}
}

const usage = `kycd: a self-hosted KYC server

Usage:
  kycd serve [flags]                              run the server (migrations are applied at start)
  kycd migrate [flags]                            apply database migrations and exit
  kycd apikey create --env test|live --name NAME [--scopes read,write]
                                                  create an API key and print it once
  kycd apikey list                                list the API keys (never their secrets)
  kycd apikey revoke --env test|live --id KEY_ID  revoke an API key, at once on every replica
  kycd user create --email EMAIL --role ROLE       add a person to the review console (viewer, reviewer,
                                                   approver or admin) and print their first password once
  kycd lists import [--ofac DIR|URL]... [--un FILE|URL]  import sanctions lists (atomic; progress on stderr)
  kycd screen "NAME" [--dob YYYY-MM-DD] [--country CC]   screen a name against the imported lists
  kycd audit verify --env test|live [--head FILE]  check the audit log's chains, anchors and signatures
                                                  (and that an exported head is still in it)
  kycd audit head --env test|live                 print the newest signed anchor, to keep apart
  kycd receipt verify --file FILE [--public-key KEY]
                                                  check a signed erasure receipt (default: against this
                                                  installation's key)
  kycd receipt public-key                         print the key that signs erasure receipts
  kycd retention plan [flags]                     dry run: per data class, how many items the daily
                                                  retention job would take now, and the oldest's age
  kycd keys rotate [--batch N]                    re-wrap the keyring and every data key under KYCD_MASTER_KEY,
                                                  from KYCD_MASTER_KEY_PREVIOUS (resumable; progress on stdout)
  kycd keys status                                print the master key ids and how many data keys each wraps
  kycd version                                    print the version

Run "kycd serve --help" for the settings.
`

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("a subcommand is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "serve":
		cfg, log, err := parse("serve", args[1:], stderr, nil)
		if err != nil {
			return err
		}
		return serveTraced(ctx, cfg, log)
	case "migrate":
		cfg, _, err := parse("migrate", args[1:], stderr, nil)
		if err != nil {
			return err
		}
		st, _, err := app.OpenStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.KeyAuditLogs(ctx); err != nil {
			return fmt.Errorf("migrations applied, but: %w", err)
		}
		fmt.Fprintln(stdout, "migrations applied")
		return nil
	case "audit":
		switch {
		case len(args) >= 2 && args[1] == "verify":
			return auditVerify(ctx, args[2:], stdout, stderr)
		case len(args) >= 2 && args[1] == "head":
			return auditHead(ctx, args[2:], stdout, stderr)
		}
		fmt.Fprint(stderr, usage)
		return errors.New(`usage: kycd audit verify --env test|live [--head FILE] | head --env test|live`)
	case "receipt":
		switch {
		case len(args) >= 2 && args[1] == "verify":
			return receiptVerify(ctx, args[2:], stdout, stderr)
		case len(args) >= 2 && args[1] == "public-key":
			return receiptPublicKey(ctx, args[2:], stdout, stderr)
		}
		fmt.Fprint(stderr, usage)
		return errReceiptUsage
	case "retention":
		if len(args) < 2 || args[1] != "plan" {
			fmt.Fprint(stderr, usage)
			return errors.New(`usage: kycd retention plan [--retention-images 43800h ...]`)
		}
		return retentionPlan(ctx, args[2:], stdout, stderr)
	case "apikey":
		switch {
		case len(args) >= 2 && args[1] == "create":
			return apikeyCreate(ctx, args[2:], stdout, stderr)
		case len(args) >= 2 && args[1] == "list":
			return apikeyList(ctx, args[2:], stdout, stderr)
		case len(args) >= 2 && args[1] == "revoke":
			return apikeyRevoke(ctx, args[2:], stdout, stderr)
		}
		fmt.Fprint(stderr, usage)
		return errors.New(`usage: kycd apikey create --env test|live --name NAME | list | revoke --env test|live --id KEY_ID`)
	case "keys":
		switch {
		case len(args) >= 2 && args[1] == "rotate":
			return keysRotate(ctx, args[2:], stdout, stderr)
		case len(args) >= 2 && args[1] == "status":
			return keysStatus(ctx, args[2:], stdout, stderr)
		}
		fmt.Fprint(stderr, usage)
		return errKeysUsage
	case "user":
		if len(args) < 2 || args[1] != "create" {
			fmt.Fprint(stderr, usage)
			return errors.New(`usage: kycd user create --email EMAIL --role viewer|reviewer|approver|admin`)
		}
		return userCreate(ctx, args[2:], stdout, stderr)
	case "lists":
		if len(args) < 2 || args[1] != "import" {
			fmt.Fprint(stderr, usage)
			return errors.New(`usage: kycd lists import --ofac DIR --un FILE`)
		}
		return listsImport(ctx, args[2:], stdout, stderr)
	case "screen":
		return screen(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "kycd", buildVersion())
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown subcommand %q", args[0])
}

func userCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var email, role string
	cfg, st, sealer, err := openStore(ctx, "user create", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the person's email, with which they sign in (required)")
		fs.StringVar(&role, "role", "", "viewer, reviewer, approver or admin (required)")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	staff, err := app.NewPeople(st, sealer, cfg)
	if err != nil {
		return err
	}
	password := people.NewPassword()
	u, err := staff.CreateUser(ctx, "cli:user-create", email, people.Role(role), password)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, password)
	fmt.Fprintf(stderr, "added %s as %s (%s); the password above is shown only once: they sign in at /console and change it\n", u.Email, u.Role, u.ID)
	return nil
}

func apikeyList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, st, _, err := openStore(ctx, "apikey list", args, stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := auth.NewKeys(st).List(ctx, "")
	if err != nil {
		return err
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	fmt.Fprintln(stdout, "ID\tENV\tNAME\tSCOPES\tENDS WITH\tCREATED\tLAST USED\tREVOKED")
	for _, k := range keys {
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t...%s\t%s\t%s\t%s\n", k.ID, k.Env, k.Name, strings.Join(k.Scopes, ","), k.Hint, k.CreatedAt.UTC().Format(time.RFC3339), stamp(k.LastUsedAt), stamp(k.RevokedAt))
	}
	return nil
}

func apikeyRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var env, id string
	_, st, _, err := openStore(ctx, "apikey revoke", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&env, "env", "", "environment of the key: test or live (required)")
		fs.StringVar(&id, "id", "", "the key's id, key_... (required; kycd apikey list shows them)")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := required(map[string]string{"env": env, "id": id}); err != nil {
		return err
	}
	if err := auth.NewKeys(st).Revoke(ctx, kyc.Env(env), id, "cli:apikey-revoke"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %s\n", id)
	return nil
}

func apikeyCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var env, name, scopes string
	_, st, _, err := openStore(ctx, "apikey create", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&env, "env", "", "environment of the key: test or live (required)")
		fs.StringVar(&name, "name", "", "a name for the key, to recognise it later (required)")
		fs.StringVar(&scopes, "scopes", "read,write", "what the key may do, separated by commas: read, write, <resource>:read, <resource>:write (api-keys:write to manage keys)")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	secret, k, err := auth.NewAPIKey(ctx, auth.NewKeys(st), kyc.Env(env), name, "cli:apikey-create", strings.Split(scopes, ",")...)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	fmt.Fprintf(stderr, "created %s key %s (%q) with the scopes %s; the secret above is shown only once\n", k.Env, k.ID, k.Name, strings.Join(k.Scopes, " "))
	return nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// openStore parses a subcommand's settings (and its own flags, extra) and opens the database
// they name, migrated; close it when done.
func openStore(ctx context.Context, name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (app.Config, *store.Store, *seal.Sealer, error) {
	cfg, _, err := parse(name, args, stderr, extra)
	if err != nil {
		return cfg, nil, nil, err
	}
	st, sealer, err := app.OpenStore(ctx, cfg)
	return cfg, st, sealer, err
}

// required refuses a subcommand whose required flags are empty, naming them.
func required(flags map[string]string) error {
	var missing []string
	for name, v := range flags {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return fmt.Errorf("missing %s (required)", strings.Join(missing, ", "))
}
