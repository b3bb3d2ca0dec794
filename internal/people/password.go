package people

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost of hashing a password with argon2id.
type Argon2Params struct {
	// Memory in KiB, Time the passes over it, Threads the lanes.
	Memory  uint32
	Time    uint32
	Threads uint8
}

// DefaultArgon2 is the cost of a password hash: 46 MiB and one pass on one lane, the first of the
// equivalent argon2id configurations of OWASP's Password Storage Cheat Sheet (m=47104, t=1, p=1).
// One hash takes what a sign-in costs: BenchmarkHashPassword, figures in bench/README.md.
var DefaultArgon2 = Argon2Params{Memory: 47104, Time: 1, Threads: 1}

const (
	saltBytes = 16
	keyBytes  = 32
	// MinPasswordLength and MaxPasswordLength bound a console password. The lower bound is NIST
	// SP 800-63B's for a memorised secret chosen by its user; the upper one bounds the work a
	// request can ask of argon2 and is far above any passphrase.
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// hashPassword returns the argon2id hash of password in the PHC string format that the reference
// implementation prints: $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>, base64 without padding.
func hashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyBytes)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// errBadHash is a stored hash that is not one hashPassword makes.
var errBadHash = errors.New("people: not an argon2id hash")

// checkPassword reports whether password is the one hashed in encoded, with the cost recorded in
// it (so raising DefaultArgon2 leaves older hashes valid). The comparison takes constant time.
func checkPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, errBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	// A hash in the database is trusted no more than any input: its cost is bounded, so a
	// tampered row cannot make one sign-in take the machine.
	if p.Memory == 0 || p.Memory > 1<<20 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
