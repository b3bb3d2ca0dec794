package match

import "math"

// Word weights from rarity. A word held by few names of the loaded lists says more about who a
// name is than one held by many (Mohammed, Ali, Trading, Bank): its weight is
//
//	clamp(ln(N/df) / ln(N/rareNames), minWeight, 1)
//
// where N is the number of names (primary names and aliases) and df the number holding the word;
// a word on rareNames names or fewer, or on none (a query's word the lists do not hold), weighs
// 1. Given names that are common among applicants whatever the lists hold (John, Maria, Mohammed:
// commonGiven) weigh at most commonWeight, so that a small list does not make them distinctive.
// Weights are computed when the lists are indexed.
const (
	rareNames    = 4
	minWeight    = 0.2
	commonWeight = 0.45
	// distinctive is the least weight of a distinctive word: a hit needs one matched, or
	// matched words weighing distinctiveSum together (three common names in a row).
	distinctive    = 0.5
	distinctiveSum = 1.2
)

// rarity holds the document frequency of every folded word of the indexed names.
type rarity struct {
	df map[string]int32
	n  int
}

// weightOf is the weight of a folded word that is not weak.
func (r *rarity) weightOf(fold string) float32 {
	w := 1.0
	if df := r.df[fold]; df > rareNames && r.n > rareNames {
		w = math.Log(float64(r.n)/float64(df)) / math.Log(float64(r.n)/rareNames)
		w = min(max(w, minWeight), 1)
	}
	if commonGiven[fold] {
		w = min(w, commonWeight)
	}
	return float32(w)
}

// weigh sets the weights of a name's tokens.
func (r *rarity) weigh(ts []token) {
	for i := range ts {
		if ts[i].weak() {
			ts[i].weight = weakWeight
		} else {
			ts[i].weight = r.weightOf(ts[i].fold)
		}
	}
}
