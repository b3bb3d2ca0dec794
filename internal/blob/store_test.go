package blob

import (
	"crypto/rand"
	"os"
	"testing"

	"kycd/internal/seal"
)

// backend is one kind of bucket that the conformance suite runs against.
type backend struct {
	name string
	// url returns the URL of a fresh bucket or folder, or skips the test when the backend is absent.
	url func(t *testing.T) string
}

var backends = []backend{
	{"mem", func(*testing.T) string { return "mem://" }},
	{"file", func(t *testing.T) string { return FileURL(t.TempDir()) }},
	{"s3", s3URL},
}

// s3URL returns KYCD_TEST_S3_URL, the bucket of an S3-compatible server that the test script starts.
// Tests share that bucket, each under its own key prefix.
func s3URL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("KYCD_TEST_S3_URL")
	if u != "" {
		return u
	}
	const help = "KYCD_TEST_S3_URL is not set; to run the S3 tests, start versitygw and set " +
		"KYCD_TEST_S3_URL='s3://kycd?endpoint=http://127.0.0.1:7071&use_path_style=true&disable_https=true&region=us-east-1' " +
		"AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_EC2_METADATA_DISABLED=true"
	if os.Getenv("KYCD_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatal(help + " (KYCD_TEST_REQUIRE_SERVICES=1 forbids skipping)")
	}
	t.Skip(help)
	return ""
}

// openStore opens a Store at rawURL under a fresh master key, closed when the test ends.
func openStore(t *testing.T, rawURL string) *Store {
	t.Helper()
	s, err := Open(t.Context(), rawURL, newSealer(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func newSealer(t *testing.T) *seal.Sealer {
	t.Helper()
	s, err := seal.New(randomBytes(t, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// uniquePrefix returns a key prefix of its own, so tests can share one bucket.
// uniquePrefix is a top-level folder of the test's own: with a shared parent ("test/"), one test's
// cleanup can remove that folder on versitygw's posix backend while another test's upload is
// creating it, which versitygw reports as ErrExistingObjectIsDirectory.
func uniquePrefix() string {
	return "t" + rand.Text() + "/"
}
