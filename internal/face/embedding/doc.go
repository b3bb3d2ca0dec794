// Package embedding turns an aligned 150×150 face chip into a 128-d embedding with dlib's face
// recognition ResNet (dlib_face_recognition_resnet_model_v1), in pure Go, with no I/O: the weights
// are embedded (internal/face/weights) and decoded once by New.
//
// # What was chosen and why
//
// The weights are dlib's, released into the public domain by their author, as converted to the
// TensorFlow.js layout by face-api.js and shipped in the MIT-licensed npm package
// @vladmandic/face-api 1.7.15. Among the face recognition models whose licence allows a commercial
// KYC server, this one is small (6.4 MB, mostly uint8-quantised), well studied (99.38% on LFW in
// dlib's report) and simple to run: 29 convolutions, no exotic layers. The forward pass follows
// face-api's FaceRecognitionNet operation by operation (mean subtraction [122.782, 117.001,
// 104.298] then /255; conv 7×7/2, max pool 3×3/2; residual layers at 32, 64, 128 and 256 channels,
// the *_down ones with a 2×2 average-pool shortcut padded with zero channels; global mean; a
// 256×128 fully connected layer). Convolutions are im2col and a float32 matrix product
// accumulating in the same order as tfjs's CPU backend, blocked 3 rows by 2 columns so the sums
// stay in registers: about 49 ms a face on one core of the 2-core test machine (bench/README.md).
// A pass runs on one goroutine; callers wanting more throughput embed several faces at once.
//
// # How it is checked
//
// testdata/reference holds three inputs (a face, a synthetic pattern, noise) and face-api's own
// embeddings of them on tfjs 4.22.0's CPU backend, with the script that computed them; the test
// requires every value within 1e-4 of face-api's (it is within 2.4e-7).
//
// # What it does not do
//
// It finds no faces and aligns nothing: Embed needs a chip already cut the way dlib cuts them
// (the face scaled and rotated so the eyes, nose and mouth land where dlib's mean face puts them,
// with a margin). A badly aligned chip still yields a vector, only a worse one. Package
// internal/face does the rest: it runs the landmark net on a detector's box, cuts the chip and
// compares embeddings (Similarity, with the calibrated MatchThreshold).
package embedding
