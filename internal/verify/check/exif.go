package check

import (
	"encoding/binary"
	"image"
	"image/draw"
)

// exifOrientation reads the EXIF orientation (1-8) from the start of a JPEG: the APP1 "Exif"
// segment's first image directory, tag 0x0112. It answers 1 (upright) when there is none or the
// segment is malformed; header must hold the bytes up to the frame header, which is what
// image.DecodeConfig reads.
func exifOrientation(header []byte) int {
	if len(header) < 4 || header[0] != 0xFF || header[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(header) && header[i] == 0xFF; {
		marker := header[i+1]
		size := int(binary.BigEndian.Uint16(header[i+2:]))
		if size < 2 || marker == 0xDA || (marker >= 0xC0 && marker <= 0xC3) {
			return 1
		}
		end := min(i+2+size, len(header))
		if seg := header[i+4 : end]; marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + size
	}
	return 1
}

// tiffOrientation finds tag 0x0112 in the first directory of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[ifd:]))
	for e := ifd + 2; e+12 <= len(t) && n > 0; e, n = e+12, n-1 {
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// orient turns an image stored with EXIF orientation o upright. Orientations 5 to 8 swap width
// and height. An upright image is returned as it is. A YCbCr or Gray image, which is what JPEG
// decoding gives, keeps its type and size in memory: each plane is remapped on its own (chroma
// planes at their own resolution, which with odd dimensions may shift colour by one chroma
// sample; luminance, which the checks read, is exact). Other images become RGBA.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	switch src := img.(type) {
	case *image.YCbCr:
		if dst := orientYCbCr(src, o); dst != nil {
			return dst
		}
	case *image.Gray:
		if src.Rect.Min == (image.Point{}) {
			w, h := src.Rect.Dx(), src.Rect.Dy()
			dst := image.NewGray(orientRect(w, h, o))
			remapPlane(dst.Pix, dst.Stride, src.Pix, src.Stride, w, h, o)
			return dst
		}
	}
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Rect, img, b.Min, draw.Src)
	w, h := b.Dx(), b.Dy()
	dst := image.NewRGBA(orientRect(w, h, o))
	for y := range h {
		for x := range w {
			dx, dy := orientPoint(o, x, y, w, h)
			copy(dst.Pix[dst.PixOffset(dx, dy):][:4], src.Pix[src.PixOffset(x, y):][:4])
		}
	}
	return dst
}

// orientYCbCr remaps the planes of src, or returns nil when the subsampling has no turned
// counterpart (4:1:1 and 4:1:0 turned by 90 degrees) or the image does not start at 0, 0.
func orientYCbCr(src *image.YCbCr, o int) *image.YCbCr {
	if src.Rect.Min != (image.Point{}) {
		return nil
	}
	ratio := src.SubsampleRatio
	if o >= 5 {
		switch ratio {
		case image.YCbCrSubsampleRatio422:
			ratio = image.YCbCrSubsampleRatio440
		case image.YCbCrSubsampleRatio440:
			ratio = image.YCbCrSubsampleRatio422
		case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
			return nil
		}
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewYCbCr(orientRect(w, h, o), ratio)
	remapPlane(dst.Y, dst.YStride, src.Y, src.YStride, w, h, o)
	cw, ch := chromaSize(w, h, src.SubsampleRatio)
	remapPlane(dst.Cb, dst.CStride, src.Cb, src.CStride, cw, ch, o)
	remapPlane(dst.Cr, dst.CStride, src.Cr, src.CStride, cw, ch, o)
	return dst
}

// chromaSize is the size of the chroma planes of a w x h YCbCr image.
func chromaSize(w, h int, r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}

// orientRect is the bounds of a w x h image turned upright from orientation o.
func orientRect(w, h, o int) image.Rectangle {
	if o >= 5 {
		return image.Rect(0, 0, h, w)
	}
	return image.Rect(0, 0, w, h)
}

// remapPlane copies a w x h plane of bytes to its upright place in dst.
func remapPlane(dst []uint8, dstStride int, src []uint8, srcStride, w, h, o int) {
	for y := range h {
		row := src[y*srcStride : y*srcStride+w]
		for x, v := range row {
			dx, dy := orientPoint(o, x, y, w, h)
			dst[dy*dstStride+dx] = v
		}
	}
}

// orientPoint maps pixel (x, y) of a w x h stored image to its place in the upright image.
func orientPoint(o, x, y, w, h int) (int, int) {
	switch o {
	case 2: // mirrored horizontally
		return w - 1 - x, y
	case 3: // rotated 180
		return w - 1 - x, h - 1 - y
	case 4: // mirrored vertically
		return x, h - 1 - y
	case 5: // transposed
		return y, x
	case 6: // stored rotated 90 counter-clockwise: turn clockwise
		return h - 1 - y, x
	case 7: // transversed
		return h - 1 - y, w - 1 - x
	case 8: // stored rotated 90 clockwise: turn counter-clockwise
		return y, w - 1 - x
	}
	return x, y
}
