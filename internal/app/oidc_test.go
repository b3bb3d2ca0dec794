package app

import (
	"strings"
	"testing"
)

// TestOIDCConfig: half a configuration of single sign-on stops kycd at start, naming what is
// missing; none, or a whole one, starts.
func TestOIDCConfig(t *testing.T) {
	t.Parallel()
	whole := OIDCConfig{Issuer: "https://id.example.com", ClientID: "kycd", ClientSecret: "s", RoleMap: "kyc-team=reviewer, kyc-admins=admin"}
	for _, c := range []struct {
		name string
		cfg  func(*OIDCConfig)
		want string // "" for no error
	}{
		{"whole", func(*OIDCConfig) {}, ""},
		{"off", func(o *OIDCConfig) { *o = OIDCConfig{} }, ""},
		{"no client id", func(o *OIDCConfig) { o.ClientID = "" }, "KYCD_OIDC_CLIENT_ID"},
		{"no secret", func(o *OIDCConfig) { o.ClientSecret = "" }, "KYCD_OIDC_CLIENT_SECRET"},
		{"neither", func(o *OIDCConfig) { o.ClientID, o.ClientSecret = "", "" }, "KYCD_OIDC_CLIENT_ID and KYCD_OIDC_CLIENT_SECRET"},
		{"no issuer", func(o *OIDCConfig) { o.Issuer = "" }, "KYCD_OIDC_ISSUER is empty"},
		{"issuer not a URL", func(o *OIDCConfig) { o.Issuer = "id.example.com" }, "not an http(s) URL"},
		{"bad role", func(o *OIDCConfig) { o.RoleMap = "kyc-team=boss" }, "KYCD_OIDC_ROLE_MAP"},
		{"no equals", func(o *OIDCConfig) { o.RoleMap = "kyc-team" }, "KYCD_OIDC_ROLE_MAP"},
	} {
		o := whole
		c.cfg(&o)
		err := o.validate()
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
