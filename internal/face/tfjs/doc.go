// Package tfjs reads neural network weights stored in the TensorFlow.js layout: a JSON manifest that
// names each tensor with its shape, dtype and optional quantisation, and one binary holding the
// tensors back to back in manifest order. It dequantises exactly as tfjs does (uint8 or uint16 q to
// float32(q·scale + min), computed in float64), so a forward pass over the result starts from the
// same numbers as face-api's. It reads bytes it is given and does no I/O.
//
// Only what face-api's models use is supported: one weight group with one binary, float32 tensors
// stored as float32 or quantised to uint8 or uint16. Anything else is an error, not a guess.
package tfjs
