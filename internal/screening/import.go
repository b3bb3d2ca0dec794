package screening

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/screening/match"
	"kycd/internal/store"
)

// ErrShrunk refuses an import that would drop more than half of a list's entries: a file cut at a
// line boundary still parses, and a sanctions list does not lose half its entries in one update.
var ErrShrunk = errors.New("the new list has less than half the entries of the stored one; a truncated file? (kycd lists import --allow-shrink accepts it)")

// Import stores a list version read from files: raw are the files' bytes (the version is their
// hash), source says where they came from. Every applicant whose latest screening used an older
// version of the list, or who was never screened, is re-screened by monitoring jobs inserted with
// the import (see MonitorArgs). Unless allowShrink, a list that lost more than half its entries is
// refused with ErrShrunk. The list is taken as current at the time of the import; ImportList
// says otherwise (a snapshot's date, a publication date).
func (s *Service) Import(ctx context.Context, list, source string, entries []match.Entry, raw [][]byte, allowShrink bool) (kyc.SanctionsList, ListChange, error) {
	return s.ImportList(ctx, Imported{List: list, Source: source, Entries: entries, Raw: raw}, allowShrink)
}

// ImportList is Import with the list's dates: im.PublishedAt when known, and im.CheckedAt, when
// the list was last known to be the publisher's current one (zero: now). Importing the version
// already stored changes nothing but moves its checked date forward.
func (s *Service) ImportList(ctx context.Context, im Imported, allowShrink bool) (kyc.SanctionsList, ListChange, error) {
	list := im.List
	if len(im.Entries) == 0 {
		return kyc.SanctionsList{}, ListChange{}, fmt.Errorf("list %s: no entries", list)
	}
	if !allowShrink {
		stored, err := s.repo.Lists(ctx)
		if err != nil {
			return kyc.SanctionsList{}, ListChange{}, err
		}
		for _, v := range stored {
			if v.List == list && len(im.Entries)*2 < v.EntryCount {
				return kyc.SanctionsList{}, ListChange{}, fmt.Errorf("list %s: %d entries, %d stored: %w", list, len(im.Entries), v.EntryCount, ErrShrunk)
			}
		}
	}
	h := sha256.New()
	for _, b := range im.Raw {
		sum := sha256.Sum256(b)
		h.Write(sum[:])
	}
	v := kyc.SanctionsList{List: list, Version: hex.EncodeToString(h.Sum(nil)), EntryCount: len(im.Entries), Source: im.Source, CheckedAt: im.CheckedAt}
	if !im.PublishedAt.IsZero() {
		p := im.PublishedAt.UTC()
		v.PublishedAt = &p
	}
	rows, err := storedEntries(im.Entries)
	if err != nil {
		return v, ListChange{}, err
	}
	ch, err := s.repo.Import(ctx, v, rows, func(ch ListChange) store.Effects {
		return store.Effects{Audit: kyc.AuditEntry{Actor: importActor, Action: "sanctions-list.import", ResourceType: "sanctions-list", ResourceID: v.List},
			Jobs: rescreenJobs(v, ch, time.Now())}
	})
	s.lists.Reload()
	return v, ch, err
}

// importActor is who imports a sanctions list (by hand or on a schedule).
const importActor kyc.Actor = "system:lists-import"
