// Package screening screens applicants against sanctions lists and owns what follows: list
// imports (atomic, versioned, stored in kycd's database), the in-memory index every replica keeps
// of the current lists (reloaded within a minute of an import by a cheap version check), the River
// jobs that screen an applicant when created or when their name, date of birth or nationality
// change, the review of potential matches (confirmed or false-positive), and ongoing monitoring:
// after an import, approved applicants are re-screened against the entries that changed.
//
// The matcher itself is package match; the file readers are package lists.
package screening
