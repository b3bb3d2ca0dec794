package embedding

import "kycd/internal/face/nn"

// workspace is a pass's nn.Workspace, handing out this package's tensors.
type workspace struct{ nn.Workspace }

// tensor hands out an h×w×c tensor whose contents are unspecified, valid until Reset.
func (ws *workspace) tensor(h, w, c int) tensor { return tensor{h, w, c, ws.Floats(h * w * c)} }
