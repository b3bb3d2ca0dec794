package match

// jaroWinkler is the Jaro-Winkler similarity of two ASCII words, 0 to 1.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > 64 || lb > 64 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb uint64
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb-1, i+window)
		for j := lo; j <= hi; j++ {
			if mb&(1<<j) == 0 && a[i] == b[j] {
				ma |= 1 << i
				mb |= 1 << j
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if ma&(1<<i) == 0 {
			continue
		}
		for mb&(1<<j) == 0 {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
	p := 0
	for p < 4 && p < la && p < lb && a[p] == b[p] {
		p++
	}
	return jaro + float64(p)*0.1*(1-jaro)
}
