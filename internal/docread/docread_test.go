package docread

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"testing"
	"time"

	"kycd/internal/media/mediatest"
	"kycd/internal/mrz/mrztest"
)

func astronaut(t *testing.T) image.Image {
	t.Helper()
	b, err := os.ReadFile("testdata/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func jpegOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRead: a rendered passport is read whole; a face photo and a PDF are not, and say why.
func TestRead(t *testing.T) {
	t.Parallel()
	r := NewReader(Config{Now: func() time.Time { return time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC) }})
	h := mrztest.Holder{IssuingState: "D", Nationality: "D", Surname: "MUSTERMANN", GivenNames: "ERIKA", Number: "C01X00T47",
		DateOfBirth: "640812", Sex: "F", Expiry: "310101"}
	face := astronaut(t)
	passport := mrztest.PassportPage(h, mrztest.Portrait(), "")
	ctx := context.Background()

	got, err := r.Read(ctx, jpegOf(t, passport))
	if err != nil {
		t.Fatal(err)
	}
	want := Fields{DocumentCode: "P", DocumentNumber: "C01X00T47", Surname: "MUSTERMANN", GivenNames: "ERIKA", Nationality: "D",
		DateOfBirth: "1964-08-12", Sex: "F", ExpiryDate: "2031-01-01", IssuingCountry: "D"}
	if got.MRZ == nil || got.MRZ.Format != "TD3" || !got.MRZ.CheckDigitsValid || got.MRZ.Fields != want || len(got.Reasons) != 0 {
		t.Fatalf("passport: %+v (reasons %v)", got.MRZ, got.Reasons)
	}
	if id := got.Identification; id == nil || id.Number != "C01X00T47" || id.IssuingCountry != "DE" || id.ExpiryDate != "2031-01-01" || id.HolderName != "ERIKA MUSTERMANN" {
		t.Fatalf("identification: %+v", got.Identification)
	}
	if !got.Portrait.Found || got.Portrait.Box == nil || !got.Quality.Acceptable {
		t.Fatalf("portrait %+v, quality %+v", got.Portrait, got.Quality)
	}
	// The portrait box is where the portrait was drawn: in the left third of the page.
	if b := got.Portrait.Box; b.X+b.Width/2 > passport.Rect.Dx()/3 {
		t.Fatalf("portrait box %+v is not on the portrait", *b)
	}

	got, err = r.Read(ctx, jpegOf(t, face))
	if err != nil {
		t.Fatal(err)
	}
	if got.MRZ != nil || len(got.Reasons) != 1 || !got.Portrait.Found {
		t.Fatalf("face photo: %+v", got)
	}

	got, err = r.Read(ctx, mediatest.MinimalPDF("1.4", 0))
	if err != nil {
		t.Fatal(err)
	}
	if got.MRZ != nil || len(got.Reasons) != 1 || got.Quality.Acceptable || got.Quality.Checks[0].Name != "image-decodes" || !got.Quality.Checks[0].Failed {
		t.Fatalf("PDF: %+v", got)
	}
}

// TestReadWaitsForASlot: with every slot taken a reading waits, and gives up with its context.
func TestReadWaitsForASlot(t *testing.T) {
	t.Parallel()
	r := NewReader(Config{MaxConcurrent: 1})
	r.slots <- struct{}{} // the one slot is taken
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.Read(ctx, mediatest.MinimalPDF("1.4", 0)); err != context.DeadlineExceeded {
		t.Fatalf("reading with no slot free: %v, want the context's deadline", err)
	}
	<-r.slots
	if _, err := r.Read(context.Background(), mediatest.MinimalPDF("1.4", 0)); err != nil {
		t.Fatalf("reading with the slot free: %v", err)
	}
}
