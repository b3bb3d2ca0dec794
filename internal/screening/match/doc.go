// Package match is kycd's sanctions name matcher: it normalises names, indexes the names and
// aliases of list entries, and scores a query against the entries whose words are like its
// words. It has no HTTP, SQL or files inside; the screening package feeds it entries and asks it
// questions.
//
// Reading a name (normalize.go, roles.go, fold.go): lower case, accents removed by Unicode
// decomposition, dotted initials joined (S.A. DE C.V. is sa de cv), punctuation split, Abd
// compounds split (Abdulrahman is abd rahman). Each word is folded so that the common
// transliteration variants meet (Mohammed/Muhammad, -ov/-off, Aleksandr/Alexander, kh/h, Dj/J,
// a few one-name nicknames). Honorifics, particles and legal forms (Mr, al, bin, LLC, S.A.) are
// weak words. A listed person's words have parts: before OFAC's comma the surname, after it the
// given name and then middle names; a patronymic is recognised by its ending (-ovich, -ovna,
// -ich) or by bin/ibn before it.
//
// Weights (rarity.go): a word weighs by how few names of the loaded lists hold it, computed when
// the index is built; given names common among applicants weigh little whatever the lists hold.
//
// Retrieval (index.go, retrieve.go): every distinct list word is indexed once under its one-letter
// deletions, so a query word reaches every list word one edit away; each such pair's similarity
// is computed once (sim.go: 1 when equal, an edit similarity allowing one edit in words of three
// letters or more, Jaro-Winkler from 0.9) and is the only one scoring uses. A candidate is left
// unscored only when an upper bound of its score that cannot underestimate is below the
// threshold, so a hit at one threshold is in the answer at every lower one, with the same score.
//
// Scoring (score.go): the best one-to-one pairs of words, and
//
//	score = matched weight × similarity / (matched weight + cost of the unmatched words)
//
// where a left-out middle name or patronymic costs a twentieth of its weight, an extra query
// word a fifth, a left-out given name, surname or word of an entity all of it. A hit needs the
// surname of a listed person, two words of a name of several, a distinctive word and one word
// matched closely; otherwise its score is capped below the default threshold. Then small bonuses
// or penalties for the date of birth, nationality and entity type when the query has them.
package match
