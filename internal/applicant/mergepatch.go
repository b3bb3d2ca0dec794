package applicant

import (
	"encoding/json"

	"kycd/internal/kyc"
	"kycd/internal/strictjson"
)

// mergePatch applies a JSON merge patch (RFC 7396) to doc.
func mergePatch(doc, patch []byte) ([]byte, error) {
	var p any
	if err := strictjson.Unmarshal(patch, &p); err != nil {
		return nil, err
	}
	if _, ok := p.(map[string]any); !ok {
		return nil, kyc.Invalid("body", "a merge patch must be a JSON object")
	}
	var d any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	return json.Marshal(merge(d, p))
}

func merge(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = merge(tm[k], v)
	}
	return tm
}
