package auth

import (
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	th := NewThrottle(3, time.Minute)
	th.now = func() time.Time { return now }
	for i := range 3 {
		if _, blocked := th.Blocked("ip:a"); blocked {
			t.Fatalf("blocked after %d failures", i)
		}
		th.Fail("ip:a")
		now = now.Add(time.Second)
	}
	retry, blocked := th.Blocked("ip:a")
	if !blocked || retry != 57*time.Second {
		t.Fatalf("after 3 failures: blocked %v, retry %s; want 57s", blocked, retry)
	}
	if _, blocked := th.Blocked("ip:b"); blocked {
		t.Fatal("another key is blocked")
	}
	now = now.Add(57 * time.Second)
	if _, blocked := th.Blocked("ip:a"); blocked {
		t.Fatal("still blocked once the window ended")
	}
	th.Fail("ip:a")
	if _, blocked := th.Blocked("ip:a"); blocked {
		t.Fatal("a new window starts from one failure")
	}
}
