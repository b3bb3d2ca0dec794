package weights

import _ "embed"

// RecognitionManifest is the tfjs weights manifest of the recognition net
// (face_recognition_model-weights_manifest.json).
//
//go:embed face_recognition_model-weights_manifest.json
var RecognitionManifest []byte

// RecognitionBin holds the recognition net's tensors in the order of RecognitionManifest
// (face_recognition_model.bin).
//
//go:embed face_recognition_model.bin
var RecognitionBin []byte

// Landmark68Manifest is the tfjs weights manifest of the 68-point landmark net
// (face_landmark_68_model-weights_manifest.json).
//
//go:embed face_landmark_68_model-weights_manifest.json
var Landmark68Manifest []byte

// Landmark68Bin holds the landmark net's tensors in the order of Landmark68Manifest
// (face_landmark_68_model.bin).
//
//go:embed face_landmark_68_model.bin
var Landmark68Bin []byte
