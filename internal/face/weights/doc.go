// Package weights embeds the face models kycd runs: dlib's face recognition ResNet and face-api.js's
// 68-point landmark net, in the tfjs layout (a JSON manifest naming each tensor's shape, dtype and
// quantisation, and a binary holding the tensors in manifest order) as shipped in the npm package
// @vladmandic/face-api 1.7.15 (MIT; the recognition weights are public domain). README.md says where
// they come from and under which licences; `make face-weights` fetches them again and checks them.
//
// The files are committed (6.8 MB in all) rather than fetched at build time, so that a fresh clone
// builds and tests without network; the binary embeds them.
package weights
