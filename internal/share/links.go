package share

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kycd/internal/kyc"
)

// Links signs expiring kycd URLs to shared files, for partners that fetch documents by URL
// (Saintpay's frontFileUrl, backFileUrl, selfieFileUrl). A link names one file of one environment
// and an expiry, with an HMAC-SHA256 under a key derived from the master key; it needs no API key.
type Links struct {
	key  []byte
	base string
	ttl  time.Duration
}

// LinkPath is where signed file links are served: LinkPath + token.
const LinkPath = "/v1/share-files/"

// NewLinks returns links under base (kycd's public URL) valid for ttl (default 7 days: long
// enough for a partner's manual review).
func NewLinks(key []byte, base string, ttl time.Duration) *Links {
	if ttl <= 0 {
		ttl = 7 * 24 * time.Hour
	}
	return &Links{key: key, base: strings.TrimSuffix(base, "/"), ttl: ttl}
}

// URL is a signed link to file id of env.
func (l *Links) URL(env kyc.Env, id string) string {
	if l == nil {
		return ""
	}
	exp := strconv.FormatInt(time.Now().Add(l.ttl).Unix(), 10)
	payload := string(env) + "." + id + "." + exp
	return l.base + LinkPath + payload + "." + l.mac(payload)
}

func (l *Links) mac(payload string) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte("share-file:" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify reads a link's token: the environment and file id it names, if its signature holds and
// it has not expired (kyc.ErrNotFound otherwise, so a bad link says nothing).
func (l *Links) Verify(token string) (kyc.Env, string, error) {
	parts := strings.Split(token, ".")
	if l == nil || len(parts) != 4 {
		return "", "", fmt.Errorf("file link: %w", kyc.ErrNotFound)
	}
	payload := strings.Join(parts[:3], ".")
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || !hmac.Equal([]byte(parts[3]), []byte(l.mac(payload))) || time.Now().Unix() >= exp || !kyc.Env(parts[0]).Valid() {
		return "", "", fmt.Errorf("file link: %w", kyc.ErrNotFound)
	}
	return kyc.Env(parts[0]), parts[1], nil
}
