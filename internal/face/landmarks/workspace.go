package landmarks

// workspace holds one forward pass's activations and its im2col or depthwise scratch, so that a
// pass after the first allocates nothing (a copy of internal/face/embedding's, as gemmt.go explains). A Net keeps workspaces in a sync.Pool; one is used by one pass at a time.
type workspace struct {
	slab []float32 // activations, handed out in order and reclaimed all at once by reset
	off  int
	need int // floats the last pass asked for, to size the slab once
	im   []float32
}

// reset reclaims every tensor handed out, growing the slab to what the last pass needed.
func (ws *workspace) reset() {
	if ws.need > len(ws.slab) {
		ws.slab = make([]float32, ws.need)
	}
	ws.off, ws.need = 0, 0
}

// tensor hands out an h×w×c tensor whose contents are unspecified.
func (ws *workspace) tensor(h, w, c int) tensor {
	n := h * w * c
	ws.need += n
	var d []float32
	if ws.off+n <= len(ws.slab) {
		d = ws.slab[ws.off : ws.off+n : ws.off+n]
		ws.off += n
	} else {
		d = make([]float32, n) // the first pass only; reset sizes the slab for the next
	}
	return tensor{h, w, c, d}
}

// cols returns scratch of n floats for im2col or a depthwise conv, valid until the next call.
func (ws *workspace) cols(n int) []float32 {
	if n > len(ws.im) {
		ws.im = make([]float32, n)
	}
	return ws.im[:n]
}
