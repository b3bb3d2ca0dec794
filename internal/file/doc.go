// Package file owns uploaded files: it spools untrusted bytes to a temporary file within the size
// limit, has package media sniff and check them, seals them into the blob store and records their
// metadata. A refused upload leaves no row and no blob.
package file
