package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Main reads the command's options with parse, then runs run with them and a context that ends
// on SIGINT or SIGTERM. When either fails it prints "name: error" to stderr and exits with
// status 1.
func Main[O any](name string, parse func() (O, error), run func(ctx context.Context, o O) error) {
	if err := mainErr(parse, run); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

func mainErr[O any](parse func() (O, error), run func(ctx context.Context, o O) error) error {
	o, err := parse()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, o)
}

// Parse parses the command line and checks what every command checks: no arguments besides the
// flags, and a valid -db.
func Parse(sf *ServerFlags) error {
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", flag.Arg(0))
	}
	return sf.check()
}

// EnvFlag is a repeatable flag of NAME=value settings, such as -server-env GOMAXPROCS=1.
type EnvFlag []string

// String is the settings joined by spaces.
func (e *EnvFlag) String() string { return strings.Join(*e, " ") }

// Set adds one NAME=value setting.
func (e *EnvFlag) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("want NAME=value, got %q", v)
	}
	*e = append(*e, v)
	return nil
}
