package web

// field is what the input templates need of one form field.
type field struct {
	Name, Type, Label, Hint, Value, Err, Autocomplete, Accept, Added, AddedText, ReqText string
	Required                                                                             bool
	Options                                                                              []option
}

func (v *view) field(name, typ string, required bool) field {
	f := field{Name: name, Type: typ, Label: v.T("field." + name), Value: v.Values[name], Err: v.Errors[name], Required: required}
	if required {
		f.ReqText = v.T("required")
	} else {
		f.ReqText = v.T("optional")
	}
	return f
}

// F is a text-like input (text, date) with its autocomplete token.
func (v *view) F(name, typ string, required bool, autocomplete string) field {
	f := v.field(name, typ, required)
	f.Autocomplete = autocomplete
	return f
}

// Sel is a select of opts.
func (v *view) Sel(name string, required bool, opts []option) field {
	f := v.field(name, "select", required)
	f.Options = append([]option{{Value: "", Label: v.T("choose")}}, opts...)
	return f
}

// Country is a select of every country, named in the page's language.
func (v *view) Country(name string, required bool) field {
	cs := v.Countries()
	opts := make([]option, len(cs))
	for i, c := range cs {
		opts[i] = option{Value: c.Code, Label: c.Name}
	}
	return v.Sel(name, required, opts)
}

// File is a file input accepting accept, with the thumbnail of a file already added (added is its
// authenticated URL) and a hint.
func (v *view) File(name string, required bool, accept, added, hintKey string) field {
	f := v.field(name, "file", required && added == "")
	f.Accept, f.Added = accept, added
	if added != "" {
		f.AddedText = v.T("field.uploaded") + " " + v.T("field.replace")
	}
	if hintKey != "" {
		f.Hint = v.T(hintKey)
	}
	return f
}

// Reason is the end user's explanation of a rejection type; types without one get the general text.
func (v *view) Reason(typ string) string {
	if _, ok := v.h.msgs.texts["en"]["reason."+typ]; ok {
		return v.T("reason." + typ)
	}
	return v.T("reason.other")
}
