package match

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// Scoring constants.
const (
	// tokenMin is the least Jaro-Winkler similarity at which two tokens count as the same.
	tokenMin = 0.87
	// queryShare is how much the share of the query that matched counts in a name's score; the
	// share of the list name that matched counts the rest. Lists hold middle names and patronymics
	// that people leave out, so the query side weighs more.
	queryShare = 0.65
	// singleTokenCap caps the score when one token matched a name that has several.
	singleTokenCap = 0.7
	// commonNameCap caps the score of a hit that rests on one common given name alone.
	commonNameCap = 0.6
	// maxBonus is the most the date of birth and country can add.
	maxBonus = 0.08
)

// Search returns the entries matching q, best first: every entry whose score reaches
// q.MinScore (any value in (0, 1]; 0 or less means DefaultThreshold), at most q.Limit of them.
//
// The answer does not depend on the threshold asked except through the cut itself: the
// candidates come from blocking keys alone, a candidate is left unscored only when an upper
// bound of its score (boundOf, which never underestimates) is below the threshold, and the score
// of a name does not depend on the threshold. So a hit at one threshold is in the answer at
// every lower one, with the same score.
func (ix *Index) Search(q Query) []Hit {
	if q.MinScore <= 0 {
		q.MinScore = DefaultThreshold
	}
	if q.Limit <= 0 {
		q.Limit = 10
	}
	qt := tokenize(q.Name)
	if len(qt) > maxQueryTokens {
		qt = qt[:maxQueryTokens]
	}
	if len(qt) == 0 || !hasStrong(qt) {
		return nil
	}
	var qw, qweak float32
	for _, t := range qt {
		qw += t.weight
		if t.weight < strongWeight {
			qweak += t.weight
		}
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.release(sc)
	best := map[int32]Hit{}
	for _, n := range ix.retrieve(qt, sc) {
		nm := &ix.names[n]
		if boundOf(qt, qw, qweak, sc.mask[n], nm)+maxBonus < q.MinScore {
			continue
		}
		h, ok := ix.score(q, qt, qw, nm, sc)
		if !ok || h.Score < q.MinScore {
			continue
		}
		if prev, seen := best[nm.entry]; !seen || better(h, prev) {
			best[nm.entry] = h
		}
	}
	hits := make([]Hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.Entry.List+a.Entry.ID, b.Entry.List+b.Entry.ID)
	})
	if len(hits) > q.Limit {
		hits = hits[:q.Limit]
	}
	return hits
}

// better reports whether h is a better hit than prev for the same entry: a higher score, then
// the primary name before an alias, then the first name in the list's order (so the choice does
// not depend on which candidates the threshold let through).
func better(h, prev Hit) bool {
	switch {
	case h.Score != prev.Score:
		return h.Score > prev.Score
	case h.Alias != prev.Alias:
		return !h.Alias
	}
	return h.MatchedName < prev.MatchedName
}

// boundOf is an upper bound of a name's score before the date of birth, country and type: the
// query tokens that can match are at most the strong ones that met one of its strong words
// (mask) and the weak ones, each with similarity 1, and the name's side is at most fully matched.
func boundOf(qt []token, qw, qweak float32, mask uint32, nm *indexedName) float64 {
	ub := queryShare*float64((maskWeight(qt, mask)+qweak)/qw) + (1 - queryShare)
	if bits.OnesCount32(mask) == 1 && nm.strong > 1 {
		ub = min(ub, singleTokenCap)
	}
	return ub
}

// score scores one name of an entry against the query; the reasons are written only for a hit
// at or above the query's MinScore, since most candidates fall below it.
func (ix *Index) score(q Query, qt []token, qw float32, nm *indexedName, sc *scratch) (Hit, bool) {
	ns, matchedStrong, commonOnly := nameScore(qt, qw, nm, sc)
	if ns <= 0 || ns+maxBonus < q.MinScore {
		return Hit{}, false
	}
	e := &ix.entries[nm.entry]
	capped := matchedStrong == 1 && commonOnly && ns > commonNameCap
	score := ns
	if capped {
		score = commonNameCap
	}
	var why []string
	score += adjust(q, e, &why)
	h := Hit{Entry: e, MatchedName: nm.text, Alias: nm.alias, NameScore: ns, Score: min(max(score, 0), 1)}
	if h.Score < q.MinScore {
		return h, true
	}
	h.Why = append(h.Why, fmt.Sprintf("name %.2f on %d token(s)", ns, matchedStrong))
	if nm.alias {
		h.Why = append(h.Why, "matched an alias")
	}
	if capped {
		h.Why = append(h.Why, "only a common given name matched")
	}
	h.Why = append(h.Why, why...)
	return h, true
}

// nameScore compares query tokens with a name's tokens: every pair's similarity as retrieval
// recorded it, the best pairs assigned one to one (greedy by similarity), and the score
//
//	0.65 * (matched share of the query) + 0.35 * (matched share of the name)
//
// where a share is the similarity-weighted sum of the matched tokens' weights over all of that
// side's weight. A single matched token of a name with several strong tokens is capped: a surname
// alone identifies nobody.
func nameScore(qt []token, qw float32, nm *indexedName, sc *scratch) (score float64, matchedStrong int, commonOnly bool) {
	type pair struct {
		i, j int
		sim  float64
	}
	var buf [64]pair
	pairs := buf[:0]
	for j, w := range nm.words {
		for i := range qt {
			if s := sc.sim(i, w); s > 0 {
				pairs = append(pairs, pair{i, j, s})
			}
		}
	}
	if len(pairs) == 0 {
		return 0, 0, false
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		switch {
		case a.sim > b.sim:
			return -1
		case a.sim < b.sim:
			return 1
		case a.i != b.i:
			return a.i - b.i
		}
		return a.j - b.j
	})
	var usedQ, usedN uint64
	var mq, mn float64
	commonOnly = true
	nt := nm.tokens
	for _, p := range pairs {
		if usedQ&(1<<p.i) != 0 || usedN&(1<<p.j) != 0 {
			continue
		}
		usedQ |= 1 << p.i
		usedN |= 1 << p.j
		a, b := qt[p.i], nt[p.j]
		mq += p.sim * float64(a.weight)
		mn += p.sim * float64(b.weight)
		if a.weight >= strongWeight && b.weight >= strongWeight {
			matchedStrong++
			if !commonGiven[b.fold] && !commonGiven[a.fold] {
				commonOnly = false
			}
		}
	}
	if matchedStrong == 0 {
		return 0, 0, false
	}
	score = queryShare*mq/float64(qw) + (1-queryShare)*mn/float64(nm.weight)
	if matchedStrong == 1 && nm.strong > 1 {
		score = min(score, singleTokenCap)
	}
	return score, matchedStrong, commonOnly
}

// pairSim is the similarity of a query token and a list word: strong words are compared with
// strong words and weak with weak (a particle never stands in for a name).
func pairSim(x, y token) float64 {
	if (x.weight >= strongWeight) != (y.weight >= strongWeight) {
		return 0
	}
	return tokenSim(x, y)
}

// tokenSim is the similarity of two folded tokens: 1 when equal, 0 for unequal short tokens
// (initials and two-letter words say too little), else Jaro-Winkler.
func tokenSim(x, y token) float64 {
	a, b := x.fold, y.fold
	if a == b {
		return 1
	}
	if len(a) <= 3 || len(b) <= 3 || a[0] != b[0] && skeleton(a) != skeleton(b) {
		return 0
	}
	return max(jaroWinkler(a, b), jaroWinkler(x.plain, y.plain))
}

// adjust adds or subtracts for the date of birth, nationality and type when both sides have them.
func adjust(q Query, e *Entry, why *[]string) float64 {
	var d float64
	if q.DateOfBirth != "" && len(e.DatesOfBirth) > 0 {
		switch dobAgreement(q.DateOfBirth, e.DatesOfBirth) {
		case 2:
			d += 0.05
			*why = append(*why, "date of birth matches")
		case 1:
			d += 0.02
			*why = append(*why, "year of birth matches")
		case -1:
			d -= 0.15
			*why = append(*why, "date of birth differs")
		}
	}
	if q.Country != "" && len(e.Countries) > 0 {
		if slices.Contains(e.Countries, strings.ToUpper(q.Country)) {
			d += 0.03
			*why = append(*why, "nationality matches")
		} else {
			d -= 0.05
			*why = append(*why, "nationality differs")
		}
	}
	if q.Type != "" && e.Type != "" {
		person := q.Type == "individual"
		if person != (e.Type == "individual") {
			d -= 0.2
			*why = append(*why, "type differs ("+e.Type+")")
		}
	}
	return d
}

// dobAgreement: 2 a full date matches, 1 the year matches (or a year within one of it), 0 not
// comparable, -1 every listed date is more than a year away.
func dobAgreement(q string, dobs []string) int {
	if len(q) < 4 {
		return 0
	}
	qy := atoi(q[:4])
	best := -1
	for _, d := range dobs {
		if len(d) < 4 {
			continue
		}
		if len(q) >= 10 && len(d) >= 10 && d[:10] == q[:10] {
			return 2
		}
		dy := atoi(d[:4])
		diff := dy - qy
		if diff >= -1 && diff <= 1 {
			if len(d) >= 10 && len(q) >= 10 && diff != 0 {
				continue
			}
			best = 1
		}
	}
	return best
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// commonGiven are folded given names so frequent that one of them alone identifies nobody.
var commonGiven = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`mohammed ahmed ali hassan hussein omar osman yusuf ibrahim ismail mahmoud mustafa abdullah khalid
		said saeed salah saleh abdul karim jamal nasser walid fatima aisha maria jose juan carlos luis jorge manuel antonio francisco
		pedro miguel jesus john james robert michael william david richard joseph thomas charles daniel paul mark george peter
		anna elena olga irina natalia svetlana tatiana vladimir sergey alexander aleksandr andrey dmitry alexey nikolai ivan igor
		oleg yuri viktor mikhail pavel li wang zhang chen liu kim park lee ahmad mohammad muhammad`) {
		m[fold(w)] = true
	}
	return m
}()

func hasStrong(ts []token) bool {
	for _, t := range ts {
		if t.weight >= strongWeight {
			return true
		}
	}
	return false
}
