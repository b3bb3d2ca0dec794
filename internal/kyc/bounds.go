package kyc

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds checks v (a struct or a pointer to one) against the maxLength and maxItems tags of its
// fields, and of the structs it holds, as the API's schema states them: a string longer than
// maxLength characters (Unicode code points, as JSON Schema counts them) or a list of more than
// maxItems is a problem named field by field under prefix ("body.profile.firstName"). The HTTP
// API refuses such input already; Bounds holds the same limits for input that reaches a service
// another way (the hosted flow, the app endpoints), from the same tags.
func (p *Problems) Bounds(prefix string, v any) {
	p.bounds(prefix, reflect.ValueOf(v))
}

func (p *Problems) bounds(path string, v reflect.Value) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		field, fv := path+"."+name, v.Field(i)
		switch fv.Kind() {
		case reflect.String:
			if limit, ok := tagInt(f.Tag, "maxLength"); ok && utf8.RuneCountInString(fv.String()) > limit {
				p.Add(field, "must be at most %d characters", limit)
			}
		case reflect.Slice:
			if limit, ok := tagInt(f.Tag, "maxItems"); ok && fv.Len() > limit {
				p.Add(field, "must have at most %d items", limit)
			}
			for j := range fv.Len() {
				p.bounds(fmt.Sprintf("%s[%d]", field, j), fv.Index(j))
			}
		case reflect.Pointer, reflect.Struct:
			p.bounds(field, fv)
		}
	}
}

func tagInt(tag reflect.StructTag, key string) (int, bool) {
	s, ok := tag.Lookup(key)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
