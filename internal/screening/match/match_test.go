package match_test

import (
	"testing"

	"kycd/internal/screening/match"
)

// fixture is a small list in the shape the loaders produce.
var fixture = []match.Entry{
	{List: "ofac-sdn", ID: "1", Type: "individual", Name: "ABU TEIR, Mohammed", DatesOfBirth: []string{"1951"}, Countries: []string{"PS"}},
	{List: "ofac-sdn", ID: "2", Type: "individual", Name: "HABBASH, George", Aliases: []string{"AL-HAKIM"}},
	{List: "ofac-sdn", ID: "3", Type: "individual", Name: "PUTIN, Vladimir Vladimirovich", DatesOfBirth: []string{"1952-10-07"}, Countries: []string{"RU"}},
	{List: "ofac-sdn", ID: "4", Type: "individual", Name: "IVANOV, Aleksandr Sergeyevich"},
	{List: "ofac-sdn", ID: "5", Type: "individual", Name: "AL-RAHMAN, Abd al-Aziz", Aliases: []string{"ABDUL AZIZ AL RAHMAN"}},
	{List: "ofac-sdn", ID: "6", Type: "individual", Name: "KHALIL, Ibrahim"},
	{List: "ofac-sdn", ID: "7", Type: "entity", Name: "ACME TRADING CORP"},
	{List: "ofac-sdn", ID: "8", Type: "entity", Name: "BANCO NACIONAL DE CUBA", Aliases: []string{"NATIONAL BANK OF CUBA"}},
	{List: "un", ID: "QDi.001", Type: "individual", Name: "OMAR MOHAMMED HASSAN", Aliases: []string{"Abu Umar"}},
	{List: "ofac-sdn", ID: "9", Type: "individual", Name: "GONZALEZ, Jose"},
	{List: "ofac-sdn", ID: "10", Type: "vessel", Name: "DARYA STAR"},
	{List: "ofac-sdn", ID: "11", Type: "individual", Name: "AL-FULANI, Umar Abd al-Rahman"},
	{List: "ofac-sdn", ID: "12", Type: "individual", Name: "PETROV, Ivan"},
	{List: "ofac-sdn", ID: "13", Type: "individual", Name: "IVANOVA, Anna Nikolaevna"},
	{List: "ofac-sdn", ID: "14", Type: "individual", Name: "PAVLOV, Sergei"},
	{List: "ofac-sdn", ID: "15", Type: "individual", Name: "DJABARIN, Ali Kamal"},
	{List: "ofac-sdn", ID: "16", Type: "entity", Name: "COMERCIALIZADORA TOQUIN, S.A. DE C.V."},
	{List: "ofac-sdn", ID: "17", Type: "individual", Name: "KIM, Bok Sun"},
	{List: "ofac-sdn", ID: "18", Type: "individual", Name: "WESSON, Daniel H.D."},
	{List: "ofac-sdn", ID: "19", Type: "entity", Name: "HD COLLECTION, S.A. DE C.V."},
}

func search(t *testing.T, q match.Query) []match.Hit {
	t.Helper()
	return match.NewIndex(fixture).Search(q)
}

func TestVariantsMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		class, name, want string
	}{
		{"exact, reordered", "Mohammed Abu Teir", "1"},
		{"Mohammed/Muhammad", "Muhammad Abu Teir", "1"},
		{"Mohammed/Mohamed", "Mohamed ABU-TEIR", "1"},
		{"LAST, First", "TEIR, Mohamed Abu", "1"},
		{"case and accents", "mohämmed abú téir", "1"},
		{"-ov/-off", "Aleksandr Ivanoff", "4"},
		{"Aleksandr/Alexander", "Alexander Ivanov", "4"},
		{"Abd al/Abdul", "Abdul Aziz Al-Rahman", "5"},
		{"Abd al-/Abdel", "Abdelaziz Rahman", "5"},
		{"kh/h", "Ibrahim Halil", "6"},
		{"middle name left out", "Vladimir Putin", "3"},
		{"alias", "National Bank of Cuba", "8"},
		{"company form dropped", "Acme Trading", "7"},
		{"typo", "Vladimir Puitn", "3"},
		{"UN order", "Omar Mohamed Hasan", "QDi.001"},
		// The classes of issue 14.
		{"extra word in the query", "Ivan Peter PETROV", "12"},
		{"middle names left out, Abd not swallowing the surname", "Umar AL-FULANI", "11"},
		{"Abdul before the surname", "Umar Abdul Rahman AL-FULANI", "11"},
		{"patronymic left out", "Anna Ivanova", "13"},
		{"typo in the first letter", "Sergei Oavlov", "14"},
		{"typo in a short word", "Bok Son KIM", "17"},
		{"swapped letters at the start", "Aanna Ivanova", "13"},
		{"Dj/J", "Ali Kamal Jabarin", "15"},
		{"dotted company form written plain", "Comercializadora Toquin SA de CV", "16"},
		{"company form left out", "Comercializadora Toquin", "16"},
		{"reversed order without a comma", "PETROV Ivan", "12"},
		{"a word that is initials elsewhere", "HD Collection", "19"},
	} {
		t.Run(tc.class, func(t *testing.T) {
			t.Parallel()
			hits := search(t, match.Query{Name: tc.name})
			if len(hits) == 0 || hits[0].Entry.ID != tc.want {
				t.Fatalf("%q: want entry %s first, got %v", tc.name, tc.want, ids(hits))
			}
			if hits[0].Score < match.DefaultThreshold || len(hits[0].Why) == 0 {
				t.Fatalf("%q: score %.2f why %v", tc.name, hits[0].Score, hits[0].Why)
			}
		})
	}
}

func TestFalsePositiveClassesDoNotMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ class, name string }{
		{"George Bush is not George HABBASH", "George Bush"},
		{"a common first name alone", "Mohammed"},
		{"a common first name against a nickname alias", "Omar"},
		{"a surname alone", "Putin"},
		{"company words alone", "Trading Corp"},
		{"another company with the same form", "Globex Corp"},
		{"a different person sharing a first name", "Vladimir Nabokov"},
		{"a different person sharing a surname", "Ana Gonzalez"},
		// Issue 14: a surname that shares its beginning with a patronymic or another family's.
		{"a surname read from the patronymic", "Anna Nikolaeva"},
		{"another Slavic ending", "Sergei Pavlenko"},
		{"a given name and a middle name, no surname", "Umar Abd al-Rahman"},
		{"a one-word query word with another word", "Ivan Smith"},
	} {
		t.Run(tc.class, func(t *testing.T) {
			t.Parallel()
			if hits := search(t, match.Query{Name: tc.name}); len(hits) > 0 {
				t.Fatalf("%q matched %q (%s) at %.2f: %v", tc.name, hits[0].MatchedName, hits[0].Entry.ID, hits[0].Score, hits[0].Why)
			}
		})
	}
}

func TestDateCountryAndTypeAdjust(t *testing.T) {
	t.Parallel()
	base := search(t, match.Query{Name: "Vladimir Putin"})[0].Score
	same := search(t, match.Query{Name: "Vladimir Putin", DateOfBirth: "1952-10-07", Country: "RU", Type: "individual"})
	if len(same) == 0 || same[0].Score <= base {
		t.Fatalf("matching DOB and country should raise %.2f: %v", base, same)
	}
	other := search(t, match.Query{Name: "Vladimir Putin", DateOfBirth: "1990-01-01", MinScore: 0.1})
	if len(other) == 0 || other[0].Score >= base {
		t.Fatalf("a DOB 38 years away should lower %.2f: %v", base, other)
	}
	if hits := search(t, match.Query{Name: "Darya Star", Type: "individual"}); len(hits) > 0 {
		t.Fatalf("a person should not match a vessel at the default threshold: %v", hits[0].Why)
	}
}

func TestRankingAndLimit(t *testing.T) {
	t.Parallel()
	hits := search(t, match.Query{Name: "Mohammed", MinScore: 0.01, Limit: 2})
	if len(hits) > 2 {
		t.Fatalf("limit 2, got %d", len(hits))
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Fatalf("not ranked: %v", ids(hits))
		}
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		// Abd compounds are split, not joined, so that an Abdul left before a surname never
		// swallows it (issue 14).
		"ABD AL-RAHMAN, Ahmed":  "ahmad abd rahman",
		"Abdurrahman":           "abd rahman",
		"Francois Abdul OLENGA": "frankois abd olenga",
		"Abd Allah":             "abdlah",
		"S.A. DE C.V.":          "sa de kv",
		"Djabarin Zhukov":       "jabarin jukov",
		"Yusuf Jusuf":           "jusuf jusuf",
		"KHALIFA, Mohammed":     "muhamad halifa",
		"Müller-Lüdenscheidt":   "muler ludenscheidt",
		"ZAKHAROFF":             "saharov",
		"Aleksandr":             "aleksandr",
	} {
		got := match.Tokens(in)
		if s := join(got); s != want {
			t.Errorf("Tokens(%q) = %q, want %q", in, s, want)
		}
	}
}

func join(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out
}

func ids(hs []match.Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Entry.ID)
	}
	return out
}
