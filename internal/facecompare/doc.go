// Package facecompare says whether two photos show one person: it decodes each (within the
// process's decode budget, by the same sniffed, bounded path that verification uses), finds the
// faces with pigo's cascade (check.FaceBoxesOf), describes the largest one of each (landmarks,
// aligned chip, dlib's embedding: package face) and compares the two embeddings with
// face.Similarity against face.MatchThreshold, the comparison verification makes between a
// selfie and a document's portrait. It serves POST /v1/face-comparisons; it knows nothing of
// HTTP, files or environments, and stores nothing.
//
// Describing a face is about 42 ms of one core, so comparisons are bounded: at most
// Config.MaxConcurrent run at once and the rest wait their turn or their context's end.
//
// A Result is biometric data about the photos' subjects: do not log it.
package facecompare
