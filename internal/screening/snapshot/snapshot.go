// Package snapshot holds the sanctions lists bundled into the kycd binary: the OFAC SDN list's four
// CSV files and the UN consolidated list XML, with a manifest (publication date, SHA-256 and source
// URL of each file), under data/.
//
// The repository commits data/ with its README only: the files are public data, but they are
// produced by `make sanctions-snapshot` (scripts/sanctions-snapshot.sh) on a machine that reaches
// the publishers, and are .gitignored. A build without them has an empty snapshot, and kycd starts
// with no list until its first refresh succeeds. See package screening for how a snapshot is read
// and imported.
package snapshot

import (
	"embed"
	"io/fs"
)

//go:embed data
var data embed.FS

// FS is the bundled snapshot: manifest.json, ofac-sdn/*.csv and un/consolidated.xml when the
// build included them, README.md only otherwise.
var FS fs.FS = mustSub(data, "data")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a constant embedded above
	}
	return sub
}
