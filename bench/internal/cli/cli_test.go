package cli

import "testing"

func TestEnvFlag(t *testing.T) {
	t.Parallel()
	var e EnvFlag
	for _, v := range []string{"GOMAXPROCS=1", "GODEBUG=gctrace=1"} {
		if err := e.Set(v); err != nil {
			t.Fatalf("Set(%q): %v", v, err)
		}
	}
	if err := e.Set("GOMAXPROCS"); err == nil {
		t.Error("Set without = was accepted")
	}
	if got, want := e.String(), "GOMAXPROCS=1 GODEBUG=gctrace=1"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestServerFlagsCheck(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		db string
		ok bool
	}{{"", true}, {"sqlite", true}, {"postgres", true}, {"mysql", false}} {
		if err := (&ServerFlags{DB: c.db}).check(); (err == nil) != c.ok {
			t.Errorf("-db %q: got %v, want ok=%v", c.db, err, c.ok)
		}
	}
}
