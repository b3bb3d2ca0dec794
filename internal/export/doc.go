// Package export owns the archive of an access request: everything kycd holds about one applicant
// of one environment, as a ZIP streamed to its reader. It decides the archive's layout (which
// entries, their names, what each holds), its bounds (lists read page by page up to a cap, with
// the cut named in the manifest rather than read without end) and its manifest (each entry's
// size and SHA-256, computed as the entry is written, and a description of what each file is).
//
// It reads the domains through Source, the interface it declares and internal/app implements
// from their services; it writes no audit entry: the transports that serve an export (the API and
// the review console) write theirs before the first byte goes out, which is why an export is
// prepared (Exporter.Prepare: the applicant and its lists) before it is written
// (Archive.Write: the entries, file bytes copied from their decrypted readers, the events and
// the manifest last).
package export
