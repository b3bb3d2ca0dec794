package match

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// token is one word of a name: its folded form, how much it counts and its part in the name.
type token struct {
	fold   string // the folded form, canonical for the very common names
	plain  string // the folded letters without the canonical-name table, for typos of those names
	raw    string // the letters as written, for typos that folding makes two edits (coorna/corona, olfonso/alfonso)
	weight float32
	role   role
	family string // the class of its East Slavic family ending (familyClass), "" when none
}

// weak reports whether t is an honorific, particle or legal form.
func (t token) weak() bool { return t.role == roleWeak }

// role is a word's part in a name. List names of people written "LAST, First Middle" (OFAC) say
// which word is which; other names of people take the first word as the given name and the last
// as the surname; names of entities, and queries, have core words only.
type role uint8

// Roles of words.
const (
	roleCore role = iota
	roleGiven
	roleSurname
	roleMiddle
	rolePatronymic // a middle name that is a patronymic (-ovich, -ovna, after bin, ...)
	roleWeak       // an honorific, particle or legal form
)

// weakWeight is the weight of a weak word; the other words weigh by their rarity (rarity.go).
const weakWeight = 0.15

// weakWords are honorifics, particles and legal forms: they say little about who a name is.
// Generic words of business names (trading, group, international) are not here: they weigh by
// how common they are on the lists, like every other word.
var weakWords = toSet(`mr mrs ms miss dr doctor prof professor sir lord lady sheikh shaykh shaikh sheik haji hajji
	mullah mulla ltda cia sl slu sae saic eirl ca sal aps sro zrt kft doo ad ood eood pao ao ep jv maulana imam general gen colonel col major captain capt lieutenant
	al el ul abd bin ibn bint binti ben ould abu de del della der den di da das dos du la le van von y e and of the
	eu sas sca co company companies corp corporation inc incorporated ltd limited llc lllp llp lp plc sa sas sarl srl spa ag gmbh kg ek mbh
	bv nv oy ab as asa jsc ojsc cjsc pjsc ooo zao oao tov pt bhd sdn pte pvt fze fzc fzco fzllc cv rl`)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Tokens normalises a name into the folded tokens the matcher compares; exported for tests and
// for callers that want to show how a name was read.
func Tokens(name string) []string {
	ts := tokenize(name)
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.fold
	}
	return out
}

// kind is what a name is read as.
type kind uint8

const (
	kindQuery  kind = iota // a name asked about: roles unknown
	kindPerson             // a listed person
	kindEntity             // a listed entity, vessel or aircraft
)

// tokenize reads a query.
func tokenize(name string) []token { return parseName(name, kindQuery) }

// parseName turns a name into folded tokens with their roles: dotted initials joined ("S.A. DE
// C.V." is sa de cv), "LAST, First Middle" split at the comma (not in an entity's name, where
// the comma is before a legal form: "GRUPO PRODUCSIL, S.P.R. DE R.L."), Abd compounds split, and the roles of the words assigned.
func parseName(name string, k kind) []token {
	name, initials := joinInitials(name)
	first, last, comma := name, "", false
	if k != kindEntity {
		first, last, comma = commaParts(name)
	}
	gw := splitAbd(joinLetters(splitWords(first), &initials))
	var sw []string
	if comma {
		sw = splitAbd(joinLetters(splitWords(last), &initials))
	}
	ts := make([]token, 0, len(gw)+len(sw))
	ts = appendWords(ts, gw, initials)
	nFirst := len(ts)
	ts = appendWords(ts, sw, initials)
	assignRoles(ts, nFirst, comma, k)
	return ts
}

// appendWords folds words into tokens; a word is weak when an honorific, particle or legal form,
// a single letter, or initials joined into one word (S.A., S.P.R., I.C.E.: legal forms and
// initials say little about who a name is).
func appendWords(ts []token, words, initials []string) []token {
	for _, w := range words {
		if w == "" {
			continue
		}
		raw := w
		w = stripPrefixAl(w)
		f := fold(w)
		if f == "" {
			continue
		}
		t := token{fold: f, plain: foldLetters(w), raw: raw, role: roleCore, family: familyClass(f)}
		if weakWords[w] || weakWords[f] || len(f) == 1 || slices.Contains(initials, raw) {
			t.role, t.weight = roleWeak, weakWeight
		}
		ts = append(ts, t)
	}
	return ts
}

// commaParts splits "LAST, First Middle" at the first comma into first = "First Middle" and
// last = "LAST"; a name without a comma, or whose comma precedes a legal form ("ACME, INC."),
// is first alone.
func commaParts(name string) (first, last string, ok bool) {
	i := strings.IndexByte(name, ',')
	if i < 0 {
		return name, "", false
	}
	l, f := strings.TrimSpace(name[:i]), strings.TrimSpace(name[i+1:])
	if f == "" {
		return l, "", false
	}
	fw := splitWords(f)
	if len(fw) > 0 && weakWords[fw[0]] && len(fw) <= 3 {
		return name, "", false
	}
	return f, l, true
}

// splitWords lowers, removes accents and splits on anything that is not a letter or digit.
// Apostrophes vanish inside words (O'Brien, Ch'o'l).
func splitWords(s string) []string {
	s = norm.NFKD.String(s)
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ' || r == 'ʻ':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			switch r {
			case 'ß':
				b.WriteString("ss")
			case 'ø', 'Ø':
				b.WriteByte('o')
			case 'æ', 'Æ':
				b.WriteString("ae")
			case 'ł', 'Ł':
				b.WriteByte('l')
			case 'đ', 'Đ':
				b.WriteByte('d')
			case 'ı':
				b.WriteByte('i')
			default:
				b.WriteRune(unicode.ToLower(r))
			}
		default:
			flush()
		}
	}
	flush()
	return words
}

// joinLetters joins runs of two or more single letters into one word ("E U" is eu, as
// "E.U." is), so that initials written with spaces meet the dotted ones; the joined words are
// added to initials.
func joinLetters(ws []string, initials *[]string) []string {
	out := ws[:0:0]
	for i := 0; i < len(ws); i++ {
		j := i
		for j < len(ws) && len(ws[j]) == 1 {
			j++
		}
		if j-i >= 2 {
			w := strings.Join(ws[i:j], "")
			out = append(out, w)
			*initials = append(*initials, w)
			i = j - 1
			continue
		}
		out = append(out, ws[i])
	}
	return out
}

// splitAbd writes the Arabic "servant of" compounds one way: "Abd al Rahman", "Abd-al-Rahman",
// "Abdul Rahman", "Abdel Rahman", "Abdulrahman" and "Abdurrahman" all become the weak word abd
// and the name rahman. Splitting (rather than joining abd to the next word) means that an
// "Abdul" left alone before a surname never swallows it. Abdullah and Abd Allah stay one name.
func splitAbd(ws []string) []string {
	out := ws[:0:0]
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		switch {
		case abdWords[w]:
			if i+1 < len(ws) && isArticle(ws[i+1]) {
				i++
			}
			if i+1 < len(ws) && (ws[i+1] == "allah" || ws[i+1] == "ullah" || ws[i+1] == "illah") {
				out = append(out, "abdullah")
				i++
				continue
			}
			out = append(out, "abd")
		case strings.HasPrefix(w, "abd") && len(w) > 5 && canonical[w] == "":
			out = append(out, "abd", foldAbd(w)[3:])
		default:
			out = append(out, w)
		}
	}
	return out
}

var abdWords = toSet(`abd abdu abdul abdel abdal abdol abdur abdoul abdel abdi`)

func isArticle(w string) bool {
	switch w {
	case "al", "el", "ul", "ar", "ur", "as", "us", "ad", "an", "at", "az", "ash", "adh":
		return true
	}
	return false
}

// stripPrefixAl drops a glued Arabic article: "albaghdadi" reads as "baghdadi". Short words keep
// it, and so do words where a vowel or l follows (Ali, Alexander, Allen). Both the query and the
// list go through the same rule, so a name that happens to start with "al" still meets itself.
func stripPrefixAl(w string) string {
	if len(w) < 7 || (w[:2] != "al" && w[:2] != "el") {
		return w
	}
	switch w[2] {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'l':
		return w
	}
	return w[2:]
}
