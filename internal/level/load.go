package level

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"kycd/internal/kyc"
)

// Set is the levels in force.
type Set struct {
	levels map[string]Level
}

// Defaults returns the built-in levels alone (what Load answers without a file).
func Defaults() *Set { return &Set{levels: Builtin()} }

// Get returns a level by name.
func (s *Set) Get(name string) (Level, bool) {
	l, ok := s.levels[name]
	return l, ok
}

// Names lists the levels, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.levels))
	for n := range s.levels {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Known is what the levels file may name: the engine's checks, and a validator of the applicant
// field paths that requiredFields lists.
type Known struct {
	Checks     []string
	FieldPaths func(paths []string) error
}

// Load returns the built-in levels changed and extended by the JSON file at path ("" for none).
// Errors name the file and line.
func Load(path string, known Known) (*Set, error) {
	set := &Set{levels: Builtin()}
	if path == "" {
		return set, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("levels file: %w", err)
	}
	if err := set.parse(data, known); err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	return set, nil
}

// parse reads {"levels": [...]}, each level over its base, and validates each.
func (s *Set) parse(data []byte, known Known) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(off int64, format string, args ...any) error {
		return fmt.Errorf("%d: %s", line(data, off), fmt.Sprintf(format, args...))
	}
	expect := func(want json.Delim) error {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return fail(off, "%v", syntaxMessage(err))
		}
		if tok != want {
			return fail(off, "expected %q", want.String())
		}
		return nil
	}
	if err := expect('{'); err != nil {
		return err
	}
	off := dec.InputOffset()
	if tok, err := dec.Token(); err != nil || tok != "levels" {
		return fail(off, `the file must be {"levels": [...]}`)
	}
	if err := expect('['); err != nil {
		return err
	}
	for dec.More() {
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				start = se.Offset
			}
			return fail(start, "%v", syntaxMessage(err))
		}
		start += int64(len(raw) - len(bytes.TrimLeft(raw, " \t\r\n,")))
		if err := s.add(raw, known); err != nil {
			var le *lineError
			if errors.As(err, &le) {
				return fail(start+le.offset, "%s", le.msg)
			}
			return fail(start, "%v", err)
		}
	}
	if err := expect(']'); err != nil {
		return err
	}
	if err := expect('}'); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(dec.InputOffset(), "unexpected content after the levels")
	}
	return nil
}

type lineError struct {
	offset int64
	msg    string
}

func (e *lineError) Error() string { return e.msg }

func (s *Set) add(raw json.RawMessage, known Known) error {
	var head struct {
		Name string `json:"name"`
		Base string `json:"base"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return err
	}
	if head.Name == "" || len(head.Name) > 32 || strings.ContainsAny(head.Name, " \t\n") {
		return errors.New(`each level needs a "name" (1-32 characters, no spaces)`)
	}
	base, ok := s.levels[head.Name]
	if !ok {
		if head.Base == "" {
			head.Base = "L1"
		}
		if base, ok = s.levels[head.Base]; !ok {
			return fmt.Errorf("level %s: unknown base level %q", head.Name, head.Base)
		}
	}
	l := clone(base)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return &lineError{offset: dec.InputOffset(), msg: fmt.Sprintf("level %s: %s", head.Name, syntaxMessage(err))}
	}
	l.Name = head.Name
	if err := validate(l, known); err != nil {
		return fmt.Errorf("level %s: %w", head.Name, err)
	}
	l.Version = version(l)
	s.levels[l.Name] = l
	return nil
}

func validate(l Level, known Known) error {
	var problems []string
	if known.FieldPaths != nil {
		if err := known.FieldPaths(l.RequiredFields); err != nil {
			problems = append(problems, "requiredFields: "+err.Error())
		}
	}
	if l.AcceptAbove < 0 || l.AcceptAbove > 100 || l.RejectBelow < 0 || l.RejectBelow > l.AcceptAbove {
		problems = append(problems, fmt.Sprintf("thresholds must satisfy 0 <= rejectBelow (%d) <= acceptAbove (%d) <= 100", l.RejectBelow, l.AcceptAbove))
	}
	for _, d := range l.Documents {
		if !kyc.OneOf(d, kyc.DocumentTypes) {
			problems = append(problems, fmt.Sprintf("unknown document type %q", d))
		}
	}
	for name, w := range l.Weights {
		if known.Checks != nil && !slices.Contains(known.Checks, name) {
			problems = append(problems, fmt.Sprintf("weight for unknown check %q (known: %s)", name, strings.Join(known.Checks, ", ")))
		}
		if w < 0 || w > 100 {
			problems = append(problems, fmt.Sprintf("weight of %q must be 0-100", name))
		}
	}
	for c, age := range l.MinAgeByCountry {
		if _, ok := kyc.NormalizeCountry(c); !ok || len(c) != 2 {
			problems = append(problems, fmt.Sprintf("minAgeByCountry: %q is not an alpha-2 country", c))
		}
		if age < 0 || age > 130 {
			problems = append(problems, fmt.Sprintf("minAgeByCountry %s: age %d", c, age))
		}
	}
	if l.MinAge < 0 || l.MinAge > 130 || l.MinImageSide < 0 || l.AddressProofMaxAgeDays < 0 {
		problems = append(problems, "minAge, minImageSide and addressProofMaxAgeDays must not be negative")
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// syntaxMessage shortens encoding/json errors.
func syntaxMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

// line returns the 1-based line of a byte offset.
func line(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}
