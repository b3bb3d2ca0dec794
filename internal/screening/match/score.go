package match

import (
	"fmt"
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

// Search returns the entries matching q, best first.
func (ix *Index) Search(q Query) []Hit {
	if q.MinScore <= 0 {
		q.MinScore = DefaultThreshold
	}
	if q.Limit <= 0 {
		q.Limit = 10
	}
	qt := tokenize(q.Name)
	if len(qt) == 0 {
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
	strong := hasStrong(qt)
	// slack lets one strong query token that shares no blocking key with a name (a typo near its
	// start) still count towards the name's best possible score.
	var slack float32
	if nStrong(qt) >= 3 {
		slack = strongWeight
	}
	for i, t := range qt {
		if strong && t.weight < strongWeight {
			continue
		}
		for _, k := range keys(t.fold) {
			if k == "" {
				continue
			}
			for _, n := range ix.postings[k] {
				if sc.last[n] == int16(i+1) {
					continue
				}
				if sc.last[n] == 0 {
					sc.touched = append(sc.touched, n)
				}
				sc.last[n] = int16(i + 1)
				sc.acc[n] += t.weight
			}
		}
	}
	best := map[int32]Hit{}
	for _, n := range sc.touched {
		nm := &ix.names[n]
		m := min(sc.acc[n]+qweak+slack, qw)
		ub := queryShare*float64(m/qw) + (1-queryShare)*float64(min(m/nm.weight, 1))
		if ub+maxBonus < q.MinScore {
			continue
		}
		h, ok := ix.score(q, qt, qw, nm)
		if !ok || h.Score < q.MinScore {
			continue
		}
		if prev, seen := best[nm.entry]; !seen || h.Score > prev.Score || h.Score == prev.Score && prev.Alias && !h.Alias {
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

func (ix *Index) release(sc *scratch) {
	for _, n := range sc.touched {
		sc.acc[n], sc.last[n] = 0, 0
	}
	sc.touched = sc.touched[:0]
	ix.scratch.Put(sc)
}

// score scores one name of an entry against the query; the reasons are written only for a hit
// at or above the query's MinScore, since most candidates fall below it.
func (ix *Index) score(q Query, qt []token, qw float32, nm *indexedName) (Hit, bool) {
	ns, matchedStrong, commonOnly := nameScore(qt, qw, nm.tokens)
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

// nameScore compares query tokens with a name's tokens: every pair's similarity, the best pairs
// assigned one to one (greedy by similarity), and the score
//
//	0.65 * (matched share of the query) + 0.35 * (matched share of the name)
//
// where a share is the similarity-weighted sum of the matched tokens' weights over all of that
// side's weight. A single matched token of a name with several strong tokens is capped: a surname
// alone identifies nobody.
func nameScore(qt []token, qw float32, nt []token) (score float64, matchedStrong int, commonOnly bool) {
	type pair struct {
		i, j int
		sim  float64
	}
	var buf [64]pair
	pairs := buf[:0]
	for i, a := range qt {
		for j, b := range nt {
			s := tokenSim(a, b)
			if s >= tokenMin {
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
		}
		return 0
	})
	var usedQ, usedN uint64
	var mq, mn float64
	commonOnly = true
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
	var total float64
	strongN := 0
	for _, t := range nt {
		total += float64(t.weight)
		if t.weight >= strongWeight {
			strongN++
		}
	}
	score = queryShare*mq/float64(qw) + (1-queryShare)*mn/total
	if matchedStrong == 1 && strongN > 1 {
		score = min(score, singleTokenCap)
	}
	return score, matchedStrong, commonOnly
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

func nStrong(ts []token) int {
	n := 0
	for _, t := range ts {
		if t.weight >= strongWeight {
			n++
		}
	}
	return n
}
