package store

import (
	"encoding/json"
	"fmt"
)

// sealJSON marshals v and seals it, bound to aad (the table and row id).
func (s *Store) sealJSON(v any, aad string) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return s.sealer.Seal(b, []byte(aad))
}

// openJSON opens a sealed column and unmarshals it into v.
func (s *Store) openJSON(sealed []byte, aad string, v any) error {
	b, err := s.sealer.Open(sealed, []byte(aad))
	if err != nil {
		return fmt.Errorf("open sealed %s: %w", aad, err)
	}
	return json.Unmarshal(b, v)
}
