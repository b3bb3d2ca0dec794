package match

import (
	"slices"
	"sync"
)

// Index holds the entries of one or more lists, ready to search. It is immutable once built and
// safe for concurrent use; a new list version builds a new Index.
//
// It has two levels: every distinct word of the lists (a folded token) once, with the names that
// hold it, and blocking keys that lead from a query's word to the list words that may be like it.
// A query's word is compared with each such list word once, however many names hold it.
type Index struct {
	entries []Entry
	names   []indexedName
	bounds  []nameBound // per name, what boundOf needs, kept apart so the bound reads little memory
	words   []word
	byWord  map[string]int32   // fold, plain, raw and weakness → word id
	keys    map[uint64][]int32 // hash of a blocking key → word ids (a collision only adds candidates)
	rarity  rarity
	scratch sync.Pool
}

// word is one distinct token of the lists.
type word struct {
	tok token
	// names hold the word as a strong token (a name's weak tokens are not posted when it has a
	// strong one: "al" or "corp" alone never makes a candidate).
	names []int32
}

// indexedName is one name or alias of an entry.
type indexedName struct {
	entry   int32
	alias   bool
	text    string
	tokens  []token
	words   []int32 // word id of each token
	weight  float32 // sum of the token weights
	strong  int     // number of strong tokens
	surname bool    // whether a word has the surname role
}

// nameBound is what the upper bound of a name's score needs: its whole weight and its number of
// strong words.
type nameBound struct {
	weight float32
	strong int32
}

func slicesContainsFold(ts []token, f string) bool {
	for _, t := range ts {
		if t.fold == f {
			return true
		}
	}
	return false
}

// NewIndex indexes entries. The index keeps the slice; do not change it afterwards.
func NewIndex(entries []Entry) *Index {
	ix := &Index{entries: entries, byWord: map[string]int32{}, keys: map[uint64][]int32{}, rarity: rarity{df: map[string]int32{}}}
	for i := range entries {
		e := &entries[i]
		k := kindEntity
		if e.Type == "individual" {
			k = kindPerson
		}
		ix.addName(int32(i), e.Name, false, k)
		for _, a := range e.Aliases {
			ix.addName(int32(i), a, true, k)
		}
	}
	ix.rarity.n = len(ix.names)
	ix.bounds = make([]nameBound, len(ix.names))
	for i := range ix.names {
		nm := &ix.names[i]
		ix.rarity.weigh(nm.tokens)
		for _, t := range nm.tokens {
			nm.weight += t.weight
		}
		ix.bounds[i] = nameBound{weight: nm.weight, strong: int32(nm.strong)}
	}
	for i := range ix.words {
		ix.words[i].names = slices.Clip(ix.words[i].names)
	}
	for k, p := range ix.keys {
		ix.keys[k] = slices.Clip(p)
	}
	nn, nw := len(ix.names), len(ix.words)
	ix.scratch.New = func() any { return &scratch{mask: make([]uint32, nn), row: make([]int32, nw)} }
	return ix
}

// Len is the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Entries are the indexed entries.
func (ix *Index) Entries() []Entry { return ix.entries }

// addName adds one name of an entry and counts its words for their rarity; the weights are set
// once every name is in.
func (ix *Index) addName(entry int32, text string, alias bool, k kind) {
	ts := parseName(text, k)
	if len(ts) == 0 {
		return
	}
	id := int32(len(ix.names))
	nm := indexedName{entry: entry, alias: alias, text: text, tokens: ts, words: make([]int32, len(ts))}
	for i, t := range ts {
		nm.words[i] = ix.wordID(t)
		if !t.weak() {
			nm.strong++
			if !slicesContainsFold(ts[:i], t.fold) {
				ix.rarity.df[t.fold]++
			}
		}
		if t.role == roleSurname {
			nm.surname = true
		}
	}
	ix.names = append(ix.names, nm)
	for i, t := range ts {
		if t.weak() {
			continue
		}
		w := &ix.words[nm.words[i]]
		if n := len(w.names); n == 0 || w.names[n-1] != id {
			w.names = append(w.names, id)
		}
	}
}

// wordID returns the id of t's word, adding it and its blocking keys when new.
func (ix *Index) wordID(t token) int32 {
	// A word is weak or not by where it stands (HD is strong in HD COLLECTION, weak as the
	// initials H.D.), so weakness is part of its identity.
	k := t.fold + "\x00" + t.plain + "\x00" + t.raw
	if t.weak() {
		k += "\x00w"
	}
	if id, ok := ix.byWord[k]; ok {
		return id
	}
	id := int32(len(ix.words))
	ix.words = append(ix.words, word{tok: t})
	ix.byWord[k] = id
	tokenKeys(t, nil, func(key []byte) {
		h := keyHash(key)
		if p := ix.keys[h]; len(p) == 0 || p[len(p)-1] != id {
			ix.keys[h] = append(p, id)
		}
	})
	return id
}

// tokenKeys calls fn with each blocking key of a token (the buffer is reused: copy it to keep
// it): the deletion keys of its folded form, and of its plain and raw letters when they differ
// from it.
func tokenKeys(t token, buf []byte, fn func(key []byte)) []byte {
	buf = blockingKeys(t.fold, buf, fn)
	if t.plain != t.fold {
		buf = blockingKeys(t.plain, buf, fn)
	}
	if t.raw != t.fold && t.raw != t.plain {
		buf = blockingKeys(t.raw, buf, fn)
	}
	return buf
}

// blockingKeys calls fn with a word's blocking keys: the word and every form of it with one
// letter deleted. Two words one edit apart (a letter changed, dropped or added, or two
// neighbours swapped) always share one of these. Consonant skeletons and first and last four
// letters, keys of the previous matcher, found no more hits on the tune half and cost a third of
// the time of a query.
func blockingKeys(f string, buf []byte, fn func(key []byte)) []byte {
	buf = append(append(buf[:0], 'd'), f...)
	fn(buf)
	if len(f) >= 3 {
		for i := 0; i < len(f); i++ {
			if i > 0 && f[i] == f[i-1] {
				continue // the same deletion as the letter before
			}
			buf = append(append(append(buf[:0], 'd'), f[:i]...), f[i+1:]...)
			fn(buf)
		}
	}
	return buf
}

// keyHash is the FNV-1a hash of a blocking key.
func keyHash(k []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range k {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// scratch is per-search working memory, pooled.
type scratch struct {
	// row is, per list word, 1 + the index in sims of its similarities to the query's tokens
	// (0: the word was not retrieved).
	row   []int32
	sims  [][maxQueryTokens]float32
	words []int32 // words with a row, to reset
	// mask is, per name, the strong query tokens that met one of its strong words.
	mask    []uint32
	touched []int32 // names with a mask, to reset
	key     []byte
}

func (ix *Index) release(sc *scratch) {
	for _, n := range sc.touched {
		sc.mask[n] = 0
	}
	for _, w := range sc.words {
		sc.row[w] = 0
	}
	sc.touched, sc.words, sc.sims = sc.touched[:0], sc.words[:0], sc.sims[:0]
	ix.scratch.Put(sc)
}
