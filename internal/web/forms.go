package web

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"time"

	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/media"
)

// option is one choice of a select.
type option struct{ Value, Label string }

// stepData is a screen's content beyond its values: the choices and the files already added.
type stepData struct {
	Subtypes   []option
	ProofTypes []option
	// Thumbnails of files already added, by field, shown through the authenticated file route.
	Added map[string]string
}

// Subtypes whose documents have a back side to photograph.
var withBack = []string{"id-card", "driver-license", "residence-permit"}

func (h *Handler) stepData(v *view, f *flow) stepData {
	d := stepData{Added: map[string]string{}}
	for _, rd := range f.req.Documents {
		list := rd.Subtypes
		if len(list) == 0 {
			list = kyc.Subtypes[rd.Type]
		}
		var opts []option
		for _, s := range list {
			if s != "other" || len(rd.Subtypes) > 0 {
				opts = append(opts, option{Value: s, Label: v.T("subtype." + s)})
			}
		}
		switch rd.Type {
		case "identity-proof":
			d.Subtypes = opts
		case "address-proof":
			d.ProofTypes = opts
		}
	}
	for field, slot := range map[string]gather.Slot{"front": gather.SlotFront, "back": gather.SlotBack, "selfie": gather.SlotSelfie, "proof_file": gather.SlotAddress} {
		if u, ok := f.draft.Uploads[slot]; ok {
			d.Added[field] = "/gather/" + f.req.ID + "/files/" + u.FileID
		}
	}
	return d
}

// fillIdentity prefills the first screen from the profile and the last identity claim.
func (h *Handler) fillIdentity(v *view, f *flow) {
	p := f.applicant.Profile
	set := func(k, val string) {
		if _, ok := v.Values[k]; !ok {
			v.Values[k] = val
		}
	}
	set("first_name", p.FirstName)
	set("last_name", p.LastName)
	set("date_of_birth", p.DateOfBirth)
	set("nationality", p.Nationality)
	c := f.draft.Identity
	if c == nil {
		if s, ok := f.draft.Submitted[gather.SlotFront]; ok {
			c = s.Claim
		}
	}
	if c != nil {
		set("doc_type", c.Subtype)
		set("issuing_country", c.Identification.IssuingCountry)
	}
	if v.Values["issuing_country"] == "" {
		v.Values["issuing_country"] = p.Nationality
	}
}

// fillAddress prefills the address screen from the applicant's residential address.
func (h *Handler) fillAddress(v *view, f *flow) {
	set := func(k, val string) {
		if _, ok := v.Values[k]; !ok {
			v.Values[k] = val
		}
	}
	for _, a := range f.applicant.Addresses {
		if a.Type == "residential" || a.Type == "" {
			set("line1", a.Line1)
			set("line2", a.Line2)
			set("city", a.City)
			set("state", a.State)
			set("postal_code", a.PostalCode)
			set("country", a.Country)
			break
		}
	}
	if v.Values["country"] == "" {
		v.Values["country"] = f.applicant.Profile.CountryOfResidence
	}
}

// form is a posted multipart form: its text fields, its spooled files, and the file fields that
// were over the upload limit.
type form struct {
	values   map[string]string
	files    map[string]*media.Spooled
	tooLarge map[string]bool
}

func (fm *form) cleanup() {
	for _, sp := range fm.files {
		_ = sp.Remove()
	}
}

// readForm streams a multipart form: text fields up to 1 KiB each, files spooled within the upload
// limit (an empty file input sends an empty part, which is dropped).
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request) (*form, error) {
	fm := &form{values: map[string]string{}, files: map[string]*media.Spooled{}, tooLarge: map[string]bool{}}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" || params["boundary"] == "" {
		return fm, kyc.Invalid("body", "not a multipart form")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	mr := multipart.NewReader(bufio.NewReaderSize(r.Body, 64<<10), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return fm, nil
		}
		if err != nil {
			fm.cleanup()
			return fm, kyc.Invalid("body", "the form is malformed")
		}
		name := part.FormName()
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, 1025))
			if err != nil || len(b) > 1024 {
				fm.cleanup()
				return fm, kyc.Invalid("body."+name, "is too long")
			}
			fm.values[name] = strings.TrimSpace(string(b))
			continue
		}
		sp, err := h.d.Files.Spool(part)
		if errors.Is(err, kyc.ErrTooLarge) {
			fm.tooLarge[name] = true
			continue
		}
		if err != nil {
			fm.cleanup()
			return fm, err
		}
		if sp.Size == 0 {
			_ = sp.Remove()
			continue
		}
		if old := fm.files[name]; old != nil {
			_ = old.Remove()
		}
		fm.files[name] = sp
	}
}

// begin opens the session and form of a POST, checking its CSRF token. It answers the error itself
// when it returns false.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, step string) (session, *flow, *form, *view, bool) {
	s, f, ok := h.session(w, r)
	if !ok {
		return s, nil, nil, nil, false
	}
	if !f.allowed(step) {
		http.Redirect(w, r, "/gather/"+f.req.ID, http.StatusSeeOther)
		return s, nil, nil, nil, false
	}
	lang := h.msgs.pick(w, r, h.secure)
	v := h.newView(r, lang)
	v.RequestID, v.CSRF, v.BackURL = f.req.ID, h.csrf(s), "/gather/"+f.req.ID+"/done"
	fm, err := h.readForm(w, r)
	if err != nil {
		if errors.Is(err, kyc.ErrTooLarge) {
			v.Errors["_form"] = v.T("err.file_large")
		} else {
			v.Errors["_form"] = v.T("err.invalid")
		}
		h.renderStep(w, r, http.StatusBadRequest, step, v, f)
		return s, nil, nil, nil, false
	}
	if !h.csrfOK(s, fm.values["csrf"]) {
		fm.cleanup()
		v.Errors["_form"] = v.T("err.csrf")
		h.renderStep(w, r, http.StatusForbidden, step, v, f)
		return s, nil, nil, nil, false
	}
	for k, val := range fm.values {
		if k != "csrf" {
			v.Values[k] = val
		}
	}
	return s, f, fm, v, true
}

// upload stores the form's file field in slot; a refused file becomes the field's error.
func (h *Handler) upload(r *http.Request, f *flow, fm *form, v *view, field string, slot gather.Slot) error {
	if fm.tooLarge[field] {
		v.Errors[field] = v.T("err.file_large")
		return nil
	}
	sp := fm.files[field]
	if sp == nil {
		return nil
	}
	delete(fm.files, field)
	_, err := h.d.Gather.Upload(r.Context(), f.who, slot, sp)
	var ve *kyc.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, kyc.ErrTooLarge):
		v.Errors[field] = v.T("err.file_large")
	case errors.Is(err, kyc.ErrUnsupportedMedia), errors.As(err, &ve):
		v.Errors[field] = v.T("err.file_type")
	default:
		return err
	}
	return nil
}

// check collects localized field errors.
type check struct{ v *view }

func (c check) required(fields ...string) {
	for _, f := range fields {
		if c.v.Values[f] == "" && c.v.Errors[f] == "" {
			c.v.Errors[f] = c.v.T("err.required")
		}
	}
}

func (c check) date(field string, past bool) (time.Time, bool) {
	s := c.v.Values[field]
	if s == "" || c.v.Errors[field] != "" {
		return time.Time{}, false
	}
	d, ok := kyc.ParseDate(s)
	if !ok {
		c.v.Errors[field] = c.v.T("err.date")
		return d, false
	}
	if past && d.After(time.Now()) {
		c.v.Errors[field] = c.v.T("err.past")
		return d, false
	}
	return d, true
}

func (c check) country(field string) {
	s := c.v.Values[field]
	if s == "" || c.v.Errors[field] != "" {
		return
	}
	if a2, ok := kyc.NormalizeCountry(s); ok {
		c.v.Values[field] = a2
	} else {
		c.v.Errors[field] = c.v.T("err.country")
	}
}

func (c check) oneOf(field string, opts []option) {
	s := c.v.Values[field]
	if s != "" && !slices.ContainsFunc(opts, func(o option) bool { return o.Value == s }) {
		c.v.Errors[field] = c.v.T("err.invalid")
	}
}

// domainErrors shows the domain's validation errors next to the form's fields.
func domainErrors(v *view, err error, fields map[string]string) bool {
	var ve *kyc.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Fields {
		name, ok := fields[fe.Field]
		if !ok {
			name = "_form"
		}
		v.Errors[name] = v.T("err.invalid")
	}
	return true
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, f *flow, err error) {
	h.d.Log.ErrorContext(r.Context(), "web: submit", "kyc_request_id", f.req.ID, "err", err)
	h.errorPage(w, r, http.StatusInternalServerError, "generic", "")
}

// postIdentity handles the first screen: profile, identity document claims, front and back.
func (h *Handler) postIdentity(w http.ResponseWriter, r *http.Request) {
	_, f, fm, v, ok := h.begin(w, r, stepIdentity)
	if !ok {
		return
	}
	defer fm.cleanup()
	for field, slot := range map[string]gather.Slot{"front": gather.SlotFront, "back": gather.SlotBack} {
		if err := h.upload(r, f, fm, v, field, slot); err != nil {
			h.fail(w, r, f, err)
			return
		}
	}
	var err error
	if f.draft, err = h.d.Gather.Draft(r.Context(), f.who); err != nil {
		h.fail(w, r, f, err)
		return
	}
	data := h.stepData(v, f)
	c := check{v}
	c.required("first_name", "last_name", "date_of_birth", "nationality", "doc_type", "doc_number", "expiry_date", "issuing_country")
	c.oneOf("doc_type", data.Subtypes)
	c.date("date_of_birth", true)
	issued, okI := c.date("issue_date", true)
	expires, okE := c.date("expiry_date", false)
	if okI && okE && !issued.Before(expires) {
		v.Errors["expiry_date"] = v.T("err.after_issue")
	}
	c.country("nationality")
	c.country("issuing_country")
	if data.Added["front"] == "" && v.Errors["front"] == "" {
		v.Errors["front"] = v.T("err.file_required")
	}
	if slices.Contains(withBack, v.Values["doc_type"]) && data.Added["back"] == "" && v.Errors["back"] == "" {
		v.Errors["back"] = v.T("err.file_required")
	}
	if len(v.Errors) > 0 {
		v.Data = data
		h.renderStep(w, r, http.StatusUnprocessableEntity, stepIdentity, v, f)
		return
	}
	val := v.Values
	// The profile and the identity claim are committed together, or neither is.
	_, _, err = h.d.Gather.Apply(r.Context(), f.who, gather.Update{
		Profile: &kyc.Profile{FirstName: val["first_name"], LastName: val["last_name"], DateOfBirth: val["date_of_birth"], Nationality: val["nationality"]},
		Steps: []gather.Step{{Slot: gather.SlotFront, Claim: gather.Claim{Subtype: val["doc_type"], Identification: kyc.Identification{
			Number: val["doc_number"], IssuingCountry: val["issuing_country"], IssueDate: val["issue_date"], ExpiryDate: val["expiry_date"],
			HolderName: strings.TrimSpace(val["first_name"] + " " + val["last_name"])}}}},
	})
	var se *gather.StepError
	if errors.As(err, &se) {
		err = se.Err
	}
	if err != nil {
		if domainErrors(v, err, map[string]string{"body.identification.issuingCountry": "issuing_country", "body.identification.issueDate": "issue_date",
			"body.identification.expiryDate": "expiry_date", "body.subtype": "doc_type", "body.profile.dateOfBirth": "date_of_birth",
			"body.profile.nationality": "nationality", "body.profile.firstName": "first_name", "body.profile.lastName": "last_name"}) {
			v.Data = data
			h.renderStep(w, r, http.StatusUnprocessableEntity, stepIdentity, v, f)
			return
		}
		h.fail(w, r, f, err)
		return
	}
	http.Redirect(w, r, "/gather/"+f.req.ID, http.StatusSeeOther)
}

// postSelfie handles the second screen: the selfie, which completes the identity document.
func (h *Handler) postSelfie(w http.ResponseWriter, r *http.Request) {
	_, f, fm, v, ok := h.begin(w, r, stepSelfie)
	if !ok {
		return
	}
	defer fm.cleanup()
	if f.livenessRequired {
		// No photo chosen or taken outside the challenge stands in for it.
		http.Redirect(w, r, "/gather/"+f.req.ID, http.StatusSeeOther)
		return
	}
	if err := h.upload(r, f, fm, v, "selfie", gather.SlotSelfie); err != nil {
		h.fail(w, r, f, err)
		return
	}
	if v.Errors["selfie"] == "" {
		d, err := h.d.Gather.Draft(r.Context(), f.who)
		if err != nil {
			h.fail(w, r, f, err)
			return
		}
		if _, ok := d.Uploads[gather.SlotSelfie]; !ok {
			v.Errors["selfie"] = v.T("err.file_required")
		}
	}
	if len(v.Errors) > 0 {
		h.renderStep(w, r, http.StatusUnprocessableEntity, stepSelfie, v, f)
		return
	}
	if _, _, err := h.d.Gather.SubmitSelfie(r.Context(), f.who); err != nil {
		if domainErrors(v, err, nil) {
			h.renderStep(w, r, http.StatusUnprocessableEntity, stepSelfie, v, f)
			return
		}
		h.fail(w, r, f, err)
		return
	}
	http.Redirect(w, r, "/gather/"+f.req.ID, http.StatusSeeOther)
}

// postAddress handles the third screen: the address and its proof.
func (h *Handler) postAddress(w http.ResponseWriter, r *http.Request) {
	_, f, fm, v, ok := h.begin(w, r, stepAddress)
	if !ok {
		return
	}
	defer fm.cleanup()
	if err := h.upload(r, f, fm, v, "proof_file", gather.SlotAddress); err != nil {
		h.fail(w, r, f, err)
		return
	}
	var err error
	if f.draft, err = h.d.Gather.Draft(r.Context(), f.who); err != nil {
		h.fail(w, r, f, err)
		return
	}
	data := h.stepData(v, f)
	c := check{v}
	c.required("line1", "city", "postal_code", "country", "proof_type", "proof_issue_date")
	c.oneOf("proof_type", data.ProofTypes)
	c.date("proof_issue_date", true)
	c.country("country")
	if data.Added["proof_file"] == "" && v.Errors["proof_file"] == "" {
		v.Errors["proof_file"] = v.T("err.file_required")
	}
	if len(v.Errors) > 0 {
		v.Data = data
		h.renderStep(w, r, http.StatusUnprocessableEntity, stepAddress, v, f)
		return
	}
	val := v.Values
	p := f.applicant.Profile
	addr := kyc.Address{Type: "residential", Line1: val["line1"], Line2: val["line2"], City: val["city"], State: val["state"],
		PostalCode: val["postal_code"], Country: val["country"]}
	_, _, err = h.d.Gather.SubmitAddress(r.Context(), f.who, gather.Claim{Subtype: val["proof_type"], Identification: kyc.Identification{
		Number: val["proof_reference"], IssueDate: val["proof_issue_date"], IssuingCountry: val["country"],
		HolderName: strings.TrimSpace(p.FirstName + " " + p.LastName)}}, &addr)
	if err != nil {
		if domainErrors(v, err, map[string]string{"body.identification.issueDate": "proof_issue_date", "body.subtype": "proof_type",
			"body.addresses[0].country": "country", "body.addresses[0].postalCode": "postal_code", "body.addresses[0].line1": "line1"}) {
			v.Data = data
			h.renderStep(w, r, http.StatusUnprocessableEntity, stepAddress, v, f)
			return
		}
		h.fail(w, r, f, err)
		return
	}
	http.Redirect(w, r, "/gather/"+f.req.ID, http.StatusSeeOther)
}
