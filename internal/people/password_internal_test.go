package people

import (
	"strings"
	"testing"
)

// TestCheckPasswordKnownAnswer: a hash printed by the reference implementation of argon2
// (P-H-C/phc-winner-argon2: echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e) is
// checked by checkPassword, so the format and the parameters are read as the standard has them.
func TestCheckPasswordKnownAnswer(t *testing.T) {
	const reference = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"
	if ok, err := checkPassword(reference, "password"); err != nil || !ok {
		t.Fatalf("the reference hash of %q: %v, %v", "password", ok, err)
	}
	if ok, err := checkPassword(reference, "Password"); err != nil || ok {
		t.Fatalf("another password: %v, %v", ok, err)
	}
	for _, bad := range []string{
		strings.Replace(reference, "argon2id", "argon2i", 1),
		strings.Replace(reference, "v=19", "v=16", 1),
		strings.Replace(reference, "m=65536", "m=99999999", 1), // a tampered row cannot ask for 100 GB
		strings.Replace(reference, "t=2", "t=0", 1),
		"$argon2id$v=19$m=65536,t=2,p=4$$GpZ3sK",
		"",
	} {
		if _, err := checkPassword(bad, "password"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	h, err := hashPassword("password", Argon2Params{Memory: 64, Time: 1, Threads: 1})
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash: %q %v", h, err)
	}
	if ok, _ := checkPassword(h, "password"); !ok {
		t.Fatal("a fresh hash does not check")
	}
}

// BenchmarkHashPassword measures what one sign-in costs at DefaultArgon2, beside the costlier
// configuration first considered (64 MiB, 3 passes, 2 lanes), measured in the same run.
func BenchmarkHashPassword(b *testing.B) {
	for _, c := range []struct {
		name string
		p    Argon2Params
	}{{"default", DefaultArgon2}, {"m64MiB-t3-p2", Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 2}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := hashPassword("correct horse battery", c.p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
