// Package liveness checks an active liveness challenge: the end user is asked, with a nonce that
// kycd issued, to make a random sequence of two or three head moves in front of the phone's front
// camera, and a frame is captured before the first move and after each one. Check then requires
// that every frame shows exactly one face, that it is the same face in every frame (face.Similarity
// with the first at least face.MatchThreshold), that each asked move happened between the frame
// before it and its own frame, in the asked order, and that the frames came within the challenge's
// time window. It is pure computation: the caller stores the challenge, makes its nonce single-use
// and decodes the frames.
//
// # The moves
//
// Only moves a face's position and size show are asked: move left, move right, come closer. A
// head turn (yaw from the landmarks) or a blink (the eyes' aspect ratio) would also tell a real
// head from a flat picture moved about, but kycd's tests can only film a flat picture (a face
// image moved and scaled), so they could not show those checks work; they are not asked. A flat
// photo or a screen moved as asked therefore passes: this check stops a still picture, frames
// replayed from another challenge or in another order, and a face swapped mid-challenge, not a
// presentation attack by someone who follows the prompts with a picture.
//
// "Left" is the end user's left, as they see themselves in the mirrored preview: the front
// camera's frames are not mirrored, so moving to one's left moves the face towards the right edge
// of the captured frame (larger x).
package liveness
