package liveness_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kycd/internal/face"
	"kycd/internal/face/facetest"
	"kycd/internal/face/liveness"
	"kycd/internal/face/liveness/livenesstest"
)

var testAnalyzer = sync.OnceValues(face.New)

func analyzer(t *testing.T) *face.Analyzer {
	t.Helper()
	a, err := testAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// calibration are the faces the thresholds were chosen on; the others check them.
var calibration = []string{"astronaut", "sample1-1", "sample3-2", "sample6-1"}

// film makes the frames of name making moves as a phone sends them: 640×480 JPEGs.
func film(t *testing.T, name string, moves []liveness.Move) []image.Image {
	t.Helper()
	var out []image.Image
	for _, f := range livenesstest.Frames(facetest.Face(name), moves, 640, 480) {
		out = append(out, reencode(t, f))
	}
	return out
}

func reencode(t *testing.T, img image.Image) image.Image {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	out, err := jpeg.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func challenge(moves ...liveness.Move) liveness.Challenge {
	now := time.Now()
	return liveness.Challenge{Nonce: "n", Moves: moves, Issued: now.Add(-10 * time.Second), Expires: now.Add(liveness.TTL - 10*time.Second)}
}

func failed(r liveness.Result) []string {
	var out []string
	for _, c := range r.Checks {
		if !c.Passed {
			out = append(out, c.Name+": "+c.Detail)
		}
	}
	return out
}

// TestThresholds: on the faces the thresholds were not chosen on, every move made as asked passes,
// in every order Draw gives; the same frames held still fail every move, and frames in the wrong
// order fail.
func TestThresholds(t *testing.T) {
	t.Parallel()
	a := analyzer(t)
	sequences := [][]liveness.Move{
		{liveness.MoveLeft, liveness.MoveRight, liveness.MoveCloser},
		{liveness.MoveCloser, liveness.MoveRight, liveness.MoveLeft},
		{liveness.MoveRight, liveness.MoveCloser},
	}
	for i, s := range facetest.Faces() {
		if slices.Contains(calibration, s.Name) {
			continue
		}
		moves := sequences[i%len(sequences)]
		frames := film(t, s.Name, moves)
		if r := liveness.Verify(challenge(moves...), frames, a, time.Now()); !r.Passed || r.Frames != len(moves)+1 {
			t.Errorf("%s making %v: %v", s.Name, moves, failed(r))
		} else {
			t.Logf("%s: %v", s.Name, r.Checks[4:])
		}
		still := []image.Image{frames[0]}
		for range moves {
			still = append(still, reencode(t, frames[0]))
		}
		r := liveness.Verify(challenge(moves...), still, a, time.Now())
		if r.Passed {
			t.Errorf("%s held still passed", s.Name)
		}
		for _, c := range r.Checks {
			if strings.HasPrefix(c.Name, "move-") == c.Passed {
				t.Errorf("%s held still: %s passed=%v (%s)", s.Name, c.Name, c.Passed, c.Detail)
			}
		}
		swapped := slices.Clone(moves)
		swapped[0], swapped[1] = swapped[1], swapped[0]
		if r := liveness.Verify(challenge(moves...), film(t, s.Name, swapped), a, time.Now()); r.Passed {
			t.Errorf("%s making %v for %v passed", s.Name, swapped, moves)
		}
	}
}

// TestCalibration logs what the moves measure on the calibration faces, held still and moved.
func TestCalibration(t *testing.T) {
	t.Parallel()
	a := analyzer(t)
	moves := []liveness.Move{liveness.MoveLeft, liveness.MoveRight, liveness.MoveCloser}
	for _, name := range calibration {
		frames := film(t, name, moves)
		r := liveness.Verify(challenge(moves...), frames, a, time.Now())
		t.Logf("%s moved: %v", name, r.Checks[3:])
		still := []image.Image{frames[0], reencode(t, frames[0]), reencode(t, reencode(t, frames[0])), reencode(t, frames[0])}
		r = liveness.Verify(challenge(moves...), still, a, time.Now())
		t.Logf("%s still: %v", name, r.Checks[3:])
	}
}

// TestOtherFaceMidChallenge: a second person's frames in the middle fail same-face.
func TestOtherFaceMidChallenge(t *testing.T) {
	t.Parallel()
	moves := []liveness.Move{liveness.MoveLeft, liveness.MoveRight}
	frames := film(t, "sample2-1", moves)
	frames[2] = film(t, "sample4-1", moves)[2]
	r := liveness.Verify(challenge(moves...), frames, analyzer(t), time.Now())
	if r.Passed || r.Checks[3].Name != "same-face" || r.Checks[3].Passed {
		t.Fatalf("another face passed: %+v", r.Checks)
	}
}

// TestWindowAndFrames: frames after the challenge expired, too few frames, or a frame without a
// face fail, each with its check.
func TestWindowAndFrames(t *testing.T) {
	t.Parallel()
	a := analyzer(t)
	moves := []liveness.Move{liveness.MoveCloser, liveness.MoveLeft}
	frames := film(t, "sample5-1", moves)
	ch := challenge(moves...)
	if r := liveness.Verify(ch, frames, a, ch.Expires.Add(time.Second)); r.Passed || r.Checks[0].Name != "fresh" || r.Checks[0].Passed {
		t.Errorf("expired: %+v", r.Checks)
	}
	if r := liveness.Verify(ch, frames[:2], a, time.Now()); r.Passed || r.Checks[1].Passed || r.Checks[len(r.Checks)-1].Passed {
		t.Errorf("two frames for two moves: %+v", r.Checks)
	}
	blank := image.NewRGBA(image.Rect(0, 0, 640, 480))
	if r := liveness.Verify(ch, []image.Image{frames[0], blank, frames[2]}, a, time.Now()); r.Passed || r.Checks[2].Passed {
		t.Errorf("a frame without a face: %+v", r.Checks)
	}
	if r := liveness.Verify(ch, nil, a, time.Now()); r.Passed || r.Frames != 0 {
		t.Errorf("no frames: %+v", r)
	}
}

// TestDraw: challenges have 2 or 3 moves, never repeat a move in a row, come closer at most once,
// keep the face within one step of the centre, and vary.
func TestDraw(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for range 2000 {
		ms := liveness.Draw(rng)
		if len(ms) < liveness.MinMoves || len(ms) > liveness.MaxMoves {
			t.Fatalf("%d moves", len(ms))
		}
		side, closer := 0, 0
		for i, m := range ms {
			if i > 0 && ms[i-1] == m {
				t.Fatalf("repeated move: %v", ms)
			}
			switch m {
			case liveness.MoveLeft:
				side++
			case liveness.MoveRight:
				side--
			case liveness.MoveCloser:
				closer++
			}
			if side < -1 || side > 1 || closer > 1 {
				t.Fatalf("%v leaves the frame or comes closer twice", ms)
			}
		}
		got, err := liveness.ParseMoves(liveness.JoinMoves(ms))
		if err != nil || !slices.Equal(got, ms) {
			t.Fatalf("round trip %v: %v %v", ms, got, err)
		}
		seen[liveness.JoinMoves(ms)] = true
	}
	if len(seen) < 10 {
		t.Fatalf("only %d different challenges", len(seen))
	}
	a, b := liveness.NewChallenge(time.Now()), liveness.NewChallenge(time.Now())
	if a.Nonce == b.Nonce || len(a.Nonce) != 43 || a.Expires.Sub(a.Issued) != liveness.TTL {
		t.Fatalf("challenges %+v %+v", a, b)
	}
	for _, bad := range []string{"", "move-left", "move-left,jump", "move-left,move-right,move-left,move-right"} {
		if _, err := liveness.ParseMoves(bad); err == nil {
			t.Errorf("ParseMoves(%q) accepted", bad)
		}
	}
}
