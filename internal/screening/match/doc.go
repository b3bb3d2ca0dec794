// Package match is kycd's sanctions name matcher: it normalises names, indexes the names and
// aliases of list entries, and scores a query against the few entries that share a blocking key
// with it. It has no HTTP, SQL or files inside; the screening package feeds it entries and asks it
// questions.
//
// A name becomes tokens: lower case, accents removed by Unicode decomposition, punctuation split,
// "LAST, First" reordered, "Abd al"/"Abdul" joined. Each token is folded so that the common
// transliteration variants meet (Mohammed/Muhammad/Mohamed, -ov/-off, Aleksandr/Alexander,
// kh/h, ...). Honorifics, particles (al, bin, de, van) and company forms (LLC, CORP, S.A.) are weak
// tokens: they barely count in the score, so "ACME CORP" does not match "OTHER CORP".
//
// The index maps three blocking keys of every strong token (the folded token, its consonant
// skeleton and, for long tokens, its first and last four letters) to the names holding it. A query
// gathers the names sharing a key with it, drops those whose best possible score is below the
// threshold, and scores the rest: Jaro-Winkler per token pair, the best one-to-one assignment,
// unmatched tokens of either side lowering the score, then small bonuses or penalties for the date
// of birth, nationality and entity type when the query has them.
package match
