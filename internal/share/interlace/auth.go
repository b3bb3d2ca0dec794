package interlace

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// tokens holds the access token and gets a new one (authorize code, then access-token) when it is
// missing or within refreshBefore of its expiry.
type tokens struct {
	mu      sync.Mutex
	token   string
	expires time.Time
	// Authorizations counts how many tokens were obtained (tests).
	authorizations int
}

// refreshMargin is how long before expiry a token is replaced: a fifth of its life, at most 5
// minutes, so a token is never used in its last moments.
func refreshMargin(life time.Duration) time.Duration { return min(life/5, 5*time.Minute) }

func (c *Connector) accessToken(ctx context.Context) (string, error) {
	c.tok.mu.Lock()
	defer c.tok.mu.Unlock()
	if c.tok.token != "" && time.Now().Before(c.tok.expires) {
		return c.tok.token, nil
	}
	var code json.RawMessage
	if err := c.call(ctx, http.MethodGet, "/open-api/oauth/authorize?clientId="+url.QueryEscape(c.cfg.ClientID), nil, "", false, &code); err != nil {
		return "", fmt.Errorf("interlace authorize: %w", err)
	}
	var codeStr string
	if json.Unmarshal(code, &codeStr) != nil {
		var obj struct {
			Code string `json:"code"`
		}
		_ = json.Unmarshal(code, &obj)
		codeStr = obj.Code
	}
	body, _ := json.Marshal(map[string]string{"clientId": c.cfg.ClientID, "clientSecret": c.cfg.ClientSecret, "code": codeStr})
	var tok struct {
		AccessToken string `json:"accessToken"`
		ExpiresIn   int64  `json:"expiresIn"`
	}
	if err := c.call(ctx, http.MethodPost, "/open-api/oauth/access-token", body, "application/json", false, &tok); err != nil {
		return "", fmt.Errorf("interlace access token: %w", err)
	}
	life := time.Duration(tok.ExpiresIn) * time.Second
	if life <= 0 {
		life = 24 * time.Hour
	}
	c.tok.token, c.tok.expires = tok.AccessToken, time.Now().Add(life-refreshMargin(life))
	c.tok.authorizations++
	return c.tok.token, nil
}

// forget drops a token the partner refused, so the next call gets a new one.
func (c *Connector) forget(token string) {
	c.tok.mu.Lock()
	defer c.tok.mu.Unlock()
	if c.tok.token == token {
		c.tok.token = ""
	}
}

// Authorizations reports how many access tokens the connector has obtained.
func (c *Connector) Authorizations() int {
	c.tok.mu.Lock()
	defer c.tok.mu.Unlock()
	return c.tok.authorizations
}
