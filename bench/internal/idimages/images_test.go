package idimages

import (
	"bytes"
	"image/jpeg"
	"slices"
	"testing"

	"kycd/internal/mrz/mrzimage"
	"kycd/internal/verify/check"
)

// TestSets checks the generated JPEGs the way kycd will see them, decoded: 1 to 2 megapixels,
// one face on each id-front and selfie, and perceptual hashes more than kycd's near-duplicate
// distance apart between applications.
func TestSets(t *testing.T) {
	t.Parallel()
	sets, _, err := MakeSets(4, 1)
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		app  int
		tag  string
		hash uint64
	}
	var all []seen
	for i, s := range sets {
		for _, f := range s.Files() {
			img, err := jpeg.Decode(bytes.NewReader(f.Data))
			if err != nil {
				t.Fatalf("application %d %s: %v", i, f.Tag, err)
			}
			if mp := float64(img.Bounds().Dx()*img.Bounds().Dy()) / 1e6; mp < 1 || mp > 2 {
				t.Errorf("application %d %s: %.2f MP, want 1 to 2", i, f.Tag, mp)
			}
			want := 1
			if f.Tag == "id-back" {
				want = 0
			}
			if n := check.CountFaces(img); n != want {
				t.Errorf("application %d %s: %d faces, want %d", i, f.Tag, n, want)
			}
			all = append(all, seen{i, f.Tag, check.PHash(img)})
		}
	}
	for a, x := range all {
		for _, y := range all[a+1:] {
			if x.app != y.app && check.Hamming(x.hash, y.hash) <= check.DefaultNearDuplicate {
				t.Errorf("application %d %s and %d %s: hashes %d bits apart, want more than %d", x.app, x.tag, y.app, y.tag,
					check.Hamming(x.hash, y.hash), check.DefaultNearDuplicate)
			}
		}
	}
}

// TestFrontZone reads the zone of generated id-fronts with kycd's reader, as the server will: it
// must give the lines of the passport the benchmark types for that application.
func TestFrontZone(t *testing.T) {
	t.Parallel()
	sets, _, err := MakeSets(3, 7)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sets {
		img, err := jpeg.Decode(bytes.NewReader(s.Front))
		if err != nil {
			t.Fatalf("application %d: %v", i+1, err)
		}
		r, err := mrzimage.Read(img)
		if err != nil {
			t.Errorf("application %d: %v", i+1, err)
			continue
		}
		if want := zoneLines(i + 1); !slices.Equal(r.Lines, want) {
			t.Errorf("application %d: read %q, want %q", i+1, r.Lines, want)
		}
		if m := r.MRZ; m.DocumentNumber != PassportNumber(i+1) || m.Surname != "COLLINS" {
			t.Errorf("application %d: number %q, surname %q", i+1, m.DocumentNumber, m.Surname)
		}
	}
}
