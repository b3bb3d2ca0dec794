package export

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"time"

	"kycd/internal/kyc"
)

// Manifest is manifest.json, the archive's last entry: what the archive is and, for every other
// entry, its size and SHA-256 as it was written.
type Manifest struct {
	ApplicantID   string    `json:"applicantId"`
	Environment   kyc.Env   `json:"environment"`
	GeneratedTime time.Time `json:"generatedTime"`
	KycdVersion   string    `json:"kycdVersion"`
	// Readme says in words what the archive holds.
	Readme  string  `json:"readme"`
	Entries []Entry `json:"entries"`
	// Truncated names each list that was cut at its cap; empty when every list is whole.
	Truncated []string `json:"truncated"`
}

// Entry is one file of the archive as the manifest lists it.
type Entry struct {
	Name string `json:"name"`
	// Size is the entry's uncompressed size in bytes.
	Size int64 `json:"size"`
	// SHA256 is the hex SHA-256 of the entry's uncompressed bytes.
	SHA256      string `json:"sha256"`
	Description string `json:"description"`
}

const readme = "Everything kycd held about one applicant in one environment when the archive was made. " +
	"applicant.json is the applicant (profile, addresses, status); requests.json the KYC requests; documents/<id>.json " +
	"each KYC document (identification, parsed data, check list, decision, review); files/<id>.json each uploaded file's " +
	"metadata and files/<id>.<ext> its bytes, decrypted; screenings.json the sanctions screenings; shares.json the shares " +
	"with partners; events.json every event about the applicant and its requests, documents, files, screenings and shares, " +
	"with their payloads; notes.json the review console's notes on the applicant's cases. Each entry's size and SHA-256 " +
	"below were computed as it was written. A list cut at its cap is named in truncated."

// Write writes the archive to w as a ZIP, entry by entry, the manifest last. Nothing is held whole
// in memory: file bytes are copied from their decrypted readers and events are read a page at a
// time. An error leaves the ZIP without its central directory, which its reader sees as damaged.
func (a *Archive) Write(ctx context.Context, w io.Writer) error {
	zw := &zipWriter{zw: zip.NewWriter(w), modified: a.generated}
	m := Manifest{ApplicantID: a.applicant.ID, Environment: a.env, GeneratedTime: a.generated, KycdVersion: a.x.cfg.Version, Readme: readme}
	if err := zw.json("applicant.json", "The applicant as the API shows it: profile, addresses, status, level.", a.applicant); err != nil {
		return err
	}
	if err := zw.json("requests.json", "The applicant's KYC requests, newest first.", a.requests); err != nil {
		return err
	}
	for _, d := range a.documents {
		if err := zw.json("documents/"+d.ID+".json", "A KYC document: identification, parsed data, check list, decision and review.", d); err != nil {
			return err
		}
	}
	for _, f := range a.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := zw.json("files/"+f.ID+".json", "An uploaded file's metadata: tag, type, size, SHA-256 of its bytes.", f); err != nil {
			return err
		}
		if a.erased() {
			continue // the bytes were destroyed with the applicant's key and deleted
		}
		if err := a.file(ctx, zw, f); err != nil {
			return err
		}
	}
	if err := zw.json("screenings.json", "The applicant's sanctions screenings with their hits and reviews, newest first.", a.screenings); err != nil {
		return err
	}
	if err := zw.json("shares.json", "The applicant's shares with partners, newest first.", a.shares); err != nil {
		return err
	}
	if err := zw.json("notes.json", "The review console's notes on the applicant's cases, newest first.", a.notes); err != nil {
		return err
	}
	if err := a.events(ctx, zw); err != nil {
		return err
	}
	m.Entries, m.Truncated = zw.entries, append([]string{}, a.truncated...)
	if zw.eventsCut != "" {
		m.Truncated = append(m.Truncated, zw.eventsCut)
	}
	if err := zw.json("manifest.json", "", m); err != nil {
		return err
	}
	if err := zw.zw.Close(); err != nil {
		return fmt.Errorf("export: close the archive: %w", err)
	}
	return nil
}

// file copies one file's decrypted bytes into files/<id>.<ext>, stored as they are (images and
// PDFs are compressed already).
func (a *Archive) file(ctx context.Context, zw *zipWriter, f kyc.File) error {
	rc, err := a.x.src.OpenFile(ctx, a.env, f.ID)
	if err != nil {
		return fmt.Errorf("export file %s: %w", f.ID, err)
	}
	defer rc.Close()
	ew, err := zw.create("files/"+f.ID+"."+extension(f.MIME), "An uploaded file's bytes, decrypted ("+f.MIME+").", zip.Store)
	if err != nil {
		return err
	}
	if _, err := io.Copy(ew, rc); err != nil {
		return fmt.Errorf("export file %s: %w", f.ID, err)
	}
	zw.done(ew)
	return nil
}

// events writes events.json: a JSON array of the events of the applicant, then of each request,
// document, file, screening and share, each resource's newest first, up to MaxEvents in all.
func (a *Archive) events(ctx context.Context, zw *zipWriter) error {
	ew, err := zw.create("events.json", "Every event about the applicant and its requests, documents, files, screenings and shares, "+
		"with its payload (the resource as it was then); grouped by resource, each resource's newest first.", zip.Deflate)
	if err != nil {
		return err
	}
	resources := []string{a.applicant.ID}
	for _, r := range a.requests {
		resources = append(resources, r.ID)
	}
	for _, d := range a.documents {
		resources = append(resources, d.ID)
	}
	for _, f := range a.files {
		resources = append(resources, f.ID)
	}
	for _, s := range a.screenings {
		resources = append(resources, s.ID)
	}
	for _, s := range a.shares {
		resources = append(resources, s.ID)
	}
	if _, err := io.WriteString(ew, "["); err != nil {
		return err
	}
	n, limit := 0, a.x.cfg.MaxEvents
	for _, id := range resources {
		for cursor := ""; ; {
			if err := ctx.Err(); err != nil {
				return err
			}
			pg, err := a.x.src.Events(ctx, a.env, id, cursor, max(min(pageSize, limit-n), 1))
			if err != nil {
				return fmt.Errorf("export events of %s: %w", id, err)
			}
			if n >= limit {
				// The cap is reached; this one-event read only tells whether there were more.
				if len(pg.Items) > 0 {
					zw.eventsCut = fmt.Sprintf("events.json: the first %d events only; more are left out", limit)
				}
				break
			}
			for _, ev := range pg.Items {
				b, err := json.Marshal(ev)
				if err != nil {
					return fmt.Errorf("export event %s: %w", ev.ID, err)
				}
				sep := ",\n"
				if n == 0 {
					sep = "\n"
				}
				if _, err := io.WriteString(ew, sep); err != nil {
					return err
				}
				if _, err := ew.Write(b); err != nil {
					return err
				}
				n++
			}
			if cursor = pg.NextCursor; cursor == "" {
				break
			}
		}
		if zw.eventsCut != "" {
			break
		}
	}
	if _, err := io.WriteString(ew, "\n]\n"); err != nil {
		return err
	}
	zw.done(ew)
	return nil
}

// extension is a file name's extension for a sniffed MIME type.
func extension(mime string) string {
	switch mime {
	case "image/jpeg":
		return "jpg"
	case "image/png":
		return "png"
	case "image/webp":
		return "webp"
	case "image/heic":
		return "heic"
	case "application/pdf":
		return "pdf"
	}
	return "bin"
}

// zipWriter writes entries and remembers each one's size and SHA-256 for the manifest.
type zipWriter struct {
	zw       *zip.Writer
	modified time.Time
	entries  []Entry
	// eventsCut is the manifest's note when events.json stopped at its cap.
	eventsCut string
}

// entryWriter counts and hashes what goes into one entry.
type entryWriter struct {
	w    io.Writer
	h    hash.Hash
	n    int64
	name string
	desc string
}

func (e *entryWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	e.h.Write(p[:n])
	e.n += int64(n)
	return n, err
}

func (z *zipWriter) create(name, desc string, method uint16) (*entryWriter, error) {
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: z.modified})
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	return &entryWriter{w: w, h: sha256.New(), name: name, desc: desc}, nil
}

// done adds a finished entry to the manifest's list.
func (z *zipWriter) done(e *entryWriter) {
	z.entries = append(z.entries, Entry{Name: e.name, Size: e.n, SHA256: hex.EncodeToString(e.h.Sum(nil)), Description: e.desc})
}

// json writes v as one indented JSON entry.
func (z *zipWriter) json(name, desc string, v any) error {
	ew, err := z.create(name, desc, zip.Deflate)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(ew)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	z.done(ew)
	return nil
}
