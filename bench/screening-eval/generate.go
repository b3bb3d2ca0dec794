package main

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"

	"kycd/internal/screening/match"
)

// Halves of the evaluation. Every query derived from one list entry falls in the half of that
// entry, so a matcher tuned on one half has never seen the entries of the other.
const (
	tune    = "tune"
	heldOut = "held-out"
)

// halfOf puts a key (a list entry's "list:id", or a negative's name) in one half, by a hash that
// does not depend on the seed or on the order of the lists.
func halfOf(key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	if h.Sum32()%2 == 0 {
		return tune
	}
	return heldOut
}

// sampleSize is how many individuals and entities of the lists the positives are built from.
const sampleSize = 2000

// generate builds the labelled evaluation: for a sample of individuals and entities of the lists,
// names written the way applicants and other lists write them (each variant class once per
// sampled entry where it applies), and names of people and businesses that are not on the lists.
func generate(entries []match.Entry, seed uint64) []labelled {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var cases []labelled
	perm := rng.Perm(len(entries))
	sampled := 0
	for _, i := range perm {
		if sampled >= sampleSize {
			break
		}
		e := &entries[i]
		if e.Type != "individual" && e.Type != "entity" {
			continue
		}
		sampled++
		g := variants{rng: rng, want: e.List + ":" + e.ID}
		g.half = halfOf(g.want)
		if e.Type == "individual" {
			g.person(e)
		} else {
			g.entity(e)
		}
		if len(e.Aliases) > 0 {
			a := e.Aliases[rng.IntN(len(e.Aliases))]
			if len(words(a)) >= 2 {
				g.add("alias", a, match.Query{})
			}
		}
		cases = append(cases, g.cases...)
	}
	return append(cases, negatives(entries, rng)...)
}

// variants collects the positive queries of one list entry.
type variants struct {
	rng        *rand.Rand
	want, half string
	cases      []labelled
}

func (g *variants) add(class, name string, q match.Query) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return
	}
	q.Name = name
	g.cases = append(g.cases, labelled{q: q, want: g.want, class: class, half: g.half})
}

// addChanged adds name only when the rewrite changed it.
func (g *variants) addChanged(class, name, orig string) {
	if name != "" && name != orig {
		g.add(class, name, match.Query{})
	}
}

func (g *variants) person(e *match.Entry) {
	first, last := splitOFAC(e.Name)
	full := strings.TrimSpace(first + " " + last)
	given := strings.Fields(first)
	g.add("reordered", full, match.Query{})
	g.add("reversed", last+" "+first, match.Query{})
	g.add("case-accents", accent(strings.ToLower(full)), match.Query{})
	q := match.Query{Type: "individual"}
	if len(e.DatesOfBirth) > 0 && len(e.DatesOfBirth[0]) == 10 {
		q.DateOfBirth = e.DatesOfBirth[0]
	}
	g.add("with-dob-type", full, q)
	g.addChanged("transliteration", translit(full), full)
	if len(given) > 1 && len(words(given[0])) == 1 && !weakFirst[strings.ToLower(given[0])] {
		g.add("middle-dropped", given[0]+" "+last, match.Query{})
	}
	if len(given) >= 1 {
		extra := extraWords[g.rng.IntN(len(extraWords))]
		g.add("extra-word", strings.Join(given, " ")+" "+extra+" "+last, match.Query{})
	}
	for _, k := range []struct {
		class string
		f     func(*rand.Rand, string) string
	}{
		{"typo-first-letter", typoFirst}, {"typo-swap", typoSwap}, {"typo-double", typoDouble},
		{"typo-short-word", typoShort}, {"typo-drop-insert", typoDropInsert},
	} {
		g.addChanged(k.class, k.f(g.rng, full), full)
	}
	g.addChanged("translit-initial", initialFold(g.rng, full), full)
	if slavic(last) {
		g.addChanged("cyrillic-romanized", romanize(g.rng, slavicSystems, full), full)
	}
	if arabic(full) {
		g.addChanged("arabic-romanized", romanize(g.rng, arabicSystems, full), full)
	}
	g.addChanged("nickname", nickname(first, last), full)
	g.addChanged("particle-dropped", dropParticles(full), full)
	if arabic(full) && !strings.Contains(strings.ToLower(last), "al-") {
		g.add("particle-added", first+" al-"+last, match.Query{})
	}
}

func (g *variants) entity(e *match.Entry) {
	g.add("entity-name", strings.ToLower(e.Name), match.Query{})
	g.addChanged("entity-no-form", dropForms(e.Name), e.Name)
	g.addChanged("entity-form-changed", changeForm(g.rng, e.Name), e.Name)
	g.addChanged("entity-dotted-form", dotForms(e.Name), e.Name)
}

// splitOFAC splits "LAST, First Middle" into its parts.
func splitOFAC(n string) (first, last string) {
	l, f, ok := strings.Cut(n, ",")
	if !ok {
		return "", n
	}
	return strings.TrimSpace(f), strings.TrimSpace(l)
}

// translitRules are the spelling changes between transliterations that lists and documents use.
var translitRules = [][2]string{
	{"MOHAMMED", "Muhammad"}, {"Mohammed", "Muhammad"}, {"Muhammad", "Mohamed"}, {"MUHAMMAD", "Mohammad"}, {"Mohamed", "Mohammed"},
	{"Mohammad", "Muhammed"}, {"Ahmed", "Ahmad"}, {"Ahmad", "Ahmed"}, {"AHMED", "Ahmad"}, {"Hussein", "Husain"}, {"HUSSEIN", "Hussain"},
	{"Hassan", "Hasan"}, {"HASSAN", "Hasan"}, {"Yousef", "Yusuf"}, {"Yusuf", "Youssef"}, {"Omar", "Umar"}, {"Osama", "Usama"},
	{"Abd Al", "Abdul"}, {"ABD AL-", "Abdul "}, {"Abdul ", "Abd al-"}, {"Abdel", "Abdul"}, {"OV", "OFF"}, {"EV", "EFF"},
	{"Aleksandr", "Alexander"}, {"Alexander", "Aleksandr"}, {"Kh", "H"}, {"KH", "H"}, {"kh", "h"}, {"Sergey", "Sergei"},
	{"Yuriy", "Yuri"}, {"Dmitriy", "Dmitry"}, {"Mikhail", "Mykhailo"}, {"Ou", "U"}, {"ou", "u"}, {"ee", "i"}, {"Y", "I"},
}

// translit applies the first rule that changes the name (OFAC writes surnames in capitals).
func translit(n string) string {
	for _, r := range translitRules {
		if r[0] == "OV" || r[0] == "EV" {
			for _, w := range strings.Fields(n) {
				if strings.HasSuffix(w, r[0]) && len(w) > 4 {
					return strings.Replace(n, w, w[:len(w)-2]+r[1], 1)
				}
			}
			continue
		}
		if strings.Contains(n, r[0]) {
			return strings.Replace(n, r[0], r[1], 1)
		}
	}
	return n
}

func accent(s string) string {
	r := strings.NewReplacer("e", "é", "a", "á", "o", "ö", "u", "ü")
	return r.Replace(s)
}

// words are the plain words of a name with where they are, for the typo rewrites.
func wordsOf(n string, minLen, maxLen int) (ws []string, idx []int) {
	ws = strings.Fields(n)
	for i, w := range ws {
		if len(w) >= minLen && len(w) <= maxLen && isLetters(w) {
			idx = append(idx, i)
		}
	}
	return ws, idx
}

func isLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// sameCase writes c in the case of like.
func sameCase(c, like byte) byte {
	if like >= 'A' && like <= 'Z' {
		return c &^ 0x20
	}
	return c | 0x20
}

// typoFirst changes the first letter of a word of four letters or more to a neighbour on the
// keyboard or a vowel for a vowel.
func typoFirst(rng *rand.Rand, n string) string {
	ws, idx := wordsOf(n, 4, 99)
	if len(idx) == 0 {
		return ""
	}
	i := idx[rng.IntN(len(idx))]
	w := []byte(ws[i])
	c := w[0] | 0x20
	alt := neighbours[c]
	if alt == "" {
		return ""
	}
	w[0] = sameCase(alt[rng.IntN(len(alt))], w[0])
	ws[i] = string(w)
	return strings.Join(ws, " ")
}

// neighbours are keyboard neighbours and confusable letters.
var neighbours = map[byte]string{
	'a': "eos", 'b': "vnp", 'c': "kxs", 'd': "stf", 'e': "aiw", 'f': "gdv", 'g': "hfk", 'h': "gjk", 'i': "eyo", 'j': "hgy",
	'k': "cgl", 'l': "kr", 'm': "nb", 'n': "mb", 'o': "aui", 'p': "bo", 'q': "kg", 'r': "tel", 's': "zad", 't': "dry",
	'u': "oi", 'v': "bwf", 'w': "vq", 'x': "sz", 'y': "iu", 'z': "sx",
}

// typoSwap swaps two neighbouring letters anywhere in a word of four letters or more.
func typoSwap(rng *rand.Rand, n string) string {
	ws, idx := wordsOf(n, 4, 99)
	if len(idx) == 0 {
		return ""
	}
	i := idx[rng.IntN(len(idx))]
	w := []byte(ws[i])
	p := rng.IntN(len(w) - 1)
	if w[p]|0x20 == w[p+1]|0x20 {
		return ""
	}
	w[p], w[p+1] = sameCase(w[p+1], w[p]), sameCase(w[p], w[p+1])
	ws[i] = string(w)
	return strings.Join(ws, " ")
}

// typoDouble doubles a letter, or writes a doubled letter once.
func typoDouble(rng *rand.Rand, n string) string {
	ws, idx := wordsOf(n, 4, 99)
	if len(idx) == 0 {
		return ""
	}
	i := idx[rng.IntN(len(idx))]
	w := ws[i]
	for p := 1; p < len(w); p++ {
		if w[p] == w[p-1] {
			ws[i] = w[:p] + w[p+1:]
			return strings.Join(ws, " ")
		}
	}
	p := 1 + rng.IntN(len(w)-1)
	ws[i] = w[:p] + w[p-1:p] + w[p:]
	return strings.Join(ws, " ")
}

// typoShort makes one edit (change, drop or add a letter) in a word of three or four letters.
func typoShort(rng *rand.Rand, n string) string {
	ws, idx := wordsOf(n, 3, 4)
	if len(idx) == 0 {
		return ""
	}
	i := idx[rng.IntN(len(idx))]
	return strings.Join(edit(rng, ws, i), " ")
}

// typoDropInsert drops or adds a letter in a word of five letters or more, anywhere but the first.
func typoDropInsert(rng *rand.Rand, n string) string {
	ws, idx := wordsOf(n, 5, 99)
	if len(idx) == 0 {
		return ""
	}
	i := idx[rng.IntN(len(idx))]
	w := ws[i]
	p := 1 + rng.IntN(len(w)-1)
	if rng.IntN(2) == 0 {
		ws[i] = w[:p] + w[p+1:]
	} else {
		ws[i] = w[:p] + string(sameCase("aeioulnrst"[rng.IntN(10)], w[p])) + w[p:]
	}
	return strings.Join(ws, " ")
}

func edit(rng *rand.Rand, ws []string, i int) []string {
	w := []byte(ws[i])
	p := rng.IntN(len(w))
	switch rng.IntN(3) {
	case 0:
		alt := neighbours[w[p]|0x20]
		w[p] = sameCase(alt[rng.IntN(len(alt))], w[p])
	case 1:
		if p == 0 {
			p = 1
		}
		w = append(w[:p:p], w[p+1:]...)
	default:
		w = slices.Insert(w, p, sameCase("aeiou"[rng.IntN(5)], w[p]))
	}
	ws[i] = string(w)
	return ws
}

// initialFold rewrites the first letters of one word the way other transliterations write them:
// Dj/J, Zh/J, J/Y, Kh/H, Y/I.
func initialFold(rng *rand.Rand, n string) string {
	ws := strings.Fields(n)
	var opts []func() string
	for i, w := range ws {
		lw := strings.ToLower(w)
		rewrite := func(cut int, to string) func() string {
			return func() string {
				out := slices.Clone(ws)
				out[i] = to + w[cut:]
				if strings.ToUpper(w) == w {
					out[i] = strings.ToUpper(out[i])
				}
				return strings.Join(out, " ")
			}
		}
		switch {
		case strings.HasPrefix(lw, "dj"):
			opts = append(opts, rewrite(2, "J"))
		case strings.HasPrefix(lw, "zh"):
			opts = append(opts, rewrite(2, "J"))
		case strings.HasPrefix(lw, "kh"):
			opts = append(opts, rewrite(2, "H"))
		case strings.HasPrefix(lw, "j") && len(lw) > 3:
			opts = append(opts, rewrite(1, "Dj"), rewrite(1, "Zh"), rewrite(1, "Y"))
		case strings.HasPrefix(lw, "y") && len(lw) > 3:
			opts = append(opts, rewrite(1, "J"), rewrite(1, "I"))
		}
	}
	if len(opts) == 0 {
		return ""
	}
	return opts[rng.IntN(len(opts))]()
}

// slavic reports whether a surname looks East Slavic (the lists romanise them from Cyrillic).
func slavic(last string) bool {
	l := strings.ToLower(strings.Fields(last + " x")[0])
	for _, s := range []string{"ov", "ova", "ev", "eva", "in", "ina", "enko", "sky", "skiy", "skaya", "ich", "uk", "yuk"} {
		if strings.HasSuffix(l, s) && len(l) > len(s)+2 {
			return true
		}
	}
	return false
}

// arabic reports whether a name looks Arabic (the lists romanise it from Arabic script).
func arabic(n string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(n), func(r rune) bool { return r == ' ' || r == '-' }) {
		switch w {
		case "al", "el", "abd", "abdul", "abu", "bin", "ibn", "bint", "muhammad", "mohammed", "mohamed", "mohammad", "ahmad", "ahmed", "ali", "hassan", "hussein", "husayn", "abdullah", "abdallah", "omar", "umar", "khalid", "yusuf":
			return true
		}
	}
	return false
}

// Romanisation systems: each is a list of rewrites applied to the lower-case name. The Cyrillic
// ones are the BGN/PCGN, scholarly (j for й), German and French spellings of the same letters;
// the Arabic ones the English, French and simplified spellings.
var (
	slavicSystems = [][][2]string{
		{{"kh", "h"}, {"yu", "iu"}, {"ya", "ia"}, {"iy", "ii"}, {"yev", "ev"}},
		{{"zh", "z"}, {"kh", "ch"}, {"ts", "c"}, {"ya", "ja"}, {"yu", "ju"}, {"y", "j"}, {"shch", "sc"}},
		{{"zh", "sch"}, {"kh", "ch"}, {"ts", "z"}, {"sh", "sch"}, {"v", "w"}, {"y", "j"}},
		{{"zh", "j"}, {"kh", "kh"}, {"sh", "ch"}, {"u", "ou"}, {"ya", "ia"}, {"iy", "i"}},
	}
	arabicSystems = [][][2]string{
		{{"ou", "u"}, {"ee", "i"}, {"q", "k"}, {"dh", "z"}, {"aa", "a"}},
		{{"u", "ou"}, {"sh", "ch"}, {"j", "dj"}, {"al-", "el-"}, {"y", "i"}},
		{{"al-", ""}, {"'", ""}, {"q", "k"}, {"kh", "h"}, {"th", "s"}},
		{{"abd al-", "abdel"}, {"abd al ", "abdul "}, {"i", "ee"}, {"w", "ou"}},
	}
)

// romanize rewrites a name with one system picked at random (title case).
func romanize(rng *rand.Rand, systems [][][2]string, n string) string {
	s := strings.ToLower(n)
	for _, r := range systems[rng.IntN(len(systems))] {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return s
}

// nicknames are the short forms people use for their given names on forms and in the press.
var nicknames = map[string]string{
	"aleksandr": "Sasha", "alexander": "Alex", "vladimir": "Volodya", "mikhail": "Misha", "dmitriy": "Dima", "dmitry": "Dima",
	"ivan": "Vanya", "nikolai": "Kolya", "nikolay": "Kolya", "sergey": "Sergei", "sergei": "Seryozha", "aleksey": "Alyosha",
	"yevgeniy": "Zhenya", "evgeny": "Zhenya", "william": "Bill", "robert": "Bob", "richard": "Dick", "james": "Jim",
	"joseph": "Joe", "jose": "Pepe", "francisco": "Pancho", "manuel": "Manolo", "ignacio": "Nacho", "guillermo": "Memo",
	"alejandro": "Alex", "roberto": "Beto", "alberto": "Beto", "eduardo": "Lalo", "jesus": "Chucho", "rafael": "Rafa",
	"antonio": "Tony", "michael": "Mike", "thomas": "Tom", "anthony": "Tony", "daniel": "Dan", "abdullah": "Abdallah",
	"mohammed": "Mohd", "muhammad": "Mohd", "mohamed": "Mohd",
}

// nickname writes the given name as its nickname, when it has one.
func nickname(first, last string) string {
	fs := strings.Fields(first)
	if len(fs) == 0 {
		return ""
	}
	nk, ok := nicknames[strings.ToLower(fs[0])]
	if !ok {
		return ""
	}
	fs[0] = nk
	return strings.Join(fs, " ") + " " + last
}

// dropParticles drops the particles and articles inside a name (al-, de la, van, bin).
func dropParticles(n string) string {
	var out []string
	for _, w := range strings.Fields(n) {
		lw := strings.ToLower(w)
		switch {
		case lw == "de" || lw == "la" || lw == "del" || lw == "van" || lw == "von" || lw == "der" || lw == "bin" || lw == "ibn" || lw == "al" || lw == "el" || lw == "y":
			continue
		case strings.HasPrefix(lw, "al-") || strings.HasPrefix(lw, "el-"):
			w = w[3:]
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// companyForms are the legal forms the entity rewrites drop or change.
var companyForms = map[string]bool{"LTD": true, "LLC": true, "INC": true, "CO": true, "CORP": true, "CORPORATION": true, "COMPANY": true,
	"LIMITED": true, "S": true, "A": true, "SA": true, "DE": true, "C": true, "V": true, "CV": true, "GMBH": true, "SAS": true, "FZE": true, "JSC": true, "LTDA": true, "PLC": true}

func dropForms(n string) string {
	var out []string
	for _, w := range strings.Fields(strings.NewReplacer(",", " ", ".", " ").Replace(n)) {
		if !companyForms[strings.ToUpper(w)] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// formSwaps are equivalent legal forms as other registers write them.
var formSwaps = [][2]string{
	{"CO., LTD.", "Company Limited"}, {"LIMITED", "LTD"}, {"LTD.", "Limited"}, {"LTD", "Limited"}, {"LLC", "L.L.C."},
	{"S.A. DE C.V.", "SA de CV"}, {"S.A.", "SA"}, {"INC.", "Incorporated"}, {"CORPORATION", "Corp."}, {"COMPANY", "Co."},
	{"JSC", "Joint Stock Company"}, {"GMBH", "Gesellschaft mbH"}, {"FZE", "Free Zone Establishment"},
}

// changeForm writes the entity's legal form another way, or adds one when it has none.
func changeForm(rng *rand.Rand, n string) string {
	u := strings.ToUpper(n)
	for _, s := range formSwaps {
		if strings.HasSuffix(u, " "+s[0]) || strings.HasSuffix(u, ","+s[0]) {
			return n[:len(n)-len(s[0])] + s[1]
		}
	}
	return n + " " + []string{"LLC", "Ltd", "S.A.", "Co., Ltd.", "GmbH"}[rng.IntN(5)]
}

// dotForms writes the legal forms with dots ("S.A. DE C.V.", "L.L.C.") or without them, word by
// word (SAN stays SAN).
func dotForms(n string) string {
	ws := strings.Fields(n)
	for i, w := range ws {
		core := strings.TrimRight(w, ",")
		if d, ok := dotted[strings.ToUpper(core)]; ok {
			ws[i] = d + w[len(core):]
		}
	}
	return strings.Join(ws, " ")
}

// dotted maps legal forms to the same form with or without dots.
var dotted = map[string]string{
	"SA": "S.A.", "S.A.": "SA", "CV": "C.V.", "C.V.": "CV", "LLC": "L.L.C.", "L.L.C.": "LLC", "LTDA": "L.T.D.A.",
	"EK": "e.K.", "E.K.": "EK", "C.A.": "CA", "CA": "C.A.", "SAS": "S.A.S.", "S.A.S.": "SAS", "S.C.": "SC", "S.L.": "SL",
}

// extraWords are middle names and second given names that applicants write and lists leave out.
var extraWords = strings.Fields(`Peter Maria Jose Ali Ahmed Juan Ivan Anna John Mohammed Luis Carlos Hassan Paul Michel Karim Abdul Omar Elena`)

// Given names and surnames of many origins, for the negatives.
var (
	givenNames = strings.Fields(`James John Robert Michael William David Richard Joseph Thomas Charles Mary Patricia Jennifer Linda
		Elizabeth Barbara Susan Jessica Sarah Karen Maria Jose Juan Carlos Luis Ana Carmen Sofia Lucia Pablo Mohammed Ahmed Ali Omar
		Fatima Aisha Yusuf Hassan Ibrahim Layla Wei Li Ming Jing Hui Yan Hiroshi Yuki Haruto Sakura Minjun Jiwoo Raj Priya Amit Sunita
		Arjun Deepa Olga Ivan Dmitry Natalia Sergei Anna Pierre Marie Jean Claire Hans Greta Lars Ingrid Giovanni Chiara Kwame Amara
		Chinedu Ngozi Oluwaseun Thabo Zanele Mehmet Ayse Emre Elif George Laura Peter Emma Lucas Noah Mia Leon Nour Karim Samir Rania`)
	surnames = strings.Fields(`Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson
		Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Garcia
		Martinez Rodriguez Lopez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera Gomez Diaz Khan Patel Sharma Singh Gupta Kumar
		Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Tanaka Suzuki Takahashi Watanabe Kim Park Choi Jung Nguyen Tran Le Pham
		Ivanova Petrova Smirnov Kuznetsov Popova Sokolov Muller Schmidt Schneider Fischer Weber Dubois Bernard Moreau Laurent Rossi
		Russo Ferrari Esposito Bianchi Okafor Adeyemi Mensah Dlamini Nkosi Yilmaz Kaya Demir Sahin Haddad Nasser Mansour Saleh Aziz
		Bush Obama Johansson Larsen Nielsen Hansen Novak Horvat Kowalski Nowak`)
	businessHeads = strings.Fields(`Global Pacific Golden Star United Eastern Western Atlas Delta Prime Royal Green Silver Ocean Alpha
		Smith Johnson Garcia Chen Khan Patel Novak Sunrise Northern Metro City National First`)
	businessKinds = []string{"Import Export", "Investment Bank", "Trading", "Logistics", "Holding", "Shipping", "Construction",
		"Consulting", "General Trading", "Petroleum", "Electronics", "Textiles", "Foods", "Travel", "Insurance", "Capital Partners"}
	businessForms = []string{"Co", "LLC", "Ltd", "Group", "S.A.", "S.A. de C.V.", "GmbH", "Inc.", "Co., Ltd.", ""}
)

// negatives are names of people and businesses that are not on the lists, in three classes:
// common given names and surnames of many origins (neg-common); businesses named with generic
// words (neg-business); and near misses of listed people, a listed given name with a surname
// that differs from the listed one by its ending (Nikolaeva for the patronymic Nikolaevna,
// Pavlenko for Pavlov, neg-near-surname). Each is left out when some list name holds exactly
// the same tokens once legal forms are dropped ("Green Shipping LLC" is GREEN SHIPPING LTD.).
func negatives(entries []match.Entry, rng *rand.Rand) []labelled {
	onList := map[string]bool{}
	for _, e := range entries {
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			onList[key(dropForms(n))] = true
		}
	}
	var out []labelled
	seen := map[string]bool{}
	// half is the entry's half for a near miss of a listed person, else the name's own.
	add := func(class, n, half string) bool {
		if n == "" || seen[n] || onList[key(dropForms(n))] {
			return false
		}
		seen[n] = true
		if half == "" {
			half = halfOf(n)
		}
		out = append(out, labelled{q: match.Query{Name: n}, class: class, half: half})
		return true
	}
	for n := 0; n < 5000; {
		name := givenNames[rng.IntN(len(givenNames))] + " " + surnames[rng.IntN(len(surnames))]
		if rng.IntN(4) == 0 {
			name = givenNames[rng.IntN(len(givenNames))] + " " + givenNames[rng.IntN(len(givenNames))] + " " + surnames[rng.IntN(len(surnames))]
		}
		if add("neg-common", name, "") {
			n++
		}
	}
	for n, tries := 0, 0; n < 1500 && tries < 100000; tries++ {
		name := businessHeads[rng.IntN(len(businessHeads))] + " " + businessKinds[rng.IntN(len(businessKinds))] + " " + businessForms[rng.IntN(len(businessForms))]
		if add("neg-business", strings.TrimSpace(name), "") {
			n++
		}
	}
	near := 0
	for _, i := range rng.Perm(len(entries)) {
		if near >= 1500 {
			break
		}
		e := &entries[i]
		if e.Type != "individual" {
			continue
		}
		first, last := splitOFAC(e.Name)
		fs := strings.Fields(first)
		if len(fs) == 0 {
			continue
		}
		if s := nearSurname(fs, last); s != "" && add("neg-near-surname", fs[0]+" "+s, halfOf(e.List+":"+e.ID)) {
			near++
		}
	}
	return out
}

// nearSurname is a surname that shares its beginning with the listed person's patronymic or
// surname but is another family's: the patronymic read as a surname (Nikolaevna → Nikolaeva,
// Ivanovich → Ivanov) or the surname with another Slavic ending (Pavlov → Pavlenko).
func nearSurname(given []string, last string) string {
	if len(given) > 1 {
		p := strings.ToLower(given[len(given)-1])
		for _, s := range [][2]string{{"ovna", "ova"}, {"evna", "eva"}, {"ovich", "ov"}, {"evich", "ev"}} {
			if strings.HasSuffix(p, s[0]) && !strings.EqualFold(strings.Fields(last + " x")[0], p[:len(p)-len(s[0])]+s[1]) {
				return title(p[:len(p)-len(s[0])] + s[1])
			}
		}
	}
	l := strings.ToLower(last)
	if strings.Contains(l, " ") {
		return ""
	}
	for _, s := range [][2]string{{"ov", "enko"}, {"ev", "enko"}, {"enko", "ov"}, {"ova", "enko"}, {"in", "insky"}, {"sky", "ov"}} {
		if strings.HasSuffix(l, s[0]) && len(l) > len(s[0])+3 {
			return title(l[:len(l)-len(s[0])] + s[1])
		}
	}
	return ""
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func key(n string) string {
	ws := words(n)
	for i, w := range ws {
		ws[i] = spellingKey(w)
	}
	slices.Sort(ws)
	return strings.Join(ws, " ")
}

// words are the lower-case words of a name, split at anything but a letter or digit. The
// evaluation reads names with this and spellingKey, never with the matcher's own tokenizer, so
// that the set is the same whichever matcher it measures.
func words(n string) []string {
	return strings.FieldsFunc(strings.ToLower(n), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// spellingKey is the generator's own, fixed reading of a word for telling whether a negative is
// a listed name in another spelling: accents and doubled letters dropped, a few letter pairs and
// the commonest Arabic given names written one way.
func spellingKey(w string) string {
	w = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r
		case r == 'á' || r == 'à' || r == 'ä' || r == 'â':
			return 'a'
		case r == 'é' || r == 'è' || r == 'ë' || r == 'ê':
			return 'e'
		case r == 'í' || r == 'ï' || r == 'î':
			return 'i'
		case r == 'ó' || r == 'ö' || r == 'ô':
			return 'o'
		case r == 'ú' || r == 'ü' || r == 'û':
			return 'u'
		}
		return -1
	}, w)
	if c, ok := commonSpellings[w]; ok {
		return c
	}
	w = strings.NewReplacer("kh", "h", "ou", "u", "ee", "i", "y", "i", "ph", "f", "q", "k", "c", "k", "z", "s", "w", "v").Replace(w)
	var b []byte
	for i := 0; i < len(w); i++ {
		if i == 0 || w[i] != w[i-1] {
			b = append(b, w[i])
		}
	}
	return string(b)
}

// commonSpellings write the commonest Arabic given names one way.
var commonSpellings = map[string]string{
	"mohammed": "mhd", "muhammad": "mhd", "mohamed": "mhd", "mohammad": "mhd", "muhammed": "mhd", "mohamad": "mhd",
	"ahmed": "ahmd", "ahmad": "ahmd", "hussein": "hsn", "husain": "hsn", "hussain": "hsn", "husayn": "hsn", "hassan": "hasn",
	"hasan": "hasn", "yusuf": "ysf", "yousef": "ysf", "youssef": "ysf", "yousif": "ysf", "omar": "umr", "umar": "umr",
	"osama": "usm", "usama": "usm", "abdullah": "abdlh", "abdallah": "abdlh",
}

// weakFirst are first words that are not given names (Abu Bakr, Abd al-Rahman, Haji Baz): dropping
// what follows them leaves no name.
var weakFirst = map[string]bool{"abu": true, "abd": true, "abdul": true, "haji": true, "al": true, "el": true, "bin": true, "ibn": true, "sheikh": true, "mullah": true}
