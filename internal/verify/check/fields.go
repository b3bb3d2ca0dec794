package check

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"kycd/internal/kyc"
)

// ErrUnknownField is wrapped by ValidateFieldPaths for a path that names no field.
var ErrUnknownField = errors.New("check: unknown field path")

// fieldRoots are the first segments of a field path that do not start at the applicant.
var fieldRoots = map[string]reflect.Type{
	"identification": reflect.TypeFor[kyc.Identification](),
	"document":       reflect.TypeFor[kyc.Document](),
	"address":        reflect.TypeFor[kyc.Address](),
}

// ValidateFieldPaths reports the first path that names no field (paths are described at
// RequiredFields), wrapping ErrUnknownField. Call it when a level's configuration is loaded.
func ValidateFieldPaths(paths []string) error {
	for _, p := range paths {
		if _, err := resolveField(nil, nil, p); err != nil {
			return err
		}
	}
	return nil
}

// RequiredFields checks that every field in paths is present: critical-info-missing otherwise,
// with the missing paths in Detail. An unknown path counts as missing, so a configuration mistake
// fails safe; ValidateFieldPaths finds it earlier. a and doc may be nil when no path reaches into
// them.
//
// A path names a field by its JSON names, and its first segment chooses where it starts:
//
//   - "identification.<field>": the document's identification (kyc.Identification), for example
//     "identification.expiryDate";
//   - "document.<field>": the document itself (kyc.Document), for example "document.subtype";
//   - "address.<field>": the applicant's residential address (the first address of type
//     residential, else the first address), for example "address.postalCode";
//   - anything else: the applicant (kyc.Applicant), for example "email", "addresses" (at least
//     one address), "profile.firstName", "profile.phone.number".
//
// A field is missing when it, or a value on its way, is absent, empty, blank or zero.
func RequiredFields(a *kyc.Applicant, doc *kyc.Document, paths []string) Result {
	var missing []string
	for _, p := range paths {
		if ok, err := resolveField(a, doc, p); !ok || err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return fail(NameRequiredFields, ReasonCriticalMissing, "missing: "+strings.Join(missing, ", "))
	}
	return pass(NameRequiredFields)
}

// resolveField follows path from its root and reports whether the value there is present. With a
// nil applicant and document it only checks that the path exists.
func resolveField(a *kyc.Applicant, doc *kyc.Document, path string) (bool, error) {
	segs := strings.Split(path, ".")
	t := reflect.TypeFor[kyc.Applicant]()
	var v reflect.Value
	if a != nil {
		v = reflect.ValueOf(a).Elem()
	}
	if root, ok := fieldRoots[segs[0]]; ok && len(segs) > 1 {
		t, v, segs = root, reflect.Value{}, segs[1:]
		switch {
		case root == fieldRoots["identification"] && doc != nil && doc.Identification != nil:
			v = reflect.ValueOf(doc.Identification).Elem()
		case root == fieldRoots["document"] && doc != nil:
			v = reflect.ValueOf(doc).Elem()
		case root == fieldRoots["address"] && a != nil:
			if addr := residentialAddress(a); addr != nil {
				v = reflect.ValueOf(addr).Elem()
			}
		}
	}
	for _, seg := range segs {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
			if v.IsValid() {
				v = derefOrInvalid(v)
			}
		}
		f, ok := jsonField(t, seg)
		if !ok {
			return false, fmt.Errorf("%w: %q: %q is not a field of %s", ErrUnknownField, path, seg, t.Name())
		}
		t = f.Type
		if v.IsValid() {
			v = v.FieldByIndex(f.Index)
		}
	}
	return v.IsValid() && !emptyValue(v), nil
}

// jsonField finds the struct field of t whose JSON name is name.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct || name == "" {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// derefOrInvalid follows a pointer, giving the invalid Value for nil.
func derefOrInvalid(v reflect.Value) reflect.Value {
	if v.IsNil() {
		return reflect.Value{}
	}
	return v.Elem()
}

// emptyValue reports a zero value, a blank string, an empty list, or a pointer to any of these.
func emptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer:
		return v.IsNil() || emptyValue(v.Elem())
	case reflect.String:
		return strings.TrimSpace(v.String()) == ""
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	}
	return v.IsZero()
}

// residentialAddress returns the applicant's first residential address, else the first address,
// else nil.
func residentialAddress(a *kyc.Applicant) *kyc.Address {
	for i := range a.Addresses {
		if a.Addresses[i].Type == "residential" {
			return &a.Addresses[i]
		}
	}
	if len(a.Addresses) > 0 {
		return &a.Addresses[0]
	}
	return nil
}
