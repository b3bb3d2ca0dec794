// Package media inspects untrusted uploaded bytes: sniffs the type, bounds the size, reads image
// headers, and proves the file is whole, without decoding pixels.
//
// An upload goes through two steps. Spool copies the request body into a temp file, hashing it
// and stopping one byte past the limit, so a body of any size costs the same memory. Inspect then
// works on that file only, never on a client-supplied name or Content-Type:
//
//  1. it sniffs the type from the first bytes (JPEG, PNG, WebP, HEIC/HEIF or PDF);
//  2. for an image it reads the dimensions from the header and refuses one with more pixels than
//     the caller allows, before anything could decode a pixel (a small file can claim a huge
//     canvas: a "decompression bomb");
//  3. it walks the file's structure to its end (JPEG markers to EOI, PNG chunks and their CRCs,
//     WebP RIFF chunks, HEIF top-level boxes, the PDF header and trailer), so a truncated or
//     damaged upload is refused now rather than failing later in a worker.
//
// Every walk streams through the file with a fixed-size buffer: memory per upload does not grow
// with the file's size. HEIF dimensions are read by libheif (github.com/gen2brain/heic, run in
// WebAssembly) from the first 32 KiB of the file; the first HEIF inspection in a process compiles
// that module, which takes about a second and some 40 MB, once.
//
// Errors wrap the sentinels of internal/kyc: kyc.ErrTooLarge (413) for a body over the limit,
// kyc.ErrUnsupportedMedia (415) for bytes of a type that is not accepted, and a
// *kyc.ValidationError on the field "file" (422) for an image with too many pixels or a file that
// is damaged or truncated. Any other error (a full disk, a closed body) is the server's.
package media
