package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/auth"
	"kycd/internal/kyc"
)

// Keys is what the API needs of the API keys: checking them, and managing them on /v1/api-keys.
// *auth.Keys satisfies it.
type Keys interface {
	auth.KeyStore
	List(ctx context.Context, env kyc.Env) ([]auth.Key, error)
	RevokeWithin(ctx context.Context, env kyc.Env, id string, actor kyc.Actor, within []string) error
}

var _ Keys = (*auth.Keys)(nil)

// apiKey is an API key as /v1/api-keys shows it: never its secret, nor the secret's hash.
type apiKey struct {
	ID           string     `json:"id" example:"key_01JC4QJ1Z8Y9X7W6V5T4S3R2Q1"`
	Name         string     `json:"name"`
	Environment  kyc.Env    `json:"environment" enum:"test,live"`
	Scopes       []string   `json:"scopes" doc:"What the key may do: read, write, <resource>:read, <resource>:write"`
	EndsWith     string     `json:"endsWith" doc:"The secret's last four characters, to recognise it"`
	CreatedTime  time.Time  `json:"createdTime"`
	LastUsedTime *time.Time `json:"lastUsedTime,omitempty" doc:"When the key last authenticated a request, to the minute"`
	RevokedTime  *time.Time `json:"revokedTime,omitempty"`
}

func keyOut(k auth.Key) apiKey {
	return apiKey{ID: k.ID, Name: k.Name, Environment: k.Env, Scopes: k.Scopes, EndsWith: k.Hint, CreatedTime: k.CreatedAt.UTC(),
		LastUsedTime: k.LastUsedAt, RevokedTime: k.RevokedAt}
}

type apiKeyInput struct {
	Name   string   `json:"name" minLength:"1" maxLength:"100"`
	Scopes []string `json:"scopes,omitempty" maxItems:"20" doc:"Default [read, write]. No more than the calling key's own scopes"`
}

type createdAPIKey struct {
	apiKey
	Secret string `json:"secret" doc:"The key itself, shown only in this answer: kycd keeps only its hash"`
}

func registerAPIKeys(api huma.API, d Deps) {
	const tag = "API keys"
	huma.Register(api, op("listApiKeys", http.MethodGet, "/v1/api-keys", "List the environment's API keys, newest first", tag, http.StatusOK),
		func(ctx context.Context, _ *struct{}) (*struct {
			Body struct {
				Items []apiKey `json:"items"`
			}
		}, error) {
			keys, err := d.Keys.List(ctx, principal(ctx).Env)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			out := &struct {
				Body struct {
					Items []apiKey `json:"items"`
				}
			}{}
			out.Body.Items = make([]apiKey, 0, len(keys))
			for _, k := range keys {
				out.Body.Items = append(out.Body.Items, keyOut(k))
			}
			return out, nil
		})
	create := op("createApiKey", http.MethodPost, "/v1/api-keys", "Create an API key in the caller's environment", tag, http.StatusCreated, 403, 422)
	create.Description = "The answer holds the secret, once. A key cannot create a key that may do more than itself (403)."
	huma.Register(api, create, func(ctx context.Context, in *struct {
		IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
		Body           apiKeyInput
	}) (*struct{ Body createdAPIKey }, error) {
		p := principal(ctx)
		scopes := in.Body.Scopes
		if len(scopes) == 0 {
			scopes = auth.DefaultScopes
		}
		parsed, err := auth.ParseScopes(scopes)
		if err != nil {
			return nil, problem(ctx, d.Log, inBody(err))
		}
		if !auth.Covers(p.Scopes, parsed) {
			return nil, problem(ctx, d.Log, fmt.Errorf("a key cannot create a key with scopes beyond its own (%s): %w", strings.Join(p.Scopes, " "), kyc.ErrForbidden))
		}
		secret, k, err := auth.NewAPIKey(ctx, d.Keys, p.Env, in.Body.Name, p.Actor(), parsed...)
		if err != nil {
			return nil, problem(ctx, d.Log, inBody(err))
		}
		return &struct{ Body createdAPIKey }{createdAPIKey{apiKey: keyOut(k), Secret: secret}}, nil
	})
	revoke := op("revokeApiKey", http.MethodDelete, "/v1/api-keys/{id}", "Revoke an API key", tag, http.StatusNoContent, 403, 404, 409)
	revoke.Description = "From the answer on, the key authenticates nothing, on every replica (each request reads its key). " +
		"A key with scopes beyond the calling key's own is refused (403), as creating one is."
	huma.Register(api, revoke, func(ctx context.Context, in *idIn) (*struct{}, error) {
		p := principal(ctx)
		within := append([]string{}, p.Scopes...) // never nil: nil would allow any key
		if err := d.Keys.RevokeWithin(ctx, p.Env, in.ID, p.Actor(), within); err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		return nil, nil
	})
}

// inBody names the fields of a validation error as the request body's ("name" becomes
// "body.name"); other errors pass as they are.
func inBody(err error) error {
	var ve *kyc.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var p kyc.Problems
	for _, f := range ve.Fields {
		p.Add("body."+f.Field, "%s", f.Message)
	}
	return p.Err()
}
