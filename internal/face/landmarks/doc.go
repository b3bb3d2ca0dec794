// Package landmarks finds 68 face landmarks in a 112×112 face crop with face-api's
// FaceLandmark68Net, in pure Go, with no I/O: the weights are embedded (internal/face/weights,
// MIT-licensed, from the npm package @vladmandic/face-api 1.7.15) and decoded once by New.
//
// # What it computes
//
// The forward pass follows face-api's FaceLandmark68Net operation by operation: the crop less the
// mean [122.782, 117.001, 104.298], divided by 255; four dense blocks (face-api's denseBlock4) of
// 32, 64, 128 and 256 channels, each halving the size (112 → 56 → 28 → 14 → 7) with a stride-2
// first conv and then three depthwise separable convs, each reading the relu of the sum of the
// earlier outputs of its block; a 7×7 average pool; a 256×136 fully connected layer. The first
// conv of the first block is a full 3×3 conv, the others 3×3 depthwise then 1×1 pointwise; all pad
// as TensorFlow's 'same' does (for stride 2 on even sizes, one row and column of zeros after the
// input, none before). The 136 outputs are the x and y of the 68 points (iBUG 300-W order) as
// fractions of the crop's side, face-api's relative positions.
//
// The pointwise and first convs are matrix products with the register-blocked GEMM and im2col of
// internal/face/nn, which the embedding net uses too; sums are taken in the order and precision of tfjs's CPU
// kernels where that is cheap (the average pool and the last layer in float64).
//
// # How it is checked
//
// testdata/reference holds the embedding package's three inputs (a face, a synthetic pattern,
// noise) scaled to 112×112 and face-api's own raw outputs for them on tfjs 4.22.0's CPU backend,
// with the script that computed them; the test requires every value within 1e-4 of face-api's (it
// is within 1.2e-7).
//
// # What it does not do
//
// It finds no faces and scales nothing: Detect needs the crop face-api would feed the net, the
// face detector's box padded to a square and scaled to 112×112, and it returns points in that
// crop; mapping them back to the photo is the caller's. Nor does it align or judge the points (a
// crop with no face still yields 68 points): package internal/face maps them back, redraws the box
// around them once, and cuts the aligned chip from them.
package landmarks
