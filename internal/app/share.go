package app

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"kycd/internal/kyc"
	"kycd/internal/seal"
	"kycd/internal/share"
	"kycd/internal/share/alchemypay"
	"kycd/internal/share/interlace"
	"kycd/internal/share/saintpay"
	"kycd/internal/store"
)

// ShareConfig configures sharing approved KYC with partners. A partner is enabled when its URL is
// set; its credentials are then required. Secrets are never logged.
type ShareConfig struct {
	// Share holds the retry schedule, polling, callback limits and automatic sharing (see
	// share.Config); CallbackBase defaults to Config.PublicURL.
	share.Config
	// PartnerSettings are the live settings (KYCD_SHARE_<PARTNER>_*): live shares only use them.
	PartnerSettings
	// Test are the sandbox settings (KYCD_SHARE_<PARTNER>_TEST_*), used for test-environment
	// shares only. A partner without them refuses test shares: test data never goes out with
	// live credentials.
	Test PartnerSettings
}

// PartnerSettings reach the partners in one environment.
type PartnerSettings struct {
	// InterlaceURL, InterlaceClientID and InterlaceClientSecret reach Interlace.
	InterlaceURL, InterlaceClientID, InterlaceClientSecret string
	// AlchemyPayURL, AlchemyPayAppKey and AlchemyPaySecret reach Alchemy Pay's KYC Sharing API.
	AlchemyPayURL, AlchemyPayAppKey, AlchemyPaySecret string
	// SaintpayURL and SaintpayAppID reach Saintpay; SaintpayPrivateKeyFile (PEM, RSA) signs
	// requests and SaintpayPlatformPublicKeyFile (PEM) verifies callbacks.
	SaintpayURL, SaintpayAppID, SaintpayPrivateKeyFile, SaintpayPlatformPublicKeyFile string
}

// secret reads a credential: a value starting with @ names a file holding it.
func secret(v string) (string, error) {
	path, ok := strings.CutPrefix(v, "@")
	if !ok {
		return v, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("credential file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// partners builds the connectors of each environment's configured partners. Sandbox settings
// that are the live ones (the same URL and account) are refused: they would send test data, and
// forced unapproved test shares, to the live partner.
func (c ShareConfig) partners(log *slog.Logger) (share.Partners, error) {
	live, err := c.PartnerSettings.connectors("", log)
	if err != nil {
		return nil, err
	}
	testLog := log
	if log != nil {
		testLog = log.With("env", "test")
	}
	test, err := c.Test.connectors("TEST_", testLog)
	if err != nil {
		return nil, err
	}
	l, t := c.PartnerSettings, c.Test
	for _, same := range []struct {
		partner string
		is      bool
	}{
		{"INTERLACE", l.InterlaceURL != "" && l.InterlaceURL == t.InterlaceURL && l.InterlaceClientID == t.InterlaceClientID},
		{"ALCHEMYPAY", l.AlchemyPayURL != "" && l.AlchemyPayURL == t.AlchemyPayURL && l.AlchemyPayAppKey == t.AlchemyPayAppKey},
		{"SAINTPAY", l.SaintpayURL != "" && l.SaintpayURL == t.SaintpayURL && l.SaintpayAppID == t.SaintpayAppID},
	} {
		if same.is {
			return nil, fmt.Errorf("share: KYCD_SHARE_%s_TEST_* are the live settings; the test environment must use the partner's sandbox, or none", same.partner)
		}
	}
	for _, p := range c.Auto {
		if p == "interlace" {
			return nil, fmt.Errorf("share: Interlace cannot be shared with automatically: each share names its Interlace account (options.accountId)")
		}
		found := false
		for _, conn := range live {
			found = found || conn.Partner() == p
		}
		for _, conn := range test {
			found = found || c.AutoTest && conn.Partner() == p
		}
		if !found {
			return nil, fmt.Errorf("share: automatic sharing with %q, which is not configured", p)
		}
	}
	return share.Partners{kyc.EnvLive: live, kyc.EnvTest: test}, nil
}

// connectors builds the connectors of the partners configured in c, whose variables are named
// KYCD_SHARE_<PARTNER>_<infix><NAME>.
func (c PartnerSettings) connectors(infix string, log *slog.Logger) ([]share.Connector, error) {
	var out []share.Connector
	need := func(partner string, vals map[string]string) error {
		for name, v := range vals {
			if v == "" {
				return fmt.Errorf("share %s: %s is required when its URL is set", partner, name)
			}
		}
		return nil
	}
	if c.InterlaceURL != "" {
		id, sec := c.InterlaceClientID, c.InterlaceClientSecret
		var err error
		if sec, err = secret(sec); err != nil {
			return nil, fmt.Errorf("share interlace: %w", err)
		}
		if err := need("interlace", map[string]string{"KYCD_SHARE_INTERLACE_" + infix + "CLIENT_ID": id, "KYCD_SHARE_INTERLACE_" + infix + "CLIENT_SECRET": sec}); err != nil {
			return nil, err
		}
		out = append(out, interlace.New(interlace.Config{URL: c.InterlaceURL, ClientID: id, ClientSecret: sec}, log))
	}
	if c.AlchemyPayURL != "" {
		sec, err := secret(c.AlchemyPaySecret)
		if err != nil {
			return nil, fmt.Errorf("share alchemypay: %w", err)
		}
		if err := need("alchemypay", map[string]string{"KYCD_SHARE_ALCHEMYPAY_" + infix + "APP_KEY": c.AlchemyPayAppKey, "KYCD_SHARE_ALCHEMYPAY_" + infix + "SECRET": sec}); err != nil {
			return nil, err
		}
		out = append(out, alchemypay.New(alchemypay.Config{URL: c.AlchemyPayURL, AppKey: c.AlchemyPayAppKey, Secret: sec}, log))
	}
	if c.SaintpayURL != "" {
		if err := need("saintpay", map[string]string{"KYCD_SHARE_SAINTPAY_" + infix + "APP_ID": c.SaintpayAppID, "KYCD_SHARE_SAINTPAY_" + infix + "PRIVATE_KEY_FILE": c.SaintpayPrivateKeyFile,
			"KYCD_SHARE_SAINTPAY_" + infix + "PLATFORM_PUBLIC_KEY_FILE": c.SaintpayPlatformPublicKeyFile}); err != nil {
			return nil, err
		}
		priv, err := saintpay.LoadPrivateKey(c.SaintpayPrivateKeyFile)
		if err != nil {
			return nil, err
		}
		pub, err := saintpay.LoadPublicKey(c.SaintpayPlatformPublicKeyFile)
		if err != nil {
			return nil, err
		}
		out = append(out, saintpay.New(saintpay.Config{URL: c.SaintpayURL, AppID: c.SaintpayAppID, PrivateKey: priv, PlatformPublicKey: pub}, log))
	}
	return out, nil
}

// newShares builds the share service on st and files for cfg.
func newShares(cfg Config, st *store.Store, files share.Files, sealer *seal.Sealer, log *slog.Logger) (*share.Service, error) {
	partners, err := cfg.Shares.partners(log)
	if err != nil {
		return nil, err
	}
	sc := cfg.Shares.Config
	if sc.CallbackBase == "" {
		sc.CallbackBase = strings.TrimSuffix(cfg.PublicURL, "/")
	}
	links := share.NewLinks(sealer.Derive("share-file-links"), sc.CallbackBase, 0)
	return share.NewService(st, files, links, sc, log, partners), nil
}
