// Package file owns uploaded files: it spools untrusted bytes to a temporary file within the size
// limit, has package media sniff and check them, seals them into the blob store under the
// applicant's data key and records their metadata. A refused upload leaves no row and no blob. It
// alone opens a file's bytes (Service.Open), under that key or, for bytes stored before applicants
// had keys, under the master key: verification, sharing, the API, the console, the hosted flow and
// the export read them through it.
package file
