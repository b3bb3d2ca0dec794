package match

// maxQueryTokens is how many words of a query are compared; the rest of a longer query is left
// out (no name on the lists has as many).
const maxQueryTokens = 24

// retrieve finds, for every query token, the list words that share a blocking key with it and
// records their similarity to it (when at least tokenMin) in sc. These similarities are the
// only ones scoring uses, so what retrieval does not find no score counts, whatever the
// threshold. It then marks, for every name holding such a word as a strong token, which strong
// query tokens met it, and returns the names marked.
func (ix *Index) retrieve(qt []token, sc *scratch) []int32 {
	for i, t := range qt {
		sc.key = tokenKeys(t, sc.key, func(k []byte) {
			for _, w := range ix.keys[keyHash(k)] {
				ix.compare(sc, i, t, w)
			}
		})
	}
	for _, w := range sc.words {
		r := &sc.sims[sc.row[w]-1]
		var m uint32
		for i, t := range qt {
			if r[i] > 0 && !t.weak() {
				m |= 1 << i
			}
		}
		if m == 0 || ix.words[w].tok.weak() {
			continue
		}
		for _, n := range ix.words[w].names {
			if sc.mask[n] == 0 {
				sc.touched = append(sc.touched, n)
			}
			sc.mask[n] |= m
		}
	}
	return sc.touched
}

// compare records the similarity of query token i with list word w, once per pair.
func (ix *Index) compare(sc *scratch, i int, t token, w int32) {
	r := sc.row[w]
	if r == 0 {
		sc.sims = append(sc.sims, [maxQueryTokens]float32{})
		r = int32(len(sc.sims))
		sc.row[w] = r
		sc.words = append(sc.words, w)
	}
	row := &sc.sims[r-1]
	if row[i] != 0 {
		return
	}
	s := float32(-1) // compared, below tokenMin
	if v := pairSim(t, ix.words[w].tok); v >= tokenMin {
		s = float32(v)
	}
	row[i] = s
}

// sim is the recorded similarity of query token i and list word w, 0 when they did not meet.
func (sc *scratch) sim(i int, w int32) float64 {
	r := sc.row[w]
	if r == 0 {
		return 0
	}
	return max(float64(sc.sims[r-1][i]), 0)
}
