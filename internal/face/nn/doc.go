// Package nn holds the arithmetic that kycd's pure-Go face nets share (internal/face/embedding,
// internal/face/landmarks): float32 matrix products that sum in tfjs's order, so the nets match
// face-api's outputs to the last bits, im2col for convolutions, and a per-pass workspace that
// makes a pass after the first allocate nothing. It knows no layer or net.
package nn
