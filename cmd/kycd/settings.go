package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"kycd/internal/app"
	"kycd/internal/review"
	"kycd/internal/screening"
	"kycd/internal/webhook"
)

// setting is one configuration value: its flag, its environment variable, its default and what
// it does. The table below is the single list that --help and the README show.
type setting struct {
	flag, env, def, doc string
	set                 func(c *app.Config, v string) error
}

var logLevel = "info"

var settings = []setting{
	{"addr", "KYCD_ADDR", "127.0.0.1:8080", "address the HTTP server listens on",
		func(c *app.Config, v string) error { c.Addr = v; return nil }},
	{"data-dir", "KYCD_DATA_DIR", "./data", "folder for the SQLite database, local blobs, upload spool and master key file",
		func(c *app.Config, v string) error { c.DataDir = v; return nil }},
	{"database-url", "KYCD_DATABASE_URL", "<data-dir>/kycd.db", "postgres://user:pass@host/db for PostgreSQL, or a SQLite file path",
		func(c *app.Config, v string) error { c.DatabaseURL = v; return nil }},
	{"blob-url", "KYCD_BLOB_URL", "file://<data-dir>/blobs", "where document bytes go: file:///path or s3://bucket?endpoint=...&region=...&use_path_style=true",
		func(c *app.Config, v string) error { c.BlobURL = v; return nil }},
	{"master-key", "KYCD_MASTER_KEY", "<data-dir>/master.key", "32-byte key (base64 or hex) wrapping the keys that seal document bytes and personal data; prefer the env variable to the flag",
		func(c *app.Config, v string) error { c.MasterKey = v; return nil }},
	{"master-key-previous", "KYCD_MASTER_KEY_PREVIOUS", "", "while a master key rotation runs (kycd keys rotate): the old master key, which still opens data keys wrapped under it; new ones are wrapped under KYCD_MASTER_KEY only",
		func(c *app.Config, v string) error { c.MasterKeyPrevious = v; return nil }},
	{"public-url", "KYCD_PUBLIC_URL", "http://<addr>", "base URL of links given to end users (the hosted gatherer page)",
		func(c *app.Config, v string) error { c.PublicURL = v; return nil }},
	{"max-upload-bytes", "KYCD_MAX_UPLOAD_BYTES", "10485760", "largest file accepted (413 above it)",
		func(c *app.Config, v string) error { return parseInt(v, &c.MaxUploadBytes) }},
	{"max-image-pixels", "KYCD_MAX_IMAGE_PIXELS", "50000000", "largest image accepted, read from its header before decoding",
		func(c *app.Config, v string) error { return parseInt(v, &c.MaxImagePixels) }},
	{"decode-memory-bytes", "KYCD_DECODE_MEMORY_BYTES", "268435456", "memory that decoding images may take at once across all verifications of this process (a decode waits for room; an image needing more alone fails its image-decodes check)",
		func(c *app.Config, v string) error { return parseInt(v, &c.DecodeMemoryBytes) }},
	{"console-idle-timeout", "KYCD_CONSOLE_IDLE_TIMEOUT", "30m", "a review console session unused this long ends",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Console.IdleTimeout) }},
	{"console-session-max", "KYCD_CONSOLE_SESSION_MAX", "12h", "a review console session ends this long after sign-in, used or not",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Console.MaxAge) }},
	{"oidc-issuer", "KYCD_OIDC_ISSUER", "(none: single sign-on off)", "OpenID Connect issuer URL of the review console's single sign-on; the redirect URL to register is <public-url>/console/oidc/callback",
		func(c *app.Config, v string) error { c.Console.OIDC.Issuer = v; return nil }},
	{"oidc-client-id", "KYCD_OIDC_CLIENT_ID", "(none)", "kycd's client id at the OpenID Connect provider (required with --oidc-issuer)",
		func(c *app.Config, v string) error { c.Console.OIDC.ClientID = v; return nil }},
	{"oidc-client-secret", "KYCD_OIDC_CLIENT_SECRET", "(none)", "kycd's client secret at the OpenID Connect provider (required with --oidc-issuer); prefer the env variable to the flag",
		func(c *app.Config, v string) error { c.Console.OIDC.ClientSecret = v; return nil }},
	{"oidc-role-claim", "KYCD_OIDC_ROLE_CLAIM", "kycd_role", "ID token claim giving a person's console role: a string, or a list whose highest role wins; a person without a role is refused",
		func(c *app.Config, v string) error { c.Console.OIDC.RoleClaim = v; return nil }},
	{"oidc-role-map", "KYCD_OIDC_ROLE_MAP", "(none: claim values are role names)", "maps role claim values to roles, such as kyc-admins=admin,kyc-team=reviewer; when set, only its values count",
		func(c *app.Config, v string) error { c.Console.OIDC.RoleMap = v; return nil }},
	{"review-sla", "KYCD_REVIEW_SLA", "24h", "how long a review case may wait before it is overdue: a duration, and level=duration for levels that differ (24h,L2=8h)",
		func(c *app.Config, v string) error {
			def, per, err := review.ParseSLA(v)
			c.Review.DefaultSLA, c.Review.SLA = def, per
			return err
		}},
	{"review-priority", "KYCD_REVIEW_PRIORITY", "(none: by reason)", "levels whose review cases come first in the review queue's most urgent first order: level=priority, 1 the most urgent (L2=1); a case takes the more urgent of its reason's (sanctions 1, duplicate-face 2, duplicate 3, document 4) and its level's",
		func(c *app.Config, v string) error {
			p, err := review.ParsePriority(v)
			c.Review.Priority = p
			return err
		}},
	{"review-claim", "KYCD_REVIEW_CLAIM", "30m", "how long a reviewer's claim of a review case holds before another may take it",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Review.ClaimFor) }},
	{"review-four-eyes", "KYCD_REVIEW_FOUR_EYES", "*", "levels (comma-separated, * for all, none for no level) whose rejections, overrides and confirmed sanctions matches need a second person with the approver role",
		func(c *app.Config, v string) error {
			c.Review.FourEyes = review.ParseFourEyes(v)
			if strings.TrimSpace(v) == "none" {
				c.Review.FourEyes = map[string]bool{}
			}
			return nil
		}},
	{"auth-failure-limit", "KYCD_AUTH_FAILURE_LIMIT", "20", "failed authentications (401, or 403 on a hosted-flow link) a client IP or an applicant token's subject may make per --auth-failure-window; past it its requests answer 429 with Retry-After",
		func(c *app.Config, v string) error {
			var n int64
			err := parseInt(v, &n)
			c.Limits.AuthFailures = int(n)
			return err
		}},
	{"auth-failure-window", "KYCD_AUTH_FAILURE_WINDOW", "1m", "the window of --auth-failure-limit",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Limits.AuthFailureWindow) }},
	{"max-inflight-per-ip", "KYCD_MAX_INFLIGHT_PER_IP", "64", "requests of one client IP served at once; one more answers 429",
		func(c *app.Config, v string) error {
			var n int64
			err := parseInt(v, &n)
			c.Limits.MaxInFlightPerIP = int(n)
			return err
		}},
	{"body-timeout", "KYCD_BODY_TIMEOUT", "20s", "how long a request that is not a file upload has to send its body (uploads get 5 minutes)",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Limits.BodyTimeout) }},
	{"client-ip-header", "KYCD_CLIENT_IP_HEADER", "(none: the connection's address)", "header a trusted reverse proxy sets to the client's address, e.g. X-Forwarded-For (its last entry is used); set it behind a load balancer, or all clients share its limits",
		func(c *app.Config, v string) error { c.Limits.ClientIPHeader = v; return nil }},
	{"job-workers", "KYCD_JOB_WORKERS", "10", "background jobs run at once by this process",
		func(c *app.Config, v string) error {
			var n int64
			err := parseInt(v, &n)
			c.JobWorkers = int(n)
			return err
		}},
	{"replicas", "KYCD_REPLICAS", "1", "how many kycd serve processes share the PostgreSQL database, this one included: serve refuses to start when their pools together (each: 20 for HTTP handlers + the job workers' connections + 5 for River, or pool_max_conns; + 1 each for the liveness lock; + 5 for administration; see README, Running in production) cannot fit in PostgreSQL's max_connections - superuser_reserved_connections",
		func(c *app.Config, v string) error {
			var n int64
			err := parseInt(v, &n)
			c.Replicas = int(n)
			return err
		}},
	{"levels-file", "KYCD_LEVELS_FILE", "(none: L0, L1, L2 built in)", "JSON file changing the verification levels or adding more; a bad file stops serve naming the line",
		func(c *app.Config, v string) error { c.LevelsFile = v; return nil }},
	{"shutdown-timeout", "KYCD_SHUTDOWN_TIMEOUT", "30s", "how long a stopping server waits for requests and jobs",
		func(c *app.Config, v string) error {
			d, err := time.ParseDuration(v)
			c.ShutdownTimeout = d
			return err
		}},
	{"blob-orphan-grace", "KYCD_BLOB_ORPHAN_GRACE", "1h", "how old a file's blob must be before the orphan sweep (hourly and at start) deletes it because no row names it; keep it above the longest upload (5m)",
		func(c *app.Config, v string) error { return parseDuration(v, &c.BlobOrphanGrace) }},
	{"log-level", "KYCD_LOG_LEVEL", "info", "debug, info, warn or error (logs never hold personal data)",
		func(_ *app.Config, v string) error { logLevel = v; return nil }},
	{"webhook-timeout", "KYCD_WEBHOOK_TIMEOUT", "15s", "how long one webhook attempt may take; anything but a 2xx within it is retried",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Webhooks.Timeout) }},
	{"webhook-retries", "KYCD_WEBHOOK_RETRIES", webhook.DefaultRetries.String(), "delays before each retry of a failed webhook delivery (±10% jitter); a delivery gets one attempt more than delays",
		func(c *app.Config, v string) error {
			s, err := webhook.ParseSchedule(v)
			c.Webhooks.Retries = s
			return err
		}},
	{"webhook-workers", "KYCD_WEBHOOK_WORKERS", "100", "webhook deliveries this process sends at once",
		func(c *app.Config, v string) error {
			var n int64
			err := parseInt(v, &n)
			c.Webhooks.Workers = int(n)
			return err
		}},
	{"webhook-disable-after", "KYCD_WEBHOOK_DISABLE_AFTER", "120h", "a webhook whose every delivery has failed for this long is disabled",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Webhooks.DisableAfter) }},
	{"erasure-delay", "KYCD_ERASURE_DELAY", "0s", "how long an erasure (DELETE /v1/applicants/{id}) waits, cancellable, before it destroys the applicant's data; 0 erases at once",
		func(c *app.Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("%q is not a duration of 0 or more, such as 0s or 72h", v)
			}
			c.ErasureDelay = d
			return nil
		}},
	{"webhook-retention", "KYCD_WEBHOOK_RETENTION", "720h", "how long a finished delivery (its sealed body and the receiver's answer) stays in the delivery log",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Webhooks.Retention) }},
	{"retention-images", "KYCD_RETENTION_IMAGES", "43800h", "how long document images (file bytes) are kept after the applicant's last activity (the latest update of the applicant, its documents, requests, screenings and shares, or upload of its files); then the daily retention job deletes them and their content answers 410, their metadata stays. 43800h is five years: Directive (EU) 2015/849 (4th AML directive), Article 40(1), keeps records and supporting evidence five years after the end of the business relationship",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Retention.Images) }},
	{"retention-personal-data", "KYCD_RETENTION_PERSONAL_DATA", "43800h", "how long an applicant's personal data is kept after its last activity; then the daily retention job erases the applicant (as DELETE /v1/applicants/{id} does, actor system:retention, with a signed receipt; an applicant under a legal hold is skipped and logged). Five years: Directive (EU) 2015/849, Article 40(1)",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Retention.PersonalData) }},
	{"retention-events", "KYCD_RETENTION_EVENTS", "43800h", "how long an event keeps its payload (the resource's sealed copy) after it happened; then the payload is removed and the event (type, ids, time) stays. Five years: Directive (EU) 2015/849, Article 40(1). Webhook deliveries' bodies go much sooner, with KYCD_WEBHOOK_RETENTION",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Retention.EventPayloads) }},
	{"retention-audit", "KYCD_RETENTION_AUDIT", "0", "how long a resource's audit trail is kept after its newest entry; then the daily retention job removes the whole trail and records the pruning, signed, in the log (kycd audit verify starts the chains from it). 0, the default, keeps audit entries for ever: the trail is what a regulator asks for, and it holds no personal data. Keep it no shorter than KYCD_RETENTION_PERSONAL_DATA",
		func(c *app.Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("%q is not a duration of 0 or more", v)
			}
			c.Retention.Audit = d
			return nil
		}},
	{"webhook-max-per-env", "KYCD_WEBHOOK_MAX_PER_ENV", "20", "most webhooks one environment (test or live) may have; one more answers 409 (every event is written with a delivery per webhook)",
		func(c *app.Config, v string) error {
			var n int64
			err := parseInt(v, &n)
			c.Webhooks.MaxPerEnv = int(n)
			return err
		}},
	{"webhook-allow-private", "KYCD_WEBHOOK_ALLOW_PRIVATE", "false", "true lets webhooks of both environments reach loopback, private and link-local addresses (development and tests only; by default webhooks reach public addresses only)",
		func(c *app.Config, v string) error {
			b, err := strconv.ParseBool(v)
			c.Webhooks.AllowPrivate = b
			return err
		}},
	{"sanctions-threshold", "KYCD_SANCTIONS_THRESHOLD", "0.85", "screening score (0 to 1) at and above which a hit is a potential match, in verification and POST /v1/screenings",
		func(c *app.Config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 || f > 1 {
				return fmt.Errorf("%q is not a number above 0 and at most 1", v)
			}
			c.Sanctions.Threshold = f
			return nil
		}},
	{"sanctions-ofac-urls", "KYCD_SANCTIONS_OFAC_URLS", screening.DefaultOFACURL, "comma-separated URL prefixes of OFAC list files fetched on the refresh schedule (sdn.csv, alt.csv, add.csv, sdn_comments.csv; cons_*.csv for a prefix containing \"cons\", e.g. https://www.treasury.gov/ofac/downloads/consolidated); set but empty fetches no OFAC list",
		func(c *app.Config, v string) error {
			for _, u := range strings.Split(v, ",") {
				if u = strings.TrimSpace(u); u != "" {
					c.Sanctions.OFACURLs = append(c.Sanctions.OFACURLs, u)
				}
			}
			return nil
		}},
	{"sanctions-un-url", "KYCD_SANCTIONS_UN_URL", screening.DefaultUNURL, "URL of the UN consolidated list XML fetched on the refresh schedule; set but empty fetches no UN list",
		func(c *app.Config, v string) error { c.Sanctions.UNURL = v; return nil }},
	{"sanctions-refresh", "KYCD_SANCTIONS_REFRESH", "24h", "how often the sanctions lists are fetched from their URLs (a River job: one replica fetches, every replica switches within a minute; the first fetch runs just after start, and a failed one keeps the lists in use); off or 0 turns refreshing off",
		func(c *app.Config, v string) error {
			if v == "off" || v == "0" {
				c.Sanctions.NoRefresh = true
				return nil
			}
			return parseDuration(v, &c.Sanctions.RefreshEvery)
		}},
	{"share-interlace-url", "KYCD_SHARE_INTERLACE_URL", "(none: Interlace off)", "Interlace API base URL; setting it enables sharing with Interlace",
		func(c *app.Config, v string) error { c.Shares.InterlaceURL = v; return nil }},
	{"share-interlace-client-id", "KYCD_SHARE_INTERLACE_CLIENT_ID", "(none)", "Interlace clientId",
		func(c *app.Config, v string) error { c.Shares.InterlaceClientID = v; return nil }},
	{"share-interlace-client-secret", "KYCD_SHARE_INTERLACE_CLIENT_SECRET", "(none)", "Interlace clientSecret, or @file holding it; prefer the env variable to the flag",
		func(c *app.Config, v string) error { c.Shares.InterlaceClientSecret = v; return nil }},
	{"share-alchemypay-url", "KYCD_SHARE_ALCHEMYPAY_URL", "(none: Alchemy Pay off)", "Alchemy Pay KYC Sharing API base URL; setting it enables sharing with Alchemy Pay",
		func(c *app.Config, v string) error { c.Shares.AlchemyPayURL = v; return nil }},
	{"share-alchemypay-app-key", "KYCD_SHARE_ALCHEMYPAY_APP_KEY", "(none)", "Alchemy Pay appKey (ach-access-key)",
		func(c *app.Config, v string) error { c.Shares.AlchemyPayAppKey = v; return nil }},
	{"share-alchemypay-secret", "KYCD_SHARE_ALCHEMYPAY_SECRET", "(none)", "Alchemy Pay secret signing requests, or @file holding it; prefer the env variable to the flag",
		func(c *app.Config, v string) error { c.Shares.AlchemyPaySecret = v; return nil }},
	{"share-saintpay-url", "KYCD_SHARE_SAINTPAY_URL", "(none: Saintpay off)", "Saintpay API base URL; setting it enables sharing with Saintpay",
		func(c *app.Config, v string) error { c.Shares.SaintpayURL = v; return nil }},
	{"share-saintpay-app-id", "KYCD_SHARE_SAINTPAY_APP_ID", "(none)", "Saintpay appId",
		func(c *app.Config, v string) error { c.Shares.SaintpayAppID = v; return nil }},
	{"share-saintpay-private-key-file", "KYCD_SHARE_SAINTPAY_PRIVATE_KEY_FILE", "(none)", "PEM file with the merchant's RSA private key signing Saintpay requests",
		func(c *app.Config, v string) error { c.Shares.SaintpayPrivateKeyFile = v; return nil }},
	{"share-saintpay-platform-public-key-file", "KYCD_SHARE_SAINTPAY_PLATFORM_PUBLIC_KEY_FILE", "(none)", "PEM file with Saintpay's public key verifying its callbacks",
		func(c *app.Config, v string) error { c.Shares.SaintpayPlatformPublicKeyFile = v; return nil }},
	{"share-interlace-test-url", "KYCD_SHARE_INTERLACE_TEST_URL", "(none: no Interlace sandbox)", "Interlace sandbox API base URL: test-environment shares go there (never with the live settings); without it test shares to Interlace are refused",
		func(c *app.Config, v string) error { c.Shares.Test.InterlaceURL = v; return nil }},
	{"share-interlace-test-client-id", "KYCD_SHARE_INTERLACE_TEST_CLIENT_ID", "(none)", "Interlace sandbox clientId",
		func(c *app.Config, v string) error { c.Shares.Test.InterlaceClientID = v; return nil }},
	{"share-interlace-test-client-secret", "KYCD_SHARE_INTERLACE_TEST_CLIENT_SECRET", "(none)", "Interlace sandbox clientSecret, or @file holding it",
		func(c *app.Config, v string) error { c.Shares.Test.InterlaceClientSecret = v; return nil }},
	{"share-alchemypay-test-url", "KYCD_SHARE_ALCHEMYPAY_TEST_URL", "(none: no Alchemy Pay sandbox)", "Alchemy Pay sandbox base URL: test-environment shares go there; without it test shares to Alchemy Pay are refused",
		func(c *app.Config, v string) error { c.Shares.Test.AlchemyPayURL = v; return nil }},
	{"share-alchemypay-test-app-key", "KYCD_SHARE_ALCHEMYPAY_TEST_APP_KEY", "(none)", "Alchemy Pay sandbox appKey",
		func(c *app.Config, v string) error { c.Shares.Test.AlchemyPayAppKey = v; return nil }},
	{"share-alchemypay-test-secret", "KYCD_SHARE_ALCHEMYPAY_TEST_SECRET", "(none)", "Alchemy Pay sandbox secret, or @file holding it",
		func(c *app.Config, v string) error { c.Shares.Test.AlchemyPaySecret = v; return nil }},
	{"share-saintpay-test-url", "KYCD_SHARE_SAINTPAY_TEST_URL", "(none: no Saintpay sandbox)", "Saintpay sandbox base URL: test-environment shares go there; without it test shares to Saintpay are refused",
		func(c *app.Config, v string) error { c.Shares.Test.SaintpayURL = v; return nil }},
	{"share-saintpay-test-app-id", "KYCD_SHARE_SAINTPAY_TEST_APP_ID", "(none)", "Saintpay sandbox appId",
		func(c *app.Config, v string) error { c.Shares.Test.SaintpayAppID = v; return nil }},
	{"share-saintpay-test-private-key-file", "KYCD_SHARE_SAINTPAY_TEST_PRIVATE_KEY_FILE", "(none)", "PEM file with the merchant's RSA private key for the Saintpay sandbox",
		func(c *app.Config, v string) error { c.Shares.Test.SaintpayPrivateKeyFile = v; return nil }},
	{"share-saintpay-test-platform-public-key-file", "KYCD_SHARE_SAINTPAY_TEST_PLATFORM_PUBLIC_KEY_FILE", "(none)", "PEM file with the Saintpay sandbox's public key",
		func(c *app.Config, v string) error { c.Shares.Test.SaintpayPlatformPublicKeyFile = v; return nil }},
	{"share-auto", "KYCD_SHARE_AUTO", "(none)", "comma-separated partners every live applicant is shared with when approved (interlace needs options, so alchemypay and saintpay)",
		func(c *app.Config, v string) error {
			for p := range strings.SplitSeq(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					c.Shares.Auto = append(c.Shares.Auto, p)
				}
			}
			return nil
		}},
	{"share-poll-interval", "KYCD_SHARE_POLL_INTERVAL", "10m", "how often a submitted share's status is asked of the partner until it is decided",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Shares.PollInterval) }},
	{"share-callback-replay-window", "KYCD_SHARE_CALLBACK_REPLAY_WINDOW", "720h", "how long a signed partner callback that was taken is remembered, so the same callback sent again changes nothing",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Shares.ReplayWindow) }},
	{"share-callback-max-age", "KYCD_SHARE_CALLBACK_MAX_AGE", "24h", "a partner callback whose own timestamp (Interlace's Timestamp header) is older than this is refused",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Shares.CallbackMaxAge) }},
	{"share-callback-confirm-interval", "KYCD_SHARE_CALLBACK_CONFIRM_INTERVAL", "30s", "an unsigned partner callback (Alchemy Pay) asks the partner about its share at most once per this interval; more are answered and dropped",
		func(c *app.Config, v string) error { return parseDuration(v, &c.Shares.ConfirmInterval) }},
}

// libraryEnv are the environment variables that the libraries kycd uses read themselves, not
// kycd: the AWS SDK's, for an s3:// KYCD_BLOB_URL, and OpenTelemetry's (README, Tracing; the
// exporter's and batching's finer ones are there). --help lists them after the settings.
var libraryEnv = []struct{ name, doc string }{
	{"AWS_ACCESS_KEY_ID", "the S3 access key id (for an s3:// blob URL)"},
	{"AWS_SECRET_ACCESS_KEY", "the S3 secret access key"},
	{"AWS_EC2_METADATA_DISABLED", "true outside AWS, or the AWS SDK asks an EC2 metadata address for credentials"},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "base URL of an OTLP/HTTP collector (http://host:4318); unset, tracing is off"},
	{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "the full URL for traces; wins over OTEL_EXPORTER_OTLP_ENDPOINT"},
	{"OTEL_EXPORTER_OTLP_HEADERS", "headers of each export (key=value,...)"},
	{"OTEL_SERVICE_NAME", "the spans' service.name (default kycd)"},
	{"OTEL_RESOURCE_ATTRIBUTES", "more resource attributes, such as service.instance.id=replica-1"},
	{"OTEL_TRACES_SAMPLER", "which traces are kept (default parentbased_always_on)"},
	{"OTEL_TRACES_SAMPLER_ARG", "the sampler's argument, such as 0.1"},
	{"OTEL_SDK_DISABLED", "true turns tracing off even with an endpoint"},
}

// SettingNames is every environment variable kycd reads: its settings' (the table above) and the
// libraries' (libraryEnv). The deployment files in deploy/ are checked against it.
func SettingNames() []string {
	names := make([]string, 0, len(settings)+len(libraryEnv))
	for _, s := range settings {
		names = append(names, s.env)
	}
	for _, e := range libraryEnv {
		names = append(names, e.name)
	}
	return names
}

func parseDuration(v string, dst *time.Duration) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a positive duration such as 15s or 2m", v)
	}
	*dst = d
	return nil
}

func parseInt(v string, dst *int64) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("%q is not a positive whole number", v)
	}
	*dst = n
	return nil
}

// parse reads the settings from the environment, then from flags (flags win), and returns the
// config and a logger. extra adds a subcommand's own flags.
func parse(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (app.Config, *slog.Logger, error) {
	cfg := app.Config{Version: buildVersion()}
	fs := flag.NewFlagSet("kycd "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if extra != nil {
		extra(fs)
	}
	values := map[string]*string{}
	for _, s := range settings {
		v := new(string)
		values[s.flag] = v
		fs.StringVar(v, s.flag, "", fmt.Sprintf("%s (env %s, default %s)", s.doc, s.env, s.def))
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: kycd %s [flags]\n\nEvery setting is a flag or an environment variable (the flag wins):\n\n", name)
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nThe libraries kycd uses read these from the environment:\n\n")
		for _, e := range libraryEnv {
			fmt.Fprintf(stderr, "  %s\n    \t%s\n", e.name, e.doc)
		}
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	if fs.NArg() > 0 {
		return cfg, nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, s := range settings {
		v, from := *values[s.flag], "--"+s.flag
		if !given[s.flag] {
			ev, ok := os.LookupEnv(s.env)
			v, from, given[s.flag] = strings.TrimSpace(ev), s.env, ok
		}
		if v == "" {
			continue
		}
		if err := s.set(&cfg, v); err != nil {
			return cfg, nil, fmt.Errorf("%s: %w", from, err)
		}
	}
	// The official list URLs are kycd serve's defaults; a setting given empty turns its list off.
	if !given["sanctions-ofac-urls"] {
		cfg.Sanctions.OFACURLs = []string{screening.DefaultOFACURL}
	}
	if !given["sanctions-un-url"] {
		cfg.Sanctions.UNURL = screening.DefaultUNURL
	}
	log, err := newLogger(stderr, logLevel)
	return cfg, log, err
}
