package blob

import (
	"net/url"
	"testing"
)

func TestS3PingFailsWithoutBucket(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(s3URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Host = "kycd-no-such-bucket"
	s := openStore(t, u.String())
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("Ping succeeded on a bucket that does not exist")
	}
}
