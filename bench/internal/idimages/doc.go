// Package idimages generates the images of complete passport applications for the benchmarks
// (bench/verify, bench/scale): an id-front carrying a machine-readable zone that kycd's reader
// reads, an id-back and a selfie, each a new picture (the astronaut and text photos of testdata
// cropped, mirrored and laid out), checked with kycd's own image checks, face detector and zone
// reader before it is kept, so that a sound application is accepted without review.
package idimages

import "fmt"

// The passport holder every application claims: the typed identification and the zone printed on
// each id-front say the same.
const (
	// HolderFirst and HolderLast are the holder's given name and surname.
	HolderFirst, HolderLast = "Eileen", "Collins"
	// HolderBirth is the holder's date of birth.
	HolderBirth = "1956-11-19"
	// PassportExpiry is every passport's expiry date.
	PassportExpiry = "2031-01-15"
)

// PassportNumber is application n's (1-based) passport number, P1000001 upwards: the number
// printed in the zone of MakeSets' n-th id-front.
func PassportNumber(n int) string { return fmt.Sprintf("P%07d", 1000000+n) }
