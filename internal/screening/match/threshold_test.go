package match_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"kycd/internal/screening/match"
)

// moreNames widen the fixture for the threshold property: names that share words and beginnings,
// so that queries meet several candidates with scores across the whole range.
var moreNames = []match.Entry{
	{List: "un", ID: "QDi.002", Type: "individual", Name: "Abd al-Rahman Mohammed Ibrahim AL-FULANI"},
	{List: "ofac-sdn", ID: "20", Type: "individual", Name: "PETROV, Ivan Nikolaevich"},
	{List: "ofac-sdn", ID: "21", Type: "individual", Name: "PETROVA, Anna Ivanovna"},
	{List: "ofac-sdn", ID: "22", Type: "individual", Name: "PAVLOV, Sergei"},
	{List: "ofac-sdn", ID: "23", Type: "individual", Name: "NIKOLAEVA, Olga"},
	{List: "ofac-sdn", ID: "24", Type: "individual", Name: "DJABARIN, Ali"},
	{List: "ofac-sdn", ID: "25", Type: "individual", Name: "KIM, Jong Un"},
	{List: "ofac-sdn", ID: "26", Type: "individual", Name: "LEE, Bo"},
	{List: "ofac-sdn", ID: "27", Type: "entity", Name: "COMERCIALIZADORA TOQUIN, S.A. DE C.V."},
	{List: "ofac-sdn", ID: "28", Type: "entity", Name: "GLOBAL TRADING GROUP LLC"},
	{List: "ofac-sdn", ID: "29", Type: "individual", Name: "HASSAN, Omar Mohamed", Aliases: []string{"OMAR HASAN", "ABU HASSAN"}},
	{List: "ofac-sdn", ID: "30", Type: "individual", Name: "GONZALEZ DIAZ, Juan Carlos"},
}

// TestThresholdIndependence: for random queries drawn from list names with random edits and two
// thresholds t1 > t2, the answer at t1 is exactly the hits of the answer at t2 that score t1 or
// more, with the same scores. A matcher that prunes candidates on an estimate that can
// underestimate fails it (a name scoring above t1 is found at t2 and lost at t1).
func TestThresholdIndependence(t *testing.T) {
	t.Parallel()
	entries := append(append([]match.Entry{}, fixture...), moreNames...)
	checkThresholds(t, match.NewIndex(entries), entries, 4000)
}

// TestThresholdIndependenceFullLists runs the same property on the shipped lists, when present.
func TestThresholdIndependenceFullLists(t *testing.T) {
	t.Parallel()
	entries := fullLists(t)
	checkThresholds(t, match.NewIndex(entries), entries, 3000)
}

func checkThresholds(t *testing.T, ix *match.Index, entries []match.Entry, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(14, 41))
	failures := 0
	for k := 0; k < n && failures < 5; k++ {
		e := &entries[rng.IntN(len(entries))]
		name := e.Name
		if len(e.Aliases) > 0 && rng.IntN(3) == 0 {
			name = e.Aliases[rng.IntN(len(e.Aliases))]
		}
		q := match.Query{Name: randomEdits(rng, name), Limit: 1000}
		if rng.IntN(4) == 0 {
			q.DateOfBirth, q.Country, q.Type = "1952", "RU", "individual"
		}
		t1 := 0.05 + 0.95*rng.Float64()
		t2 := t1 * rng.Float64()
		if t2 <= 0 {
			continue
		}
		q.MinScore = t1
		hi := ix.Search(q)
		q.MinScore = t2
		lo := ix.Search(q)
		if msg := compareAnswers(hi, lo, t1); msg != "" {
			failures++
			t.Errorf("%q at %.3f and %.3f: %s", q.Name, t1, t2, msg)
		}
	}
}

// compareAnswers says how hi (the answer at t1) differs from the hits of lo scoring t1 or more.
func compareAnswers(hi, lo []match.Hit, t1 float64) string {
	scores := map[string]float64{}
	for _, h := range lo {
		scores[h.Entry.List+":"+h.Entry.ID] = h.Score
	}
	for _, h := range hi {
		k := h.Entry.List + ":" + h.Entry.ID
		s, ok := scores[k]
		switch {
		case !ok:
			return fmt.Sprintf("%s (%.3f) is missing at the lower threshold", k, h.Score)
		case s != h.Score:
			return fmt.Sprintf("%s scores %.4f at the higher threshold, %.4f at the lower", k, h.Score, s)
		}
	}
	above := 0
	for _, h := range lo {
		if h.Score >= t1 {
			above++
		}
	}
	if above != len(hi) {
		return fmt.Sprintf("%d hits at the lower threshold score at least the higher one, %d found at it", above, len(hi))
	}
	return ""
}

// randomEdits rewrites a name the way queries differ from lists: per word, sometimes one or two
// letter edits (change, drop, add, swap), sometimes the word dropped; sometimes an extra word,
// sometimes the words in another order.
func randomEdits(rng *rand.Rand, name string) string {
	ws := strings.Fields(strings.NewReplacer(",", " ").Replace(name))
	var out []string
	for _, w := range ws {
		switch r := rng.IntN(10); {
		case r == 0 && len(ws) > 1:
			continue
		case r <= 3:
			w = editWord(rng, w)
			if rng.IntN(3) == 0 {
				w = editWord(rng, w)
			}
		}
		out = append(out, w)
	}
	if rng.IntN(4) == 0 {
		out = append(out, []string{"Peter", "Ali", "Maria", "al", "Co"}[rng.IntN(5)])
	}
	if rng.IntN(3) == 0 {
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return strings.Join(out, " ")
}

func editWord(rng *rand.Rand, w string) string {
	if len(w) < 2 {
		return w
	}
	b := []byte(w)
	p := rng.IntN(len(b))
	switch rng.IntN(4) {
	case 0:
		b[p] = "abcdefghijklmnopqrstuvwxyz"[rng.IntN(26)]
	case 1:
		b = append(b[:p:p], b[p+1:]...)
	case 2:
		b = append(b[:p:p], append([]byte{"aeioulnrst"[rng.IntN(10)]}, b[p:]...)...)
	default:
		if p+1 < len(b) {
			b[p], b[p+1] = b[p+1], b[p]
		}
	}
	return string(b)
}
