package store

import "testing"

func TestOperation(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]string{
		"SELECT id FROM applicants WHERE id = ?":                         "SELECT",
		"\n\t  insert into audit (a) values (?)":                         "INSERT",
		"-- name: JobGetAvailable :many\nWITH locked_jobs AS (SELECT 1)": "WITH",
		"(SELECT 1) UNION (SELECT 2)":                                    "SELECT",
		"-- only a comment":                                              "OTHER",
		"'Eriksson'":                                                     "OTHER",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ":                                     "ABCDEFGHIJKLMNOP",
		"":                                                               "OTHER",
	} {
		if got := operation(q); got != want {
			t.Errorf("operation(%q) = %q, want %q", q, got, want)
		}
	}
}
