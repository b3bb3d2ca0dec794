package blob

import (
	"errors"
	"fmt"
	"strings"
)

// maxKeyLen keeps keys well below S3's limit of 1024 bytes and most file systems' path limits.
const maxKeyLen = 512

// checkKey accepts keys that mean the same object on every backend: segments of [A-Za-z0-9_.-]
// joined by "/", none empty or ".", no "..", not ending in ".attrs" (reserved by the file backend).
func checkKey(key string) error {
	if err := keyProblem(key); err != nil {
		return fmt.Errorf("blob: invalid key %q: %w", key, err)
	}
	return nil
}

func keyProblem(key string) error {
	switch {
	case key == "":
		return errors.New("empty")
	case len(key) > maxKeyLen:
		return fmt.Errorf("longer than %d bytes", maxKeyLen)
	case strings.Contains(key, ".."):
		return errors.New(`contains ".."`)
	case strings.HasPrefix(key, "/"):
		return errors.New(`starts with "/"`)
	case strings.HasSuffix(key, ".attrs"):
		return errors.New(`ends with ".attrs"`)
	}
	for _, c := range []byte(key) {
		if !keyChar(c) {
			return fmt.Errorf("contains %q: only A-Z a-z 0-9 _ . / - are allowed", c)
		}
	}
	for segment := range strings.SplitSeq(key, "/") {
		if segment == "" || segment == "." {
			return fmt.Errorf(`has an empty or "." path segment`)
		}
	}
	return nil
}

func keyChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '.' || c == '/' || c == '-'
}
