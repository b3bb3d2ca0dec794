package httpapi

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/docread"
	"kycd/internal/kyc"
	"kycd/internal/media"
	"kycd/internal/strictjson"
)

type fileOut struct {
	Body kyc.File
}

type readingOut struct {
	Body *docread.Reading
}

// fileJSON is the JSON form of an upload, as the app documents send files: a data URL.
type fileJSON struct {
	ApplicantID string `json:"applicantId"`
	Tag         string `json:"tag,omitempty" enum:"id-front,id-back,face-proof,address-proof,other"`
	Data        string `json:"data" doc:"A data URL: data:image/png;base64,..."`
}

func registerFiles(api huma.API, mux *http.ServeMux, d Deps) {
	const tag = "Files"
	huma.Register(api, op("getFile", http.MethodGet, "/v1/files/{id}", "Get a file's metadata", tag, http.StatusOK, 404),
		func(ctx context.Context, in *idIn) (*fileOut, error) {
			f, err := d.Files.Get(ctx, principal(ctx).Env, in.ID)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &fileOut{Body: f}, nil
		})

	reading := op("readFile", http.MethodPost, "/v1/files/{id}/reading", "Read what a document image says", tag, http.StatusOK, 404)
	reading.Description = "Reads one uploaded image at once, as verification does, and stores nothing: the machine-readable zone " +
		"(TD1, TD2, TD3, MRV-A, MRV-B; read only when every check digit passes and no character is in doubt, otherwise `mrz` is null " +
		"and `reasons` says why), the identification it gives (to prefill a form for the person to confirm), whether a portrait " +
		"was found and where, and the capture's quality checks (image-size, image-sharp, image-exposure, image-glare). A PDF or a " +
		"file that is not an image gives `mrz: null` with a reason. Idempotent: the same file always gives the same answer and " +
		"nothing changes, so it may be repeated freely. The answer is personal data: each reading is an audit entry (file.read) with the key."
	huma.Register(api, reading, func(ctx context.Context, in *idIn) (*readingOut, error) {
		data, err := readFile(ctx, d, principal(ctx).Env, in.ID)
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		r, err := d.Reader.Read(ctx, data)
		if err == nil {
			err = logReads(ctx, d, "file.read", "file", in.ID) // the answer is what the image says
		}
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		return &readingOut{Body: r}, nil
	})
	// "mrz" is null when nothing was read; huma cannot mark a referenced schema nullable itself.
	if rs := api.OpenAPI().Components.Schemas.Map()["Reading"]; rs != nil {
		if m := rs.Properties["mrz"]; m != nil && m.Ref != "" {
			rs.Properties["mrz"] = &huma.Schema{OneOf: []*huma.Schema{{Ref: m.Ref}, {Type: "null"}}, Description: m.Description}
		}
	}

	// Upload and content stream bytes, so they are plain handlers; their OpenAPI operations are
	// described by hand below.
	up := &uploadHandler{d: d}
	mux.Handle("POST /v1/files", up)
	mux.HandleFunc("GET /v1/files/{id}/content", func(w http.ResponseWriter, r *http.Request) { serveContent(w, r, d) })
	documentFileOperations(api, d)
}

type uploadHandler struct{ d Deps }

func (h *uploadHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	max := h.d.Files.MaxBytes()
	// A declared length over the limit is refused before a byte is read. The multipart envelope
	// and base64 add overhead, so the body may be somewhat larger than the file.
	bodyLimit := max*4/3 + 64<<10
	if r.ContentLength > bodyLimit {
		writeProblem(w, r, h.d.Log, fmt.Errorf("the upload is over the %d-byte limit: %w", max, kyc.ErrTooLarge))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, bodyLimit)
	p := principal(ctx)
	applicantID, tag, sp, err := h.read(r)
	if err == nil {
		var f kyc.File
		f, err = h.d.Files.Create(ctx, p.Actor(), p.Env, applicantID, tag, sp)
		if err == nil {
			w.Header().Set("Location", "/v1/files/"+f.ID)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(f)
			return
		}
	} else if sp != nil {
		_ = sp.Remove()
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = fmt.Errorf("the upload is over the %d-byte limit: %w", max, kyc.ErrTooLarge)
	}
	if errors.Is(err, kyc.ErrTooLarge) {
		w.Header().Set("Connection", "close") // do not read the rest of the body
	}
	writeProblem(w, r, h.d.Log, err)
}

// read takes the applicant id, the tag and the file from a multipart form or a JSON body.
func (h *uploadHandler) read(r *http.Request) (applicantID, tag string, sp *media.Spooled, err error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		return h.readMultipart(r, params["boundary"])
	case "application/json":
		return h.readJSON(r)
	}
	return "", "", nil, kyc.Invalid("header.Content-Type", "must be multipart/form-data (fields file, applicantId, tag) or application/json (applicantId, tag, data)")
}

func (h *uploadHandler) readMultipart(r *http.Request, boundary string) (applicantID, tag string, sp *media.Spooled, err error) {
	if boundary == "" {
		return "", "", nil, kyc.Invalid("header.Content-Type", "the multipart boundary is missing")
	}
	mr := multipart.NewReader(bufio.NewReaderSize(r.Body, 64<<10), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", "", sp, bodyError(err)
		}
		switch part.FormName() {
		case "file":
			if sp != nil {
				return "", "", sp, kyc.Invalid("body.file", "send one file per request")
			}
			if sp, err = h.d.Files.Spool(part); err != nil {
				return "", "", nil, bodyError(err)
			}
		case "applicantId":
			applicantID, err = smallField(part)
		case "tag":
			tag, err = smallField(part)
		default:
			err = kyc.Invalid("body."+part.FormName(), "unknown field; the fields are file, applicantId and tag")
		}
		if err != nil {
			return "", "", sp, err
		}
	}
	if sp == nil {
		return "", "", nil, kyc.Invalid("body.file", "a file is required")
	}
	return applicantID, tag, sp, nil
}

func smallField(part *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, 257))
	if err != nil {
		return "", bodyError(err)
	}
	if len(b) > 256 {
		return "", kyc.Invalid("body."+part.FormName(), "is too long")
	}
	return strings.TrimSpace(string(b)), nil
}

func (h *uploadHandler) readJSON(r *http.Request) (applicantID, tag string, sp *media.Spooled, err error) {
	var in fileJSON
	if err := strictjson.DecodeKnown(r.Body, &in); err != nil {
		return "", "", nil, err
	}
	payload, ok := dataURLPayload(in.Data)
	if !ok {
		return "", "", nil, kyc.Invalid("body.data", "must be a base64 data URL: data:<type>;base64,<bytes>")
	}
	sp, err = h.d.Files.Spool(base64.NewDecoder(base64.StdEncoding, strings.NewReader(payload)))
	if err != nil {
		var ce base64.CorruptInputError
		if errors.As(err, &ce) {
			return "", "", nil, kyc.Invalid("body.data", "the base64 is not valid")
		}
		return "", "", nil, err
	}
	return in.ApplicantID, in.Tag, sp, nil
}

// dataURLPayload returns the base64 part of "data:<mediatype>;base64,<payload>". The declared media
// type is ignored: the type is sniffed from the bytes.
func dataURLPayload(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "data:")
	if !ok {
		return "", false
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return "", false
	}
	return payload, true
}

// bodyError turns a failure while reading the body into a domain error.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, kyc.ErrTooLarge) {
		return fmt.Errorf("the upload is over the limit: %w", kyc.ErrTooLarge)
	}
	var ve *kyc.ValidationError
	if errors.As(err, &ve) || errors.Is(err, kyc.ErrUnsupportedMedia) {
		return err
	}
	return kyc.Invalid("body", "the multipart body is malformed: %v", err)
}

func serveContent(w http.ResponseWriter, r *http.Request, d Deps) {
	f, rc, err := d.Files.Open(r.Context(), principal(r.Context()).Env, r.PathValue("id"))
	if err != nil {
		writeProblem(w, r, d.Log, err)
		return
	}
	defer rc.Close()
	if err := logReads(r.Context(), d, "file.read-content", "file", f.ID); err != nil {
		writeProblem(w, r, d.Log, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.MIME)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("Content-Disposition", "attachment; filename=\""+f.ID+"\"")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Digest", "sha-256="+f.SHA256)
	if _, err := io.Copy(w, rc); err != nil {
		// Headers are gone; the truncated body (Content-Length) tells the client it failed.
		d.Log.ErrorContext(r.Context(), "file content", "file_id", f.ID, "err", err)
	}
}

// documentFileOperations adds the two streaming operations to the OpenAPI document.
func documentFileOperations(api huma.API, d Deps) {
	reg := api.OpenAPI().Components.Schemas
	fileSchema := reg.Schema(reflect.TypeOf(kyc.File{}), true, "File")
	jsonSchema := reg.Schema(reflect.TypeOf(fileJSON{}), true, "FileUploadJSON")
	errSchema := reg.Schema(reflect.TypeOf(huma.ErrorModel{}), true, "ErrorModel")
	problemResp := func(desc string) *huma.Response {
		return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{"application/problem+json": {Schema: errSchema}}}
	}
	max := d.Files.MaxBytes()
	api.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "uploadFile", Method: http.MethodPost, Path: "/v1/files", Tags: []string{"Files"},
		Summary: "Upload a file (image or PDF)",
		Description: fmt.Sprintf("multipart/form-data with fields file, applicantId and tag, or JSON with a data URL. The type is sniffed from the bytes: "+
			"JPEG, PNG, WebP, HEIC and PDF are accepted (415 otherwise). Files over %d bytes get 413 without the rest being read; images over 50 megapixels "+
			"are refused from their header; damaged or truncated files get 422. The bytes are sealed (AES-256-GCM) before they are stored.", max),
		Parameters: []*huma.Param{{Name: "Idempotency-Key", In: "header", Schema: &huma.Schema{Type: "string", MaxLength: ptr(255)}}},
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"multipart/form-data": {Schema: &huma.Schema{Type: "object", Required: []string{"file", "applicantId"}, Properties: map[string]*huma.Schema{
				"file":        {Type: "string", ContentEncoding: "binary"},
				"applicantId": {Type: "string"},
				"tag":         {Type: "string", Enum: []any{"id-front", "id-back", "face-proof", "address-proof", "other"}},
			}}},
			"application/json": {Schema: jsonSchema},
		}},
		Responses: map[string]*huma.Response{
			"201": {Description: "Stored", Content: map[string]*huma.MediaType{"application/json": {Schema: fileSchema}}},
			"401": problemResp("Unauthorized"), "413": problemResp("Too large"), "415": problemResp("Unsupported type"),
			"422": problemResp("Invalid"),
		},
	})
	api.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "getFileContent", Method: http.MethodGet, Path: "/v1/files/{id}/content", Tags: []string{"Files"},
		Summary:    "Download a file's bytes",
		Parameters: []*huma.Param{{Name: "id", In: "path", Required: true, Schema: &huma.Schema{Type: "string"}}},
		Responses: map[string]*huma.Response{
			"200": {Description: "The bytes, with the sniffed Content-Type", Content: map[string]*huma.MediaType{"application/octet-stream": {Schema: &huma.Schema{Type: "string", ContentEncoding: "binary"}}}},
			"401": problemResp("Unauthorized"), "404": problemResp("Not found"),
		},
	})
}

// readFile returns the bytes of a file of env, decrypted.
func readFile(ctx context.Context, d Deps, env kyc.Env, id string) ([]byte, error) {
	f, rc, err := d.Files.Open(ctx, env, id)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, f.Size+1))
	if err != nil {
		return nil, fmt.Errorf("read file %s: %w", f.ID, err)
	}
	return b, nil
}

func ptr[T any](v T) *T { return &v }
