// Package strictjson decodes the JSON that kycd receives from anyone: the /v1 API bodies, the app
// endpoints and partner callbacks. It refuses what encoding/json lets through silently:
//
//   - invalid UTF-8 (encoding/json turns it into U+FFFD),
//   - a member name given twice in one object (encoding/json keeps the last),
//   - a member name that matches a field only when case is ignored (encoding/json fills firstName
//     from FIRSTNAME),
//   - NUL and other control characters in any string, names included, except tab, line feed and
//     carriage return (kyc.Text),
//
// and every refusal is a *kyc.ValidationError naming the field ("body.profile.firstName"), so it
// answers 422 like any other bad field. Unknown members are ignored unless Known is used.
//
// Parsing is github.com/go-json-experiment/json (the encoding/json/v2 proposal) with its strict
// defaults; this package adds the control-character and case checks and the error shape.
package strictjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"kycd/internal/kyc"
)

// Root is the field name of the whole body in errors; members are named below it
// ("body.profile.firstName", "body.addresses[0].city").
const Root = "body"

// MaxDepth is the deepest nesting of objects and arrays accepted. No request of kycd nests more
// than a handful of levels.
const MaxDepth = 64

// Unmarshal decodes data into v strictly. Members that v has no field for are ignored, as
// encoding/json does; see Known to refuse them.
func Unmarshal(data []byte, v any) error {
	return unmarshal(data, v, false)
}

// Known is Unmarshal that also refuses members that v has no field for.
func Known(data []byte, v any) error {
	return unmarshal(data, v, true)
}

// Decode reads r to its end and unmarshals it into v with Unmarshal. Bound r (http.MaxBytesReader)
// before: the whole body is held in memory. A read error is returned as is.
func Decode(r io.Reader, v any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return Unmarshal(data, v)
}

// DecodeKnown is Decode with Known's refusal of unknown members.
func DecodeKnown(r io.Reader, v any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return Known(data, v)
}

// Valid reports whether data is JSON that Unmarshal would accept into an any.
func Valid(data []byte) bool {
	var v any
	return Unmarshal(data, &v) == nil
}

func unmarshal(data []byte, v any, known bool) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("strictjson: Unmarshal needs a non-nil pointer, got %T", v)
	}
	if err := scan(data, rv.Type().Elem()); err != nil {
		return err
	}
	err := json.Unmarshal(data, v,
		json.RejectUnknownMembers(known),
		json.MatchCaseInsensitiveNames(false),
		jsontext.AllowDuplicateNames(false),
		jsontext.AllowInvalidUTF8(false),
	)
	if err == nil {
		return nil
	}
	var se *json.SemanticError
	if errors.As(err, &se) {
		field := pointerField(se.JSONPointer)
		switch {
		case errors.Is(se.Err, json.ErrUnknownName):
			return kyc.Invalid(field, "is not a known field")
		case se.JSONKind != 0 && se.GoType != nil && kindName(se.GoType) != "":
			return kyc.Invalid(field, "must be %s, not %s", kindName(se.GoType), jsonKindName(se.JSONKind))
		}
		return kyc.Invalid(field, "cannot be read: %s", safeMessage(se.Err))
	}
	return syntaxProblem(err)
}

// frame is one open object or array during the scan.
type frame struct {
	object bool
	t      reflect.Type // Go type of the container, nil when unknown (any, json.RawMessage, ...)
	path   string
	index  int          // next element index of an array
	name   bool         // the next token of an object is a member name
	member reflect.Type // Go type of the member whose value comes next
	mpath  string
}

// scan walks every token of data once: jsontext checks the syntax, UTF-8, duplicate names and the
// depth; scan checks strings against kyc.Text and member names against the Go type's fields.
func scan(data []byte, root reflect.Type) error {
	dec := jsontext.NewDecoder(bytes.NewReader(data),
		jsontext.AllowDuplicateNames(false),
		jsontext.AllowInvalidUTF8(false),
	)
	var stack []*frame
	seenRoot := false
	for {
		tok, err := dec.ReadToken()
		if err == io.EOF {
			if !seenRoot {
				return kyc.Invalid(Root, "is empty, want a JSON value")
			}
			return nil
		}
		if err != nil {
			return syntaxProblem(err)
		}
		kind := tok.Kind()
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.name && kind != '}' {
			name := tok.String()
			path := top.path + "." + name
			if msg := kyc.TextProblem(name, kyc.Line); msg != "" {
				return kyc.Invalid(top.path, "has a member name that %s", strings.TrimPrefix(msg, "is "))
			}
			mt, other := member(top.t, name)
			if other != "" {
				return kyc.Invalid(path, "is not a field; names are case-sensitive: did you mean %q?", other)
			}
			top.name, top.member, top.mpath = false, mt, path
			continue
		}
		if kind == '}' || kind == ']' {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].name = true
			}
			continue
		}
		// A value: find its Go type and name from its parent.
		var vt reflect.Type
		var path string
		switch {
		case top == nil:
			vt, path, seenRoot = root, Root, true
		case top.object:
			vt, path = top.member, top.mpath
		default:
			vt, path = elem(top.t), top.path+"["+strconv.Itoa(top.index)+"]"
			top.index++
		}
		switch kind {
		case '{', '[':
			if len(stack) >= MaxDepth {
				return kyc.Invalid(path, "nests deeper than %d levels", MaxDepth)
			}
			stack = append(stack, &frame{object: kind == '{', t: container(vt), path: path, name: kind == '{'})
			continue
		case '"':
			if msg := kyc.TextProblem(tok.String(), kyc.Text); msg != "" {
				return kyc.Invalid(path, "%s", msg)
			}
		}
		if top != nil && top.object {
			top.name = true
		}
	}
}

var (
	unmarshalerV1 = reflect.TypeFor[interface{ UnmarshalJSON([]byte) error }]()
	unmarshalerV2 = reflect.TypeFor[json.UnmarshalerFrom]()
	textUnmarsh   = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()
)

// container is the type whose fields or elements are checked, or nil when the type decodes itself
// or holds anything.
func container(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil
	}
	p := reflect.PointerTo(t)
	if p.Implements(unmarshalerV1) || p.Implements(unmarshalerV2) || p.Implements(textUnmarsh) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array:
		return t
	}
	return nil
}

func elem(t reflect.Type) reflect.Type {
	if t == nil || (t.Kind() != reflect.Slice && t.Kind() != reflect.Array && t.Kind() != reflect.Map) {
		return nil
	}
	return t.Elem()
}

// member returns the Go type of member name of t. When t is a struct without a field of that
// exact name but with one that matches it ignoring case, other is that field's name.
func member(t reflect.Type, name string) (mt reflect.Type, other string) {
	if t == nil {
		return nil, ""
	}
	if t.Kind() == reflect.Map {
		return t.Elem(), ""
	}
	if t.Kind() != reflect.Struct {
		return nil, ""
	}
	fs := fieldsOf(t)
	if ft, ok := fs[name]; ok {
		return ft, ""
	}
	for n := range fs {
		if strings.EqualFold(n, name) {
			return nil, n
		}
	}
	return nil, ""
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// fieldsOf maps the JSON member names of struct t to their Go types, following the json tags and
// inlining embedded structs the way encoding/json and v2 do.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	collect(t, m, 0)
	fieldCache.Store(t, m)
	return m
}

func collect(t reflect.Type, m map[string]reflect.Type, depth int) {
	if depth > 8 {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" || strings.Contains(","+opts+",", ",inline,") {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				collect(et, m, depth+1)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := m[name]; !dup {
			m[name] = ft
		}
	}
}

// syntaxProblem turns a jsontext error into a validation error naming where it happened.
func syntaxProblem(err error) error {
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return kyc.Invalid(Root, "is not valid JSON: it ends too early")
		}
		return kyc.Invalid(Root, "is not valid JSON")
	}
	field := pointerField(se.JSONPointer)
	switch {
	case errors.Is(se.Err, jsontext.ErrDuplicateName):
		return kyc.Invalid(field, "is given more than once")
	case se.Err != nil && strings.Contains(se.Err.Error(), "invalid UTF-8"):
		return kyc.Invalid(field, "is not valid UTF-8")
	case errors.Is(se.Err, io.ErrUnexpectedEOF):
		return kyc.Invalid(field, "is not valid JSON: it ends too early")
	}
	return kyc.Invalid(field, "is not valid JSON at byte %d: %s", se.ByteOffset, safeMessage(se.Err))
}

// safeMessage is an error's text with anything quoted from the input removed: the input may be
// personal data.
func safeMessage(err error) string {
	if err == nil {
		return "invalid"
	}
	msg := err.Error()
	if i := strings.IndexAny(msg, "\"`"); i >= 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, "jsontext: "), "json: ")
	if msg == "" {
		return "invalid"
	}
	return msg
}

// pointerField turns a JSON pointer ("/addresses/0/city") into a field name
// ("body.addresses[0].city").
func pointerField(p jsontext.Pointer) string {
	var b strings.Builder
	b.WriteString(Root)
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && tok != "" && (tok == "0" || tok[0] != '0') {
			b.WriteString("[" + tok + "]")
			continue
		}
		b.WriteString("." + tok)
	}
	return b.String()
}

// kindName names what a value of Go type t looks like in JSON, or "" when t decodes itself.
func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if p := reflect.PointerTo(t); p.Implements(unmarshalerV1) || p.Implements(unmarshalerV2) || p.Implements(textUnmarsh) {
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return ""
}

func jsonKindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "this"
}
