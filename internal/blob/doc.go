// Package blob owns the bytes of uploaded documents: it stores them, sealed, in a local folder or an
// S3-compatible bucket, and reads them back.
//
// Every object is sealed with seal.Sealer's streaming format before it leaves the process, with its
// key as additional data: the bucket or folder holds ciphertext only, and an object copied or renamed
// to another key no longer opens. Put and Get stream, so memory use does not grow with the object.
//
// An object of an owner (an applicant's file) is sealed under the owner's data key (PutUnder), which
// its store keeps wrapped by the master key: destroying the wrapped key makes the object unreadable
// in the bucket, in its copies and in backups at once. GetUnder opens it, and also the objects sealed
// under the master key before owners had keys (Put); the stream's version byte tells them apart.
//
// A Store is opened from a URL (KYCD_BLOB_URL):
//
//	file:///var/lib/kycd/blobs   a local folder, created with mode 0700 when missing
//	mem://                       in memory, for tests
//	s3://bucket?endpoint=http://127.0.0.1:7070&use_path_style=true&disable_https=true&region=us-east-1
//
// The s3 form takes gocloud.dev's s3blob query parameters (region, endpoint, use_path_style,
// disable_https, profile, anonymous, ...) and the AWS SDK's usual credentials (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY); set AWS_EC2_METADATA_DISABLED=true off EC2. An aborted upload of more than
// one part may leave an incomplete multipart upload behind (never a visible object): give the bucket a
// lifecycle rule that aborts incomplete multipart uploads.
package blob
