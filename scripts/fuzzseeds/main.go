// Command fuzzseeds writes the seed corpora of kycd's fuzz targets: one file per seed, named
// seed-*, in each package's testdata/fuzz/FuzzXxx/, in the format go test reads ("go test fuzz
// v1", then one Go literal per argument). go test runs every file there as a test case in
// `go test`, and starts fuzzing from them with -fuzz.
//
// The seeds are small valid inputs and known edge cases, made from the repository's own test files
// (MRZ specimens of the fictitious state Utopia, sample images, the app document's bodies) and
// from synthetic data written here: no real person, and no line of a real sanctions list (the
// shared data's README forbids copying them). Run it from the repository root after changing a
// seed:
//
//	go run ./scripts/fuzzseeds
//
// It replaces the seed-* files of the targets it knows and leaves every other file alone, such as
// the crashers that go test writes there (named by hash), which are committed with their fix.
// main_test.go fails when the committed seeds differ from what it writes.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// seed is one corpus file: the arguments of one call of a fuzz target.
type seed struct {
	pkg, target, name string
	args              []any
}

func (s seed) dir() string {
	return filepath.Join(filepath.FromSlash(s.pkg), "testdata", "fuzz", s.target)
}

// encode writes args in go test's corpus format.
func encode(args []any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case string:
			fmt.Fprintf(&b, "string(%q)\n", v)
		case uint16:
			fmt.Fprintf(&b, "uint16(%d)\n", v)
		default:
			return nil, fmt.Errorf("no corpus encoding for %T", a)
		}
	}
	return b.Bytes(), nil
}

// write writes seeds under root, after removing the seed-* files of every target they belong to.
func write(root string, seeds []seed) error {
	dirs := map[string]bool{}
	for _, s := range seeds {
		dirs[s.dir()] = true
	}
	for dir := range dirs {
		old, _ := filepath.Glob(filepath.Join(root, dir, "seed-*"))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			return err
		}
	}
	for _, s := range seeds {
		b, err := encode(s.args)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", s.target, s.name, err)
		}
		if err := os.WriteFile(filepath.Join(root, s.dir(), "seed-"+s.name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	log.SetFlags(0)
	all, err := seeds(".")
	if err != nil {
		log.Fatal(err)
	}
	if err := write(".", all); err != nil {
		log.Fatal(err)
	}
	count := map[string]int{}
	for _, s := range all {
		count[s.pkg+" "+s.target]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		log.Printf("%-40s %d seeds", k, count[k])
	}
}

// seeds gathers every target's seeds, reading the repository's files under root.
func seeds(root string) ([]seed, error) {
	read := reader(func(path string) ([]byte, error) { return os.ReadFile(filepath.Join(root, filepath.FromSlash(path))) })
	var all []seed
	for _, gen := range []func(reader) ([]seed, error){
		mrzSeeds, dataURLSeeds, mediaSeeds, decodeSeeds, listSeeds, jsonSeeds, callbackSeeds, appSeeds,
	} {
		s, err := gen(read)
		if err != nil {
			return nil, err
		}
		all = append(all, s...)
	}
	names := map[string]bool{}
	for _, s := range all {
		k := s.dir() + "/" + s.name
		if names[k] || strings.ContainsAny(s.name, "/ ") {
			return nil, fmt.Errorf("seed name %s repeated or not a file name", k)
		}
		names[k] = true
	}
	return all, nil
}
