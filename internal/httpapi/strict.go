package httpapi

import (
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/strictjson"
)

// strictJSON is the /v1 API's JSON format: answers are written as huma writes them, and request
// bodies are read by internal/strictjson, which refuses invalid UTF-8, duplicate and case-folded
// member names and control characters. huma parses a body before validating it against the
// schema, so a refused body is a 400 whose errors[] names the field (see relocate).
var strictJSON = huma.Format{
	Marshal:   huma.DefaultJSONFormat.Marshal,
	Unmarshal: strictjson.Unmarshal,
}

// strictFormats replaces huma's default formats.
var strictFormats = map[string]huma.Format{
	"application/json": strictJSON,
	"json":             strictJSON,
}

// invalidPrefix starts the text of a *kyc.ValidationError.
const invalidPrefix = "invalid input: "

// relocate moves a strict-decoding refusal, which huma reports at "body" with the error's text as
// the message, to the field that the error names.
func relocate(d *huma.ErrorDetail) {
	if d.Location != "body" || !strings.HasPrefix(d.Message, invalidPrefix) {
		return
	}
	field, msg, ok := strings.Cut(strings.TrimPrefix(d.Message, invalidPrefix), ": ")
	if ok && strings.HasPrefix(field, strictjson.Root) {
		d.Location, d.Message = field, msg
	}
}
