package match

import "math/bits"

// Similarity of two words.
const (
	// tokenMin is the least similarity at which two words count as the same.
	tokenMin = 0.87
	// oneEdit is the similarity of two words of three or four letters one edit apart (a letter
	// changed, dropped, added, or two neighbours swapped); longer words get more (editSim).
	oneEdit = 0.88
	// jaroMin is the least Jaro-Winkler similarity that counts: below it, words alike only in
	// their first letters (Shipping/Shipbuilding, Martinez/Martelly) are different words.
	jaroMin = 0.9
)

// tokenSim is the similarity of two folded words, 0 to 1: 1 when equal; 0 when they end in
// different East Slavic family endings (Pavlov/Pavlenko, Nikolaeva/Nikolaevna) or when either
// has fewer than three letters; else the best of an edit similarity (of the folded words, of
// their letters without the table of common names, Omr/Omar, or of the letters as written,
// Coorna/Corona, which folding makes kurna/korona) (one edit in any word of
// three letters or more, two in long words) and, for words of four letters or more beginning
// alike, Jaro-Winkler.
func tokenSim(x, y token) float64 {
	a, b := x.fold, y.fold
	if a == b {
		return 1
	}
	if len(a) < 3 || len(b) < 3 {
		return 0
	}
	s := editSim(a, b)
	if x.plain != a || y.plain != b {
		s = max(s, editSim(x.plain, y.plain))
	}
	if x.raw != x.plain || y.raw != y.plain {
		s = max(s, editSim(x.raw, y.raw))
	}
	if len(a) > 3 && len(b) > 3 && (a[0] == b[0] || skeleton(a) == skeleton(b)) {
		if j := max(jaroWinkler(a, b), jaroWinkler(x.plain, y.plain)); j >= jaroMin {
			s = max(s, j)
		}
	}
	if s >= tokenMin {
		if ca, cb := x.family, y.family; ca != cb && ca != "" && cb != "" {
			return 0
		}
	}
	return s
}

// editSim is the similarity of two words by their edit distance (optimal string alignment: a
// swap of neighbours is one edit): one edit is oneEdit in short words and 1 - 0.6/length in
// longer ones; two edits count only in words of eight letters or more (1 - 1.2/length).
func editSim(a, b string) float64 {
	if d := len(a) - len(b); d > 2 || d < -2 || bits.OnesCount32(letters(a)^letters(b)) > 4 {
		return 0 // an edit changes the set of letters by two at most
	}
	l := float64(max(len(a), len(b)))
	switch osa(a, b) {
	case 1:
		return max(oneEdit, 1-0.6/l)
	case 2:
		if l >= 8 {
			return 1 - 1.2/l
		}
	}
	return 0
}

// letters is the set of letters of a word, a bit per letter.
func letters(w string) uint32 {
	var m uint32
	for i := 0; i < len(w); i++ {
		m |= 1 << (w[i] & 31)
	}
	return m
}

// osa is the optimal string alignment distance of two words, or 3 when it is 3 or more. Only
// the cells within two of the diagonal are computed: a path outside them costs 3 or more.
func osa(a, b string) int {
	if d := len(a) - len(b); d > 2 || d < -2 {
		return 3
	}
	if len(a) > 32 || len(b) > 32 {
		return 3
	}
	const far = 3
	var rows [3][34]int8
	for j := 0; j <= len(b); j++ {
		rows[0][j] = int8(min(j, far))
	}
	for i := 1; i <= len(a); i++ {
		cur, prev, prev2 := &rows[i%3], &rows[(i-1)%3], &rows[(i+1)%3]
		lo, hi := max(1, i-2), min(len(b), i+2)
		cur[lo-1] = far
		if lo == 1 {
			cur[0] = int8(min(i, far))
		}
		if hi < len(b) {
			cur[hi+1] = far
		}
		best := int8(far)
		for j := lo; j <= hi; j++ {
			var cost int8 = 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			v = min(v, far)
			cur[j] = v
			best = min(best, v)
		}
		if best >= far {
			return far
		}
	}
	return int(rows[len(a)%3][len(b)])
}
