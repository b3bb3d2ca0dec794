package main

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"kycd/internal/media/mediatest"
	"strings"
)

type reader func(path string) ([]byte, error)

// mrzSeeds: the Utopia specimens (which FuzzParse adds itself) in the shapes ParseAt tolerates or
// refuses: pasted on one line, lower case, CRLF, OCR's O for 0, a wrong check digit, a short
// line, a character outside the MRZ set, a TD1 document number that overflows.
func mrzSeeds(read reader) ([]seed, error) {
	b, err := read("internal/mrz/testdata/specimens.txt")
	if err != nil {
		return nil, err
	}
	var blocks []string
	for _, part := range strings.Split(string(b), "\n\n") {
		var lines []string
		for _, l := range strings.Split(part, "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			blocks = append(blocks, strings.Join(lines, "\n"))
		}
	}
	if len(blocks) < 3 {
		return nil, fmt.Errorf("specimens.txt: %d blocks", len(blocks))
	}
	td3, td1, td2 := blocks[0], blocks[1], blocks[2]
	s := func(name, text string) seed { return seed{"internal/mrz", "FuzzParse", name, []any{text}} }
	return []seed{
		s("td3-one-line", strings.ReplaceAll(td3, "\n", "")),
		s("td1-one-line", strings.ReplaceAll(td1, "\n", "")),
		s("td3-lower-crlf", strings.ToLower(strings.ReplaceAll(td3, "\n", "\r\n"))),
		s("td2-spaces-blank-lines", "  \n"+strings.ReplaceAll(td2, "\n", " \n\n ")+"\n\t"),
		s("td3-ocr-o-for-0", strings.Replace(td3, "7408122", "74O8122", 1)),
		s("td3-wrong-check-digit", strings.Replace(td3, "C36UTO", "C35UTO", 1)),
		s("td3-short-line", td3[:len(td3)-1]),
		s("td1-accented", strings.Replace(td1, "ANNA", "ANNÉ", 1)),
		s("td1-number-overflow", strings.Replace(td1, "D231458907<<<<<<<<<<<<<<<", "D23145890<AB12345<<<<<<<<", 1)),
		s("four-lines", td1+"\n"+strings.Repeat("<", 30)),
	}, nil
}

// dataURLSeeds: data URLs as browsers and apps write them.
func dataURLSeeds(reader) ([]seed, error) {
	s := func(name, text string) seed { return seed{"internal/httpapi", "FuzzDataURLPayload", name, []any{text}} }
	png := base64.StdEncoding.EncodeToString(pngOf(paletted()))
	return []seed{
		s("png", "data:image/png;base64,"+png),
		s("pdf", "data:application/pdf;base64,"+base64.StdEncoding.EncodeToString(mediatest.MinimalPDF("1.4", 0))),
		s("heic-mime-wrapped", "data:image/heic;base64,"+base64.StdEncoding.EncodeToString(heifBoxes("heic", []string{"mif1"}, false))),
		s("line-breaks", "data:image/png;base64,"+png[:20]+"\r\n"+png[20:]),
		s("url-safe-alphabet", "data:image/png;base64,"+base64.URLEncoding.EncodeToString([]byte{0xfb, 0xff, 0xfe})),
		s("unpadded", "data:image/png;base64,"+base64.RawStdEncoding.EncodeToString([]byte("ab"))),
		s("not-base64", "data:text/plain;charset=utf-8,%00%FF"),
		s("two-commas", "data:image/png;base64,,AAAA"),
	}, nil
}

// mediaFiles are small files of every accepted type, valid and broken, for both media targets.
func mediaFiles(read reader) (map[string][]byte, error) {
	files := map[string][]byte{}
	for name, path := range map[string]string{
		"heic-sample":      "internal/media/testdata/test8.heic",
		"jpeg-progressive": "internal/media/testdata/video-001.q50.420.progressive.jpeg",
		"webp-lossy-alpha": "internal/media/testdata/yellow_rose.lossy-with-alpha.webp",
	} {
		b, err := read(path)
		if err != nil {
			return nil, err
		}
		files[name] = b
	}
	j := jpegOf(gradient(17, 9), 75)
	files["jpeg-exif-6"] = withAfterSOI(j, exifSegment(6, binary.BigEndian))
	files["jpeg-after-eoi"] = append(append([]byte{}, j...), "trailing data a phone adds"...)
	files["jpeg-gray"] = jpegOf(grayImage(9, 17), 60)
	files["png-paletted"] = pngOf(paletted())
	files["png-16-bit"] = pngOf(rgba64())
	files["png-interlaced"] = interlacedPNG(8, 8)
	files["png-after-iend"] = append(pngOf(grayImage(4, 4)), 0)
	files["png-truncated"] = pngOf(gradient(8, 8))[:60]
	files["heif-mif1-large-mdat"] = heifBoxes("mif1", []string{"mif1", "heic"}, true)
	files["heif-avif-brands"] = heifBoxes("avif", []string{"mif1", "avif"}, false)
	files["pdf-1.4"] = mediatest.MinimalPDF("1.4", 0)
	files["pdf-2.0"] = mediatest.MinimalPDF("2.0", 0)
	files["pdf-xref-stream"] = xrefStreamPDF()
	files["pdf-zip-polyglot"] = polyglotPDF()
	files["pdf-eof-too-early"] = lateEOFPDF()
	files["pdf-header-and-eof-only"] = []byte("%PDF-1.4 %%EOF")
	return files, nil
}

func mediaSeeds(read reader) ([]seed, error) {
	files, err := mediaFiles(read)
	if err != nil {
		return nil, err
	}
	var out []seed
	for name, b := range files {
		out = append(out, seed{"internal/media", "FuzzInspect", name, []any{b}}, seed{"internal/media", "FuzzSniff", name, []any{b}})
	}
	return out, nil
}

// decodeSeeds: images for the decoder and the decode budget, and JPEG headers for their readers.
func decodeSeeds(read reader) ([]seed, error) {
	heic, err := read("internal/verify/check/testdata/test8.heic")
	if err != nil {
		return nil, err
	}
	j := jpegOf(gradient(17, 9), 75)
	d := func(name string, b []byte) seed { return seed{"internal/verify/check", "FuzzDecode", name, []any{b}} }
	h := func(name string, b []byte, w, hh uint16) seed {
		return seed{"internal/verify/check", "FuzzJPEGHeader", name, []any{b, w, hh}}
	}
	progressive := append([]byte{}, j...)
	for i := 2; i+1 < len(progressive); i++ {
		if progressive[i] == 0xFF && progressive[i+1] == 0xC0 {
			progressive[i+1] = 0xC2 // header only: the scans stay baseline
			break
		}
	}
	return []seed{
		d("heic-512", heic),
		d("jpeg-exif-8-le", withAfterSOI(j, exifSegment(8, binary.LittleEndian))),
		d("jpeg-gray-exif-5", withAfterSOI(jpegOf(grayImage(9, 17), 60), exifSegment(5, binary.BigEndian))),
		d("png-paletted", pngOf(paletted())),
		d("png-16-bit", pngOf(rgba64())),
		d("png-interlaced", interlacedPNG(8, 8)),
		h("exif-6-be", withAfterSOI(j, exifSegment(6, binary.BigEndian)), 17, 9),
		h("exif-3-le", withAfterSOI(j, exifSegment(3, binary.LittleEndian)), 17, 9),
		h("exif-9-out-of-range", withAfterSOI(j, exifSegment(9, binary.BigEndian)), 17, 9),
		h("sof2-header", progressive, 17, 9),
		h("fill-bytes-and-rst", append([]byte{0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xD0}, j[2:]...), 17, 9),
		h("planted-one-component-sof", append([]byte{0xFF, 0xD8, 0xFF, 0x00, 0x00, 0x0A, 0xFF, 0xE1, 0, 19, 0, 0, 0, 0,
			0xFF, 0xC0, 0x00, 0x0B, 8, 0, 9, 0, 17, 1, 1, 0x11, 0}, j[2:]...), 17, 9),
		h("max-dimensions", j, 65535, 65535),
	}, nil
}
