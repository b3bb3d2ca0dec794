package lists

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"kycd/internal/screening/match"
)

type unList struct {
	XMLName     xml.Name       `xml:"CONSOLIDATED_LIST"`
	Generated   string         `xml:"dateGenerated,attr"`
	Individuals []unIndividual `xml:"INDIVIDUALS>INDIVIDUAL"`
	Entities    []unEntity     `xml:"ENTITIES>ENTITY"`
}

type unIndividual struct {
	DataID      string   `xml:"DATAID"`
	First       string   `xml:"FIRST_NAME"`
	Second      string   `xml:"SECOND_NAME"`
	Third       string   `xml:"THIRD_NAME"`
	Fourth      string   `xml:"FOURTH_NAME"`
	Reference   string   `xml:"REFERENCE_NUMBER"`
	ListType    string   `xml:"UN_LIST_TYPE"`
	Comments    string   `xml:"COMMENTS1"`
	Nationality []string `xml:"NATIONALITY>VALUE"`
	Aliases     []struct {
		Name string `xml:"ALIAS_NAME"`
	} `xml:"INDIVIDUAL_ALIAS"`
	Births []struct {
		Date string `xml:"DATE"`
		Year string `xml:"YEAR"`
		From string `xml:"FROM_YEAR"`
		To   string `xml:"TO_YEAR"`
	} `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
	Places []struct {
		City    string `xml:"CITY"`
		Country string `xml:"COUNTRY"`
	} `xml:"INDIVIDUAL_PLACE_OF_BIRTH"`
	Documents []struct {
		Type   string `xml:"TYPE_OF_DOCUMENT"`
		Number string `xml:"NUMBER"`
	} `xml:"INDIVIDUAL_DOCUMENT"`
}

type unEntity struct {
	DataID    string `xml:"DATAID"`
	First     string `xml:"FIRST_NAME"`
	Reference string `xml:"REFERENCE_NUMBER"`
	ListType  string `xml:"UN_LIST_TYPE"`
	Comments  string `xml:"COMMENTS1"`
	Aliases   []struct {
		Name string `xml:"ALIAS_NAME"`
	} `xml:"ENTITY_ALIAS"`
}

// ReadUN reads the UN Security Council consolidated list XML. The entry id is the UN reference
// number (QDi.001), else the DATAID. An entry without a name or an id, or whose id was already
// read, is refused with ErrMalformed, as is a file that does not parse.
func ReadUN(r io.Reader) ([]match.Entry, error) {
	var l unList
	if err := xml.NewDecoder(r).Decode(&l); err != nil {
		return nil, fmt.Errorf("un: %w (%w)", err, ErrMalformed)
	}
	if len(l.Individuals)+len(l.Entities) == 0 {
		return nil, fmt.Errorf("un: no entries: %w", ErrMalformed)
	}
	entries := make([]match.Entry, 0, len(l.Individuals)+len(l.Entities))
	seen := map[string]bool{}
	// add refuses an entry without an id or with one already read: the store keeps one row per
	// list and id, so the second would silently replace the first.
	add := func(e match.Entry) error {
		if e.ID == "" {
			return fmt.Errorf("un: %s %q has no reference number or DATAID: %w", e.Type, e.Name, ErrMalformed)
		}
		if seen[e.ID] {
			return fmt.Errorf("un: entry %s appears twice: %w", e.ID, ErrMalformed)
		}
		seen[e.ID] = true
		entries = append(entries, e)
		return nil
	}
	for _, in := range l.Individuals {
		name := join(in.First, in.Second, in.Third, in.Fourth)
		if name == "" {
			return nil, fmt.Errorf("un: individual %s has no name: %w", in.DataID, ErrMalformed)
		}
		e := match.Entry{List: UN, ID: unID(in.Reference, in.DataID), Type: "individual", Name: name,
			Programs: []string{strings.TrimSpace(in.ListType)}, Remarks: strings.TrimSpace(in.Comments)}
		for _, a := range in.Aliases {
			e.Aliases = appendNew(e.Aliases, strings.TrimSpace(a.Name))
		}
		for _, b := range in.Births {
			switch {
			case len(strings.TrimSpace(b.Date)) >= 10:
				e.DatesOfBirth = appendNew(e.DatesOfBirth, strings.TrimSpace(b.Date)[:10])
			case b.Year != "":
				e.DatesOfBirth = appendNew(e.DatesOfBirth, strings.TrimSpace(b.Year))
			case b.From != "":
				e.DatesOfBirth = appendNew(e.DatesOfBirth, strings.TrimSpace(b.From), strings.TrimSpace(b.To))
			}
		}
		for _, p := range in.Places {
			e.PlacesOfBirth = appendNew(e.PlacesOfBirth, join(p.City, p.Country))
		}
		for _, n := range in.Nationality {
			if c, ok := countryCode(n); ok {
				e.Countries = appendNew(e.Countries, c)
			}
		}
		for _, d := range in.Documents {
			e.Passports = appendNew(e.Passports, strings.TrimSpace(d.Number))
		}
		if err := add(e); err != nil {
			return nil, err
		}
	}
	for _, en := range l.Entities {
		name := strings.TrimSpace(en.First)
		if name == "" {
			return nil, fmt.Errorf("un: entity %s has no name: %w", en.DataID, ErrMalformed)
		}
		e := match.Entry{List: UN, ID: unID(en.Reference, en.DataID), Type: "entity", Name: name,
			Programs: []string{strings.TrimSpace(en.ListType)}, Remarks: strings.TrimSpace(en.Comments)}
		for _, a := range en.Aliases {
			e.Aliases = appendNew(e.Aliases, strings.TrimSpace(a.Name))
		}
		if err := add(e); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

func unID(ref, dataID string) string {
	if r := strings.TrimSpace(ref); r != "" {
		return r
	}
	return strings.TrimSpace(dataID)
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
