package match

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// Scoring constants.
const (
	// extraWordCost is how much of its weight a word of the query that matched nothing costs
	// ("Ivan Peter PETROV" for PETROV, Ivan): people write second given names the lists lack.
	extraWordCost = 0.2
	// middleCost and patronymicCost are how much of its weight a listed middle name or
	// patronymic the query left out costs; a left-out given name, surname or word of an entity
	// costs all of it, and a left-out weak word weakCost.
	middleCost     = 0.05
	patronymicCost = 0.05
	weakCost       = 0.3
	// singleTokenCap caps the score when one word matched a name that has several, or when a
	// listed person's surname did not match: a given name alone identifies nobody.
	singleTokenCap = 0.7
	// anchorSim is the similarity at least one word of a hit must match with, unless a word of
	// six letters or more matched: a name whose every word is a short near spelling (Jing King
	// for JONG Kyong) is capped at commonNameCap.
	anchorSim = 0.93
	// commonNameCap caps the score of a hit on which no distinctive word matched, or no word
	// matched with at least anchorSim.
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
	ix.rarity.weigh(qt)
	sc := ix.scratch.Get().(*scratch)
	defer ix.release(sc)
	best := map[int32]Hit{}
	qc := costsOf(qt)
	for _, n := range ix.retrieve(qt, sc) {
		if boundOf(qc, sc.mask[n], ix.bounds[n])+maxBonus < q.MinScore {
			continue
		}
		nm := &ix.names[n]
		h, ok := ix.score(q, qt, nm, sc)
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

// boundOf is an upper bound of a name's score before the date of birth, country and type. The
// strong query words outside mask met none of the name's strong words, so they match nothing
// and cost what an extra word costs; at best every word of the name matches with similarity 1:
//
//	score <= W / (W + extra cost of the words outside mask)
//
// with W the name's whole weight (nameScore's score is matched/(matched + costs), which grows
// with the matched weight). With fewer than two strong words in mask, a name of several strong
// words is capped.
func boundOf(qc *queryCosts, mask uint32, nb nameBound) float64 {
	cost := qc.total
	for m := mask; m != 0; m &= m - 1 {
		cost -= qc.each[bits.TrailingZeros32(m)]
	}
	w := float64(nb.weight)
	ub := w / (w + max(cost, 0))
	if bits.OnesCount32(mask) < 2 && nb.strong > 1 {
		ub = min(ub, singleTokenCap)
	}
	return ub
}

// queryCosts are the extra-word costs of a query's strong words, and their sum, for boundOf.
type queryCosts struct {
	each  [maxQueryTokens]float64
	total float64
}

func costsOf(qt []token) *queryCosts {
	var qc queryCosts
	for i, t := range qt {
		if !t.weak() {
			qc.each[i] = queryCost(t)
			qc.total += qc.each[i]
		}
	}
	return &qc
}

// queryCost is what a query word that matched nothing costs.
func queryCost(t token) float64 {
	switch t.role {
	case roleWeak:
		return weakCost * float64(t.weight)
	case rolePatronymic:
		return patronymicCost * float64(t.weight)
	}
	return extraWordCost * float64(t.weight)
}

// listCost is what a listed word the query left out costs.
func listCost(t token) float64 {
	switch t.role {
	case roleWeak:
		return weakCost * float64(t.weight)
	case roleMiddle:
		return middleCost * float64(t.weight)
	case rolePatronymic:
		return patronymicCost * float64(t.weight)
	}
	return float64(t.weight)
}

// score scores one name of an entry against the query; the reasons are written only for a hit
// at or above the query's MinScore, since most candidates fall below it.
func (ix *Index) score(q Query, qt []token, nm *indexedName, sc *scratch) (Hit, bool) {
	m := nameScore(qt, nm, sc)
	ns := m.score
	if ns <= 0 || ns+maxBonus < q.MinScore {
		return Hit{}, false
	}
	e := &ix.entries[nm.entry]
	var why []string
	score := ns + adjust(q, e, &why)
	h := Hit{Entry: e, MatchedName: nm.text, Alias: nm.alias, NameScore: ns, Score: min(max(score, 0), 1)}
	if h.Score < q.MinScore {
		return h, true
	}
	h.Why = append(h.Why, fmt.Sprintf("name %.2f on %d of %d word(s)", ns, m.strong, nm.strong))
	if nm.alias {
		h.Why = append(h.Why, "matched an alias")
	}
	h.Why = append(h.Why, m.why...)
	h.Why = append(h.Why, why...)
	return h, true
}

// nameMatch is how a query's words met a name's.
type nameMatch struct {
	score  float64
	strong int      // strong words matched
	why    []string // caps applied
}

// nameScore compares the query's words with a name's: every pair's similarity as retrieval
// recorded it, the best pairs assigned one to one (greedy by similarity), and
//
//	score = sum(similarity × weight of matched listed word)
//	        / (sum(weight of matched listed words) + costs of the words left unmatched)
//
// where a word's weight is its rarity on the lists (rarity.go) and what an unmatched word costs
// depends on its part (listCost, queryCost): a left-out middle name or patronymic, or an extra
// given name in the query, costs a fraction of its weight; a left-out given name, surname or
// word of an entity costs it all. A hit also needs a distinctive word matched, or common words
// weighing distinctiveSum together, or the whole listed name of two words or more asked
// exactly; and one word matched closely (else capped at commonNameCap); and, on a name of
// several strong words, two of them matched and, for a person whose surname is known, the
// surname (else capped at singleTokenCap).
func nameScore(qt []token, nm *indexedName, sc *scratch) nameMatch {
	type pair struct {
		i, j int
		sim  float64
	}
	var buf [64]pair
	pairs := buf[:0]
	for j, w := range nm.words {
		if j >= 64 {
			break // the used-word masks hold 64 words; no listed name has more
		}
		for i := range qt {
			if s := sc.sim(i, w); s > 0 {
				pairs = append(pairs, pair{i, j, s})
			}
		}
	}
	if len(pairs) == 0 {
		return nameMatch{}
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
	var num, den float64
	var m nameMatch
	var distinct, surname, anchored bool
	var strongWeight float64
	exact, strongQ := 0, 0
	for _, t := range qt {
		if !t.weak() {
			strongQ++
		}
	}
	nt := nm.tokens
	for _, p := range pairs {
		if usedQ&(1<<p.i) != 0 || usedN&(1<<p.j) != 0 {
			continue
		}
		usedQ |= 1 << p.i
		usedN |= 1 << p.j
		b := nt[p.j]
		w := float64(b.weight)
		num += p.sim * w
		den += w
		if !b.weak() {
			m.strong++
			// A pair is as distinctive as the commoner of its two words (Ali for Wali).
			pw := min(b.weight, qt[p.i].weight)
			distinct = distinct || pw >= distinctive
			anchored = anchored || p.sim >= anchorSim || len(b.fold) >= 6
			if p.sim == 1 {
				exact++
			}
			strongWeight += float64(pw)
			surname = surname || b.role == roleSurname
		}
	}
	if m.strong == 0 {
		return nameMatch{}
	}
	distinct = distinct || strongWeight >= distinctiveSum
	for j, t := range nt {
		if usedN&(1<<j) == 0 {
			den += listCost(t)
		}
	}
	for i, t := range qt {
		if usedQ&(1<<i) != 0 {
			continue
		}
		if m.strong < 2 && !t.weak() {
			// A one-word name cannot stand for a query of several words ("Ivan Scott" is not
			// the alias SCOT): the extra word costs all its weight.
			den += float64(t.weight)
		} else {
			den += queryCost(t)
		}
	}
	m.score = num / den
	if nm.strong > 1 && (m.strong < 2 || nm.surname && !surname) && m.score > singleTokenCap {
		m.score = singleTokenCap
		m.why = append(m.why, "a single word or no surname matched")
	}
	if !anchored && m.score > commonNameCap {
		m.score = commonNameCap
		m.why = append(m.why, "no word matched closely")
	}
	if !distinct && m.strong >= 2 && exact == m.strong && m.strong == nm.strong && m.strong == strongQ {
		// Every word of a listed name of two or more, and of the query, matched exactly: this is
		// the listed name, however common its words (Isma'il ALI).
		distinct = true
	}
	if !distinct && m.score > commonNameCap {
		m.score = commonNameCap
		m.why = append(m.why, "no distinctive word matched")
	}
	return m
}

// pairSim is the similarity of a query token and a list word: strong words are compared with
// strong words and weak with weak (a particle never stands in for a name).
func pairSim(x, y token) float64 {
	if x.weak() != y.weak() {
		return 0
	}
	return tokenSim(x, y)
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
		if !t.weak() {
			return true
		}
	}
	return false
}
