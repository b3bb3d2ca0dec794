package nn

// Workspace holds one forward pass's activations and its im2col (or depthwise) scratch, so that a
// pass after the first allocates nothing. A net keeps workspaces in a sync.Pool; one is used by
// one pass at a time.
type Workspace struct {
	slab []float32 // activations, handed out in order and reclaimed all at once by Reset
	off  int
	need int // floats the last pass asked for, to size the slab once
	im   []float32
}

// Reset reclaims every slice handed out, growing the slab to what the last pass needed.
func (ws *Workspace) Reset() {
	if ws.need > len(ws.slab) {
		ws.slab = make([]float32, ws.need)
	}
	ws.off, ws.need = 0, 0
}

// Floats hands out n floats whose contents are unspecified, valid until Reset.
func (ws *Workspace) Floats(n int) []float32 {
	ws.need += n
	if ws.off+n <= len(ws.slab) {
		d := ws.slab[ws.off : ws.off+n : ws.off+n]
		ws.off += n
		return d
	}
	return make([]float32, n) // the first pass only; Reset sizes the slab for the next
}

// Cols returns scratch of n floats for im2col or a depthwise conv, valid until the next call.
func (ws *Workspace) Cols(n int) []float32 {
	if n > len(ws.im) {
		ws.im = make([]float32, n)
	}
	return ws.im[:n]
}
