// Package screening screens applicants against sanctions lists and owns what follows: list
// imports (atomic, versioned, stored in kycd's database), the in-memory index every replica keeps
// of the current lists (reloaded within a minute of an import by a cheap version check), the River
// jobs that screen an applicant when created or when their name, date of birth or nationality
// change, the review of potential matches (confirmed or false-positive), ongoing monitoring
// (after an import, every applicant whose latest screening used an older version is re-screened
// against the entries that changed, and one never screened is screened in full), where the lists
// come from (the bundled snapshot of package snapshot, imported when the database has none, and
// the periodic refresh from the publishers' URLs), and how old they are (stale after 30 days
// without confirmation).
//
// The lists' persistence is Repo (repo.go), over the store's core: their versions and entries,
// written by an import in one change, and the reads of past screenings that monitoring and a
// new screening decide from.
//
// The matcher itself is package match; the file readers are package lists.
package screening
