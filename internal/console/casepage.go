package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/review"
	"kycd/internal/screening/match"
	"kycd/internal/webhook"
)

// Evidence reads what a case page shows, for one environment. The composition root builds it
// from the domains' services.
type Evidence interface {
	Case(ctx context.Context, env kyc.Env, id string) (review.Case, error)
	Document(ctx context.Context, env kyc.Env, id string) (kyc.Document, error)
	Documents(ctx context.Context, env kyc.Env, applicantID string) ([]kyc.Document, error)
	Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error)
	Requests(ctx context.Context, env kyc.Env, applicantID string) ([]kyc.Request, error)
	Screening(ctx context.Context, env kyc.Env, id string) (kyc.Screening, error)
	Screenings(ctx context.Context, env kyc.Env, applicantID string) ([]kyc.Screening, error)
	Events(ctx context.Context, env kyc.Env, resourceID string) ([]kyc.Event, error)
	// ListEntry is a sanctions list's entry as its stored version has it (ok false when gone).
	ListEntry(ctx context.Context, list, id string) (match.Entry, bool, error)
	// Deliveries are the webhook deliveries of these events.
	Deliveries(ctx context.Context, env kyc.Env, eventIDs []string) ([]webhook.Delivery, error)
	// FileInfo gives a file's description; File its bytes, opened.
	FileInfo(ctx context.Context, env kyc.Env, id string) (kyc.File, error)
	File(ctx context.Context, env kyc.Env, id string) (kyc.File, io.ReadCloser, error)
	// Viewed writes that a person saw personal data (audit entries, nothing else), e and more
	// together or none.
	Viewed(ctx context.Context, env kyc.Env, e kyc.AuditEntry, more ...kyc.AuditEntry) error
}

// casePage is what the case page shows.
type casePage struct {
	Case      review.Case
	Overdue   bool
	Holder    string
	Mine      bool
	Applicant kyc.Applicant
	Document  *kyc.Document
	Images    []caseImage
	FaceMatch map[string]any
	// Faces are the selfie's face and the document portrait's, cut from their images by the
	// browser (case.js) where the face match found them.
	Faces     []faceCrop
	Fields    []fieldRow
	Checks    []checkRow
	Screening *kyc.Screening
	// Entries are the list entries of the screening's hits, by list and entry id.
	Entries map[string]*match.Entry
	// DuplicateOf are other applicants the checks found the same document, image or face on.
	DuplicateOf []string
	Documents   []kyc.Document
	Requests    []requestRow
	Screenings  []kyc.Screening
	Events      []kyc.Event
	// Deliveries are the webhook deliveries of Events, by event id.
	Deliveries map[string][]webhook.Delivery
	Decide     decisionForms
	Notes      []noteRow
}

// requestRow is a KYC request with, per document type it asks for, the attempts used (the
// request's documents of that type, archived ones included) out of those it allows (0: no limit).
type requestRow struct {
	kyc.Request
	Attempts []attempts
}

type attempts struct {
	Type      string
	Used, Max int
}

// requestRows counts each request's attempts among the applicant's documents.
func requestRows(reqs []kyc.Request, docs []kyc.Document) []requestRow {
	out := make([]requestRow, len(reqs))
	for i, r := range reqs {
		out[i].Request = r
		for _, want := range r.Documents {
			a := attempts{Type: want.Type, Max: want.MaxAttempts}
			for _, d := range docs {
				if d.RequestID == r.ID && d.Type == want.Type {
					a.Used++
				}
			}
			out[i].Attempts = append(out[i].Attempts, a)
		}
	}
	return out
}

type noteRow struct {
	review.Note
	Who string
}

type caseImage struct {
	FileID, Tag, URL string
}

// faceCrop is a face to cut out of an image: Box is "x,y,width,height" in the image's pixels.
type faceCrop struct {
	Label, FileID, URL, Box string
}

// faceCrops reads where parsedData.faceMatch found the selfie's face and the portrait, keeping
// only faces in the document's own files.
func faceCrops(env kyc.Env, d kyc.Document, fm map[string]any) []faceCrop {
	var out []faceCrop
	for _, k := range []struct{ key, label string }{{"selfie", "The selfie's face"}, {"portrait", "The document's portrait"}} {
		at, _ := fm[k.key].(map[string]any)
		id, _ := at["fileId"].(string)
		box, _ := at["box"].([]any)
		if id == "" || len(box) != 4 || !slices.Contains(d.FileIDs, id) {
			continue
		}
		var nums []string
		for _, v := range box {
			n, ok := v.(float64)
			if !ok || n < 0 || n > 1e6 {
				nums = nil
				break
			}
			nums = append(nums, strconv.Itoa(int(n)))
		}
		if len(nums) == 4 {
			out = append(out, faceCrop{Label: k.label, FileID: id, URL: "/console/files/" + string(env) + "/" + id, Box: strings.Join(nums, ",")})
		}
	}
	return out
}

// fieldRow sets a field as the document's zone reads it, as typed (or filled from the zone when
// nothing was typed) and in the applicant's profile, with the check that compared them.
type fieldRow struct {
	Field, Read, Document, Profile, Check string
	Failed, Checked                       bool
}

// checkRow is one check of the checkList, explained.
type checkRow struct {
	kyc.Check
	Explain string
}

// caseView shows one case with its evidence; the view is audited with the person.
func (h *Handler) caseView(w http.ResponseWriter, r *http.Request, v visit) {
	h.showCase(w, r, v, kyc.Env(r.PathValue("env")), r.PathValue("id"), http.StatusOK, page{})
}

// showCase renders a case page with p's notice or message, writing the view in the audit log.
func (h *Handler) showCase(w http.ResponseWriter, r *http.Request, v visit, env kyc.Env, id string, status int, p page) {
	ctx := r.Context()
	if !env.Valid() {
		h.notFound(w, r, v, "case")
		return
	}
	c, err := h.d.Evidence.Case(ctx, env, id)
	if errors.Is(err, kyc.ErrNotFound) {
		h.notFound(w, r, v, "case")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data, err := h.gather(ctx, env, c, v)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.d.Evidence.Viewed(ctx, env, kyc.AuditEntry{Actor: v.user.Actor(), Action: "console.view-case", ResourceType: "applicant", ResourceID: c.ApplicantID}); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Title, p.User, p.CSRF, p.Data = "Case "+c.ID, &v.user, h.csrf(v.session), data
	h.render(w, r, status, "case", p)
}

// notFound answers 404 with the console's page, saying there is no such thing (a case, an
// applicant) in this environment.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, v visit, thing string) {
	h.render(w, r, http.StatusNotFound, "error", page{Title: "Not found", User: &v.user, CSRF: h.csrf(v.session),
		Message: "There is no such " + thing + " in this environment."})
}

// gather reads a case's evidence.
func (h *Handler) gather(ctx context.Context, env kyc.Env, c review.Case, v visit) (casePage, error) {
	ev := h.d.Evidence
	now := h.now()
	data := casePage{Case: c, Overdue: c.Overdue(now), Mine: c.Claimed(now) && c.ClaimedBy == v.user.ID}
	if c.Claimed(now) {
		data.Holder = h.personName(ctx, map[string]string{}, c.ClaimedBy)
	}
	var err error
	if data.Applicant, err = ev.Applicant(ctx, env, c.ApplicantID); err != nil {
		return data, fmt.Errorf("applicant: %w", err)
	}
	switch c.Kind {
	case review.KindDocument:
		d, err := ev.Document(ctx, env, c.SubjectID)
		if err != nil {
			return data, fmt.Errorf("document: %w", err)
		}
		data.Document = &d
		for _, f := range d.FileIDs {
			file, err := ev.FileInfo(ctx, env, f)
			if err != nil {
				return data, fmt.Errorf("file %s: %w", f, err)
			}
			data.Images = append(data.Images, caseImage{FileID: f, Tag: file.Tag, URL: "/console/files/" + string(env) + "/" + f})
		}
		data.FaceMatch, _ = d.ParsedData["faceMatch"].(map[string]any)
		data.Faces = faceCrops(env, d, data.FaceMatch)
		data.Fields = fieldRows(d, data.Applicant)
		for _, ck := range d.CheckList {
			data.Checks = append(data.Checks, checkRow{Check: ck, Explain: explain(ck)})
		}
		for _, k := range []string{"duplicateOf", "duplicateFaceOf"} {
			if s, ok := d.ParsedData[k].(string); ok && s != "" && s != c.ApplicantID {
				data.DuplicateOf = append(data.DuplicateOf, s)
			}
		}
	case review.KindScreening:
		sc, err := ev.Screening(ctx, env, c.SubjectID)
		if err != nil {
			return data, fmt.Errorf("screening: %w", err)
		}
		data.Screening = &sc
		data.Entries = map[string]*match.Entry{}
		for _, hit := range sc.Hits {
			e, ok, err := ev.ListEntry(ctx, hit.List, hit.EntryID)
			if err != nil {
				return data, fmt.Errorf("list entry: %w", err)
			}
			if ok {
				data.Entries[hit.List+":"+hit.EntryID] = &e
			}
		}
	}
	data.Decide.RejectionTypes = kyc.RejectionTypes
	notes, err := h.d.Reviews.Notes(ctx, env, c.ApplicantID)
	if err != nil {
		return data, fmt.Errorf("notes: %w", err)
	}
	names := map[string]string{}
	for _, n := range notes {
		data.Notes = append(data.Notes, noteRow{Note: n, Who: h.personName(ctx, names, n.Author)})
	}
	if p, ok, err := h.d.Reviews.Pending(ctx, env, c.ID); err != nil {
		return data, fmt.Errorf("proposal: %w", err)
	} else if ok {
		data.Decide.Pending = &p
		data.Decide.ProposedBy = h.personName(ctx, map[string]string{}, p.ProposedBy)
		data.Decide.CanApprove = v.user.Role.Allows(people.Approver) && p.ProposedBy != v.user.ID
	}
	if data.Documents, err = ev.Documents(ctx, env, c.ApplicantID); err != nil {
		return data, fmt.Errorf("documents: %w", err)
	}
	reqs, err := ev.Requests(ctx, env, c.ApplicantID)
	if err != nil {
		return data, fmt.Errorf("requests: %w", err)
	}
	data.Requests = requestRows(reqs, data.Documents)
	if data.Screenings, err = ev.Screenings(ctx, env, c.ApplicantID); err != nil {
		return data, fmt.Errorf("screenings: %w", err)
	}
	for _, res := range []string{c.SubjectID, c.ApplicantID} {
		evs, err := ev.Events(ctx, env, res)
		if err != nil {
			return data, fmt.Errorf("events: %w", err)
		}
		data.Events = append(data.Events, evs...)
	}
	sort.Slice(data.Events, func(i, j int) bool { return data.Events[i].ID > data.Events[j].ID })
	ids := make([]string, len(data.Events))
	for i, e := range data.Events {
		ids[i] = e.ID
	}
	dels, err := ev.Deliveries(ctx, env, ids)
	if err != nil {
		return data, fmt.Errorf("webhook deliveries: %w", err)
	}
	data.Deliveries = map[string][]webhook.Delivery{}
	for _, d := range dels {
		data.Deliveries[d.EventID] = append(data.Deliveries[d.EventID], d)
	}
	return data, nil
}

// fieldRows sets the document's identification beside the profile, marked by the checks that
// compared them (the mrz-* checks compare what the document's zone says with what was typed and
// the profile; holder-name-match the typed holder with the profile).
func fieldRows(d kyc.Document, a kyc.Applicant) []fieldRow {
	checks := map[string]kyc.Check{}
	for _, c := range d.CheckList {
		checks[c.Name] = c
	}
	var id kyc.Identification
	if d.Identification != nil {
		id = *d.Identification
	}
	name := strings.TrimSpace(a.Profile.FirstName + " " + a.Profile.LastName)
	read, _ := d.ParsedData["mrzRead"].(map[string]any)
	r := func(k string) string { v, _ := read[k].(string); return v }
	rows := []fieldRow{
		{Field: "Holder name", Read: strings.TrimSpace(r("givenNames") + " " + r("surname")), Document: id.HolderName, Profile: name, Check: "mrz-surname"},
		{Field: "Date of birth", Read: r("dateOfBirth"), Profile: a.Profile.DateOfBirth, Check: "mrz-date-of-birth"},
		{Field: "Sex", Read: r("sex"), Profile: a.Profile.Gender, Check: "mrz-sex"},
		{Field: "Nationality", Read: r("nationality"), Profile: a.Profile.Nationality, Check: "mrz-nationality"},
		{Field: "Document number", Read: r("documentNumber"), Document: id.Number, Check: "mrz-document-number"},
		{Field: "Issuing country", Read: r("issuingState"), Document: id.IssuingCountry, Check: "mrz-issuing-country"},
		{Field: "Expiry date", Read: r("expiryDate"), Document: id.ExpiryDate, Check: "mrz-expiry-date"},
	}
	if c, ok := checks["holder-name-match"]; ok && !checks["mrz-surname"].Failed {
		rows[0].Check = c.Name
	}
	for i := range rows {
		if c, ok := checks[rows[i].Check]; ok {
			rows[i].Checked, rows[i].Failed = true, c.Failed
		}
	}
	return rows
}

// explain says in words what a check found.
func explain(c kyc.Check) string {
	base := c.Name
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	text, ok := checkTexts[base]
	if !ok {
		text = "a check of the document"
	}
	if c.Failed {
		out := "Failed: " + text
		if c.Reason != "" {
			out += " (" + c.Reason + ")"
		}
		return out + "."
	}
	return "Passed: " + text + "."
}

// checkTexts say what each check looks at. A check not listed is explained by its name.
var checkTexts = map[string]string{
	"required-fields":           "the fields the document type needs are there",
	"date-of-birth-valid":       "the date of birth is a real date in the past",
	"minimum-age":               "the holder is old enough",
	"countries-valid":           "the countries are real ISO countries",
	"document-dates-valid":      "the issue and expiry dates are real and in order",
	"document-not-expired":      "the typed expiry date is not past",
	"expiry-date-present":       "the document has an expiry date",
	"holder-name-match":         "the holder's name matches the applicant's profile",
	"document-number-plausible": "the document number has a plausible form",
	"mrz-read-from-image":       "the machine-readable zone was read from the image itself",
	"mrz-readable":              "the machine-readable zone could be read",
	"mrz-checksum":              "the zone's check digits are right",
	"mrz-surname":               "the surname in the zone matches what was typed and the profile",
	"mrz-given-names":           "the given names in the zone match",
	"mrz-document-number":       "the document number in the zone matches",
	"mrz-issuing-country":       "the issuing country in the zone matches",
	"mrz-nationality":           "the nationality in the zone matches the profile",
	"mrz-date-of-birth":         "the date of birth in the zone matches the profile",
	"mrz-sex":                   "the sex in the zone matches the profile",
	"mrz-expiry-date":           "the expiry date in the zone matches what was typed",
	"mrz-not-expired":           "the expiry date read from the zone is not past",
	"mrz-typed-matches-image":   "the zone typed in matches the one printed on the image",
	"image-decodes":             "the image is a readable picture",
	"image-sharp":               "the image is sharp enough",
	"image-exposure":            "the image is neither too dark nor too bright",
	"image-glare":               "no glare hides the document",
	"image-size":                "the image is large enough",
	"document-shown":            "the image shows a document",
	"selfie-face":               "the selfie shows one face",
	"selfie-not-document":       "the selfie is not a photo of a document",
	"selfie-not-portrait":       "the selfie is not the document's portrait cut out",
	"face-proof-present":        "a selfie was given",
	"face-match":                "the selfie's face is the document portrait's",
	"duplicate-face":            "the face is not another applicant's under another identity",
	"duplicate-document-number": "the document number is not another applicant's",
	"duplicate-file":            "the file is not another applicant's",
	"duplicate-image":           "the photo is not a near copy of another applicant's",
	"sanctions-screening":       "the holder is not a potential sanctions match",
	"liveness":                  "the selfie was taken live",
}

// file serves one file's bytes, decrypted, to a signed-in person; never cached, audited.
func (h *Handler) file(w http.ResponseWriter, r *http.Request, v visit) {
	env, id := kyc.Env(r.PathValue("env")), r.PathValue("id")
	if !env.Valid() || !kyc.ValidID(kyc.PrefixFile, id) {
		http.NotFound(w, r)
		return
	}
	f, rc, err := h.d.Evidence.File(r.Context(), env, id)
	if errors.Is(err, kyc.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer rc.Close()
	if err := h.d.Evidence.Viewed(r.Context(), env, kyc.AuditEntry{Actor: v.user.Actor(), Action: "console.view-file", ResourceType: "file", ResourceID: f.ID}); err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.MIME)
	hd.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	hd.Set("Content-Disposition", "inline")
	hd.Set("Cache-Control", "no-store")
	_, _ = io.Copy(w, rc)
}
