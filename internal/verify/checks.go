package verify

import (
	"context"
	"fmt"
	"image"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/mrz/mrzimage"
	"kycd/internal/verify/check"
)

// Check names of the engine's own checks (the rest are in package check).
const (
	// CheckFaceProof: a request with faceProofRequired needs a selfie (a face-proof file) with a
	// face beside the identity document.
	CheckFaceProof = "face-proof-present"
	// CheckAddressRecent: a proof of address was issued within the level's addressProofMaxAgeDays.
	CheckAddressRecent = "address-proof-recent"
	// CheckAddressCountry: a proof of address is issued in the country of one of the applicant's
	// addresses.
	CheckAddressCountry = "address-proof-country"
	// CheckIdentityImage: every file of an identity document is an image kycd reads. kycd reads
	// no PDF, so an identity document given as one is held for a person (never accepted
	// automatically), whatever the score.
	CheckIdentityImage = "identity-document-is-image"
)

// ownWeights are the default weights of the engine's own checks.
var ownWeights = map[string]int{
	CheckDuplicateNumber: 100, CheckDuplicateFile: 40, CheckDuplicateImage: 40,
	CheckFaceProof: 60, CheckFaceMatch: 30, CheckLiveness: 30, CheckSelfieNotPortrait: 40, CheckDuplicateFace: 40, CheckAddressRecent: 60, CheckAddressCountry: 40, CheckSanctions: 0, CheckIdentityImage: 0,
	CheckVerificationError: 0,
}

// CheckNames lists every check the engine runs, the names a level's weights may use.
func CheckNames() []string {
	names := slices.Clone(check.Names)
	for n := range ownWeights {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// neverExpire are identity-document subtypes accepted without an expiry date.
var neverExpire = []string{"other"}

// runChecks runs every check the document's type and level call for. It returns the findings, what
// the checks read (parsedData, nothing personal) and the fingerprints to store for duplicate
// detection. The images are read first: the machine-readable zone read from an identity
// document's image is the truth its typed data is checked against, and it fills (in in.doc, so in
// what the decision stores) the identification fields that were not typed.
func (e *Engine) runChecks(ctx context.Context, in *input) ([]finding, map[string]any, []Fingerprint, error) {
	now := e.cfg.Now()
	d, a, l := in.doc, &in.applicant, in.level
	matchLevel := 2
	if in.request != nil {
		matchLevel = in.request.MatchLevel
	}
	parsed := map[string]any{}
	imgs, imgFindings, err := e.imageChecks(ctx, in, parsed)
	if err != nil {
		return nil, nil, nil, err
	}
	typed := d.Identification
	if in.zone.Zone != nil {
		filled := check.IdentificationFromMRZ(in.zone.Zone, typed)
		d.Identification = &filled
		parsed["mrzRead"] = check.MRZRead(in.zone.Zone)
	}

	var results []check.Result
	add := func(rs ...check.Result) { results = append(results, rs...) }

	// Data: the applicant.
	add(check.RequiredFields(a, d, l.RequiredFields), check.DateOfBirth(&a.Profile, now),
		check.MinimumAge(a, check.MinAge{Default: l.MinAge, ByCountry: l.MinAgeByCountry}, now),
		check.Countries(a, d.Identification), check.Phone(&a.Profile), check.SSN(a), check.Occupation(&a.Profile))
	parsed["hasMinimalAge"] = !results[2].Failed && !results[2].Skipped

	switch d.Type {
	case "identity-proof":
		add(check.DocumentDates(d.Identification, now), check.NotExpired(d.Identification, now), check.ExpiryPresent(d, neverExpire),
			check.HolderName(d.Identification, &a.Profile, matchLevel), check.DocumentNumber(d))
		if l.NationalityMatch {
			add(check.IssuingCountry(d.Identification, &a.Profile))
		}
		// The zone is compared with what was typed, not with what it filled in itself.
		rep := check.DocumentMRZ(in.zone, typed, &a.Profile, matchLevel, now)
		add(rep.Results...)
		for k, v := range rep.ParsedData {
			parsed[k] = v
		}
	case "address-proof":
		add(check.DocumentDates(d.Identification, now), check.HolderName(d.Identification, &a.Profile, matchLevel))
	default:
		add(check.DocumentDates(d.Identification, now))
	}
	fs := e.weigh(l, results)
	if d.Type == "address-proof" {
		fs = append(fs, addressChecks(in, now)...)
	}
	fs = append(fs, imgFindings...)
	if d.Type == "identity-proof" && e.faceProofRequired(in) {
		f := finding{Name: CheckFaceProof, Weight: l.Weight(CheckFaceProof, ownWeights[CheckFaceProof]), Reason: "critical-info-missing"}
		if parsed["selfieShowsOneFace"] != true {
			f.Failed, f.Detail = true, "the KYC request asks for a selfie with one face beside the identity document"
		}
		fs = append(fs, f)
	}
	faceFindings, keep, err := e.faceChecks(ctx, in, parsed)
	if err != nil {
		return nil, nil, nil, err
	}
	fs = append(fs, faceFindings...)
	in.keepFaces = keep
	live, err := e.livenessCheck(ctx, in, parsed)
	if err != nil {
		return nil, nil, nil, err
	}
	fs = append(fs, live...)

	if d.Type == "identity-proof" {
		sanctions, err := e.sanctionsCheck(ctx, in, parsed)
		if err != nil {
			return nil, nil, nil, err
		}
		fs = append(fs, sanctions...)
	}

	var prints []Fingerprint
	dups, err := e.duplicateChecks(ctx, in, imgs, parsed, &prints)
	if err != nil {
		return nil, nil, nil, err
	}
	return append(fs, dups...), parsed, prints, nil
}

// weigh turns check results into findings with the level's weights; skipped checks cost nothing
// and are left out of the checkList.
func (e *Engine) weigh(l levelWeights, rs []check.Result) []finding {
	fs := make([]finding, 0, len(rs))
	for _, r := range rs {
		if r.Skipped {
			continue
		}
		fs = append(fs, finding{Name: r.Name, Failed: r.Failed, Reason: r.Reason, Detail: r.Detail, Decisive: r.Decisive, Review: r.Review,
			Weight: l.Weight(r.Name, check.DefaultWeights[r.Name])})
	}
	return fs
}

type levelWeights interface {
	Weight(check string, def int) int
}

// decodedImage is one image file of the document, decoded and normalised (grey, long side at most
// 512 px: what the checks and the perceptual hash read).
type decodedImage struct {
	file
	img image.Image
}

// imageChecks decodes each image file and checks it for what its tag says it shows: an identity
// document's sides must be large, sharp, well exposed and free of glare and show a document
// (printed text, and on the front a portrait: document-shown, review); a selfie must show exactly
// one face and no page of print (selfie-not-document, review); other images (pages of a proof of
// address) must be sharp, well exposed and free of glare. Findings are named check.tag
// ("image-sharp.face-proof"); their weight is the check's. Each image is decoded within the
// engine's decode budget and let go as soon as its grey copy and size are taken and, for an
// identity document's side, its zone is read (in the background, one read at a time) and, on an
// identity document, its face described (in the background too), so a document holds at most its
// three full images at a time. The error is ctx's, when it ends while a decode waits for room.
func (e *Engine) imageChecks(ctx context.Context, in *input, parsed map[string]any) ([]decodedImage, []finding, error) {
	var imgs []decodedImage
	var fs []finding
	faces := map[string]int{}
	wantZone := in.doc.Type == "identity-proof"
	if wantZone {
		id := in.doc.Identification
		country, typedMRZ := "", false
		if id != nil {
			country, typedMRZ = id.IssuingCountry, strings.TrimSpace(id.MRZ) != ""
		}
		in.zone = check.ImageMRZ{Bearing: check.MRZBearing(in.doc.Subtype, country, typedMRZ), RefuseSpecimens: in.env == kyc.EnvLive}
	}
	zoneRead := make(chan struct{}) // closes when the last zone read started has ended
	close(zoneRead)
	defer func() { <-zoneRead }()
	// The faces are described in the background too, each beside the rest (about 42 ms of
	// one core each): the selfie's, and the document's portrait, looked for image after image in
	// order until one is found (portraitSeen closes when the last look started has ended).
	var selfieSeen sync.WaitGroup
	defer selfieSeen.Wait()
	portraitSeen := make(chan struct{})
	close(portraitSeen)
	defer func() { <-portraitSeen }()
	selfieTaken := false
	for _, f := range in.files {
		if f.MIME == "application/pdf" {
			if in.doc.Type == "identity-proof" {
				fs = append(fs, finding{Name: CheckIdentityImage + "." + f.Tag, Failed: true, Review: true, Reason: "document-unreadable",
					Weight: in.level.Weight(CheckIdentityImage, ownWeights[CheckIdentityImage]),
					Detail: "an identity document sent as a PDF is not read by kycd: a person must look at it"})
			}
			continue
		}
		full, release, err := e.decode.Decode(ctx, f.data, e.cfg.MaxPixels)
		if err != nil && ctx.Err() != nil {
			return nil, nil, err
		}
		rs := []check.Result{check.Decoded(err)}
		if err == nil {
			// The zone is read at full resolution beside the other checks, which read the grey
			// copy, and beside the next files' decoding and checks: on a machine with a core to
			// spare the read adds little to the decision. The full image is given back when both
			// its grey copy is made and its read is done; a read starts only when the one before
			// has ended, so the first zone read is still the document's.
			users := &imageUsers{release: release}
			users.n.Store(1)
			if wantZone && f.Tag != "face-proof" {
				<-zoneRead
				if in.zone.Zone == nil {
					users.n.Add(1)
					read := make(chan struct{})
					zoneRead = read
					go func() {
						defer close(read)
						defer users.done()
						e.readZone(full, in) // the only writer of in.zone until read closes
					}()
				}
			}
			img := check.Normalize(full)
			size := check.Size(full, in.level.MinImageSide)
			if in.doc.Type == "identity-proof" {
				// The faces are described at full resolution: the selfie's (the first
				// face-proof file's), and the largest face of the first of the document's other
				// images that has one (its portrait). in.selfie and in.portrait are written only
				// here, and read once the goroutines have ended.
				switch {
				case f.Tag == "face-proof" && !selfieTaken:
					selfieTaken = true
					users.n.Add(1)
					selfieSeen.Go(func() {
						defer users.done()
						in.selfie = e.describeLargest(full, img, f.ID)
					})
				case f.Tag != "face-proof":
					users.n.Add(1)
					before, seen := portraitSeen, make(chan struct{})
					portraitSeen = seen
					go func() {
						defer close(seen)
						defer users.done()
						<-before
						if in.portrait == nil {
							in.portrait = e.describeLargest(full, img, f.ID)
						}
					}()
				}
			}
			users.done()
			imgs = append(imgs, decodedImage{file: f, img: img})
			rs = append(rs, check.Sharpness(img, check.DefaultBlurThreshold), check.Exposure(img, check.DefaultExposure))
			if f.Tag != "face-proof" {
				// A glare spot hides print; on a face it is skin's shine.
				rs = append(rs, check.Glare(img, check.DefaultMaxGlare))
			}
			switch f.Tag {
			case "id-front", "id-back":
				rs = append(rs, size)
				if in.doc.Type == "identity-proof" {
					// It must be a document: printed text, and on the front a portrait.
					rs = append(rs, check.DocumentShown(img, f.Tag == "id-front"))
				}
			case "face-proof":
				r := check.SelfieFace(img)
				rs = append(rs, r, check.SelfieNotDocument(img))
				if !r.Failed {
					// Only that the selfie shows one face; faceChecks compares it with the
					// document's portrait and sets hasMatchingFaceProof.
					parsed["selfieShowsOneFace"] = true
					faces[f.ID] = 1 // SelfieFace passes on exactly one face
				} else {
					faces[f.ID] = check.CountFaces(img)
				}
			}
		}
		for _, fd := range e.weigh(in.level, rs) {
			fd.Name += "." + f.Tag
			fs = append(fs, fd)
		}
	}
	if len(faces) > 0 {
		parsed["selfieFaces"] = faces
	}
	<-zoneRead
	selfieSeen.Wait()
	<-portraitSeen
	return imgs, fs, nil
}

// imageUsers gives a decoded image back to the decode budget when its last user is done.
type imageUsers struct {
	n       atomic.Int32
	release func()
}

func (u *imageUsers) done() {
	if u.n.Add(-1) == 0 {
		u.release()
	}
}

// readZone reads the machine-readable zone of one of an identity document's images, at full
// resolution, into in.zone; the first zone read is the document's. When none is read, in.zone
// keeps the reason of the first image where a zone was found but not read, or else the last one's.
func (e *Engine) readZone(full image.Image, in *input) {
	r, err := mrzimage.ReadAt(full, e.cfg.Now())
	if err != nil {
		why := strings.TrimPrefix(err.Error(), mrzimage.ErrNotRead.Error()+": ")
		if in.zone.NotRead == "" || in.zone.NotRead == noZone {
			in.zone.NotRead = why
		}
		return
	}
	in.zone.Zone, in.zone.Lines, in.zone.NotRead = r.MRZ, r.Lines, ""
}

// noZone is mrzimage's reason when it finds no zone at all in an image.
const noZone = "no rows of 30, 36 or 44 characters found"

// faceProofRequired reports whether the request asks for a selfie with this identity document.
func (e *Engine) faceProofRequired(in *input) bool {
	if in.request == nil {
		return false
	}
	for _, rd := range in.request.Documents {
		if rd.Type == "identity-proof" && (rd.FaceProofRequired || rd.FaceLivenessRequired) {
			return true
		}
	}
	return false
}

// addressChecks: a proof of address is recent and from the country of one of the applicant's
// addresses.
func addressChecks(in *input, now time.Time) []finding {
	l, id := in.level, in.doc.Identification
	recent := finding{Name: CheckAddressRecent, Weight: l.Weight(CheckAddressRecent, ownWeights[CheckAddressRecent]), Reason: "document-expired"}
	issued, ok := time.Time{}, false
	if id != nil {
		issued, ok = kyc.ParseDate(id.IssueDate)
	}
	switch {
	case !ok:
		recent.Failed, recent.Reason, recent.Detail = true, "issue-date-missing", "a proof of address needs its issue date"
	case now.Sub(issued) > time.Duration(l.AddressProofMaxAgeDays)*24*time.Hour:
		recent.Failed, recent.Detail = true, "issued more than "+strconv.Itoa(l.AddressProofMaxAgeDays)+" days ago"
	}
	fs := []finding{recent}
	if id != nil && id.IssuingCountry != "" && len(in.applicant.Addresses) > 0 {
		country := finding{Name: CheckAddressCountry, Weight: l.Weight(CheckAddressCountry, ownWeights[CheckAddressCountry]), Reason: "document-not-matching"}
		if !slices.ContainsFunc(in.applicant.Addresses, func(a kyc.Address) bool { return a.Country == id.IssuingCountry }) {
			country.Failed, country.Detail = true, fmt.Sprintf("issued in %s, not the country of any of the applicant's addresses", id.IssuingCountry)
		}
		fs = append(fs, country)
	}
	return fs
}
