package share_test

import (
	"os"
	"strings"
	"testing"

	"kycd/internal/share"
	"kycd/internal/share/alchemypay"
	"kycd/internal/share/interlace"
	"kycd/internal/share/saintpay"
)

// TestREADMEShowsTheMappingTables: the README's mapping tables are the connectors' Mapping data,
// rendered, so the documentation cannot drift from the code.
func TestREADMEShowsTheMappingTables(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, rows := range map[string][]share.Row{"interlace": interlace.Mapping, "alchemypay": alchemypay.Mapping, "saintpay": saintpay.Mapping} {
		if table := share.Markdown(rows); !strings.Contains(string(readme), table) {
			t.Errorf("README.md lacks %s's mapping table; paste:\n%s", name, table)
		}
	}
}
