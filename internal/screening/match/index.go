package match

import (
	"slices"
	"sync"
)

// Index holds the entries of one or more lists, ready to search. It is immutable once built and
// safe for concurrent use; a new list version builds a new Index.
type Index struct {
	entries  []Entry
	names    []indexedName
	postings map[string][]int32
	scratch  sync.Pool
}

// indexedName is one name or alias of an entry.
type indexedName struct {
	entry  int32
	alias  bool
	text   string
	tokens []token
	weight float32 // sum of the token weights
}

// NewIndex indexes entries. The index keeps the slice; do not change it afterwards.
func NewIndex(entries []Entry) *Index {
	ix := &Index{entries: entries, postings: make(map[string][]int32, len(entries)*8)}
	for i := range entries {
		e := &entries[i]
		ix.addName(int32(i), e.Name, false)
		for _, a := range e.Aliases {
			ix.addName(int32(i), a, true)
		}
	}
	for k, p := range ix.postings {
		ix.postings[k] = slices.Clip(p)
	}
	n := len(ix.names)
	ix.scratch.New = func() any { return &scratch{acc: make([]float32, n), last: make([]int16, n)} }
	return ix
}

// Len is the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Entries are the indexed entries.
func (ix *Index) Entries() []Entry { return ix.entries }

func (ix *Index) addName(entry int32, text string, alias bool) {
	ts := tokenize(text)
	if len(ts) == 0 {
		return
	}
	id := int32(len(ix.names))
	var w float32
	for _, t := range ts {
		w += t.weight
	}
	ix.names = append(ix.names, indexedName{entry: entry, alias: alias, text: text, tokens: ts, weight: w})
	strong := hasStrong(ts)
	var seen [16]string
	ns := 0
	for _, t := range ts {
		if strong && t.weight < strongWeight {
			continue
		}
		for _, k := range keys(t.fold) {
			if k == "" || slices.Contains(seen[:ns], k) {
				continue
			}
			if ns < len(seen) {
				seen[ns] = k
				ns++
			}
			ix.postings[k] = append(ix.postings[k], id)
		}
	}
}

// keys are a folded token's blocking keys: itself, its consonant skeleton and, when long, its
// first and last four letters (catch a typo in the other half of the word).
func keys(f string) [4]string {
	var k [4]string
	k[0] = "f" + f
	if s := skeleton(f); s != "" {
		k[1] = "s" + s
	}
	if len(f) >= 6 {
		k[2] = "p" + f[:4]
		k[3] = "e" + f[len(f)-4:]
	}
	return k
}

func hasStrong(ts []token) bool {
	for _, t := range ts {
		if t.weight >= strongWeight {
			return true
		}
	}
	return false
}

// scratch is per-search working memory, pooled: how much query weight each name shares keys with.
type scratch struct {
	acc     []float32
	last    []int16
	touched []int32
}
