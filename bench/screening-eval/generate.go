package main

import (
	"math/rand/v2"
	"strings"

	"kycd/internal/screening/match"
)

// generate builds the labelled evaluation: for a sample of individuals and entities of the lists,
// names written the way applicants and other lists write them (each variant class once per
// sampled entry where it applies), and realistic names of people who are not on the lists.
func generate(entries []match.Entry, seed uint64) []labelled {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var cases []labelled
	perm := rng.Perm(len(entries))
	sampled := 0
	for _, i := range perm {
		if sampled >= 1500 {
			break
		}
		e := &entries[i]
		if e.Type != "individual" && e.Type != "entity" {
			continue
		}
		sampled++
		want := e.List + ":" + e.ID
		add := func(class, name string, q match.Query) {
			if name == "" {
				return
			}
			q.Name = name
			cases = append(cases, labelled{q: q, want: want, class: class})
		}
		if e.Type == "individual" {
			first, last := splitOFAC(e.Name)
			add("reordered", first+" "+last, match.Query{})
			add("case-accents", accent(strings.ToLower(first+" "+last)), match.Query{})
			if v := translit(first + " " + last); v != first+" "+last {
				add("transliteration", v, match.Query{})
			}
			if fs := strings.Fields(first); len(fs) > 1 && len(match.Tokens(fs[0])) == 1 && !weakFirst[strings.ToLower(fs[0])] {
				add("middle-dropped", fs[0]+" "+last, match.Query{})
			}
			if t := typo(rng, first+" "+last); t != "" {
				add("typo", t, match.Query{})
			}
			q := match.Query{Type: "individual"}
			if len(e.DatesOfBirth) > 0 && len(e.DatesOfBirth[0]) == 10 {
				q.DateOfBirth = e.DatesOfBirth[0]
			}
			add("with-dob-type", first+" "+last, q)
		} else {
			add("entity-name", strings.ToLower(e.Name), match.Query{})
			add("entity-no-form", dropForms(e.Name), match.Query{})
		}
		if len(e.Aliases) > 0 {
			a := e.Aliases[rng.IntN(len(e.Aliases))]
			if len(match.Tokens(a)) >= 2 {
				add("alias", a, match.Query{})
			}
		}
	}
	cases = append(cases, negatives(entries, rng)...)
	return cases
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

// typo swaps two neighbouring letters or drops one, in one word of 6 letters or more, away
// from its first letter.
func typo(rng *rand.Rand, n string) string {
	ws := strings.Fields(n)
	var long []int
	for i, w := range ws {
		if len(w) >= 6 && !strings.ContainsAny(w, "-'") {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return ""
	}
	i := long[rng.IntN(len(long))]
	w := []byte(ws[i])
	p := 2 + rng.IntN(len(w)-3)
	if rng.IntN(2) == 0 {
		w[p], w[p+1] = w[p+1], w[p]
	} else {
		w = append(w[:p], w[p+1:]...)
	}
	ws[i] = string(w)
	return strings.Join(ws, " ")
}

func dropForms(n string) string {
	var out []string
	for _, w := range strings.Fields(strings.NewReplacer(",", " ", ".", " ").Replace(n)) {
		switch strings.ToUpper(w) {
		case "LTD", "LLC", "INC", "CO", "CORP", "CORPORATION", "COMPANY", "LIMITED", "S", "A", "SA", "DE", "CV", "GMBH", "SAS":
			continue
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

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
)

// negatives are realistic names of people who are not on the lists: combinations of common given
// names and surnames, left out when some list name holds exactly the same tokens.
func negatives(entries []match.Entry, rng *rand.Rand) []labelled {
	onList := map[string]bool{}
	for _, e := range entries {
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			onList[key(n)] = true
		}
	}
	var out []labelled
	seen := map[string]bool{}
	for len(out) < 5000 {
		n := givenNames[rng.IntN(len(givenNames))] + " " + surnames[rng.IntN(len(surnames))]
		if rng.IntN(4) == 0 {
			n = givenNames[rng.IntN(len(givenNames))] + " " + givenNames[rng.IntN(len(givenNames))] + " " + surnames[rng.IntN(len(surnames))]
		}
		if seen[n] || onList[key(n)] {
			continue
		}
		seen[n] = true
		out = append(out, labelled{q: match.Query{Name: n}})
	}
	return out
}

func key(n string) string {
	ts := match.Tokens(n)
	slicesSort(ts)
	return strings.Join(ts, " ")
}

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// weakFirst are first words that are not given names (Abu Bakr, Abd al-Rahman, Haji Baz): dropping
// what follows them leaves no name.
var weakFirst = map[string]bool{"abu": true, "abd": true, "abdul": true, "haji": true, "al": true, "el": true, "bin": true, "ibn": true, "sheikh": true, "mullah": true, "mohammad": false}
