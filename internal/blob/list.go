package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gocloud.dev/blob"
)

// Walk calls fn with the key of every object under prefix last written before before, in key
// order, and stops at fn's first error.
func (s *Store) Walk(ctx context.Context, prefix string, before time.Time, fn func(key string) error) error {
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("blob: list %s: %w", prefix, err)
		}
		if obj.IsDir || !obj.ModTime.Before(before) {
			continue
		}
		if err := fn(obj.Key); err != nil {
			return err
		}
	}
}
