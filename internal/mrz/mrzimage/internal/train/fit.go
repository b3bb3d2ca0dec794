package main

import (
	"log"
	"math"
	"math/rand/v2"

	"kycd/internal/mrz/mrzimage/internal/ocrb"
)

// fit trains net by stochastic gradient descent with momentum on the cross-entropy, halving the
// learning rate each epoch after the third, and logs the validation error after each epoch.
func fit(net *ocrb.Net, train, valid set, epochs int, rng *rand.Rand) {
	scale1 := float32(math.Sqrt(2 / float64(net.In)))
	for i := range net.W1 {
		net.W1[i] = float32(rng.NormFloat64()) * scale1
	}
	scale2 := float32(math.Sqrt(2 / float64(net.Hidden)))
	for i := range net.W2 {
		net.W2[i] = float32(rng.NormFloat64()) * scale2
	}
	v := ocrb.NewNet(net.Hidden) // momentum
	hid := make([]float32, net.Hidden)
	prob := make([]float32, net.Out)
	dh := make([]float32, net.Hidden)
	lr := float32(0.005)
	const mom = 0.9
	order := make([]int, len(train.y))
	for i := range order {
		order[i] = i
	}
	for ep := 0; ep < epochs; ep++ {
		if ep >= 3 {
			lr *= 0.6
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, n := range order {
			x, y := train.x[n], train.y[n]
			net.Forward(x, hid, prob)
			for j := range dh {
				dh[j] = 0
			}
			for k := 0; k < net.Out; k++ {
				g := prob[k]
				if k == y {
					g--
				}
				row := net.W2[k*net.Hidden : (k+1)*net.Hidden]
				vrow := v.W2[k*net.Hidden : (k+1)*net.Hidden]
				for j, h := range hid {
					dh[j] += g * row[j]
					vrow[j] = mom*vrow[j] - lr*g*h
					row[j] += vrow[j]
				}
				v.B2[k] = mom*v.B2[k] - lr*g
				net.B2[k] += v.B2[k]
			}
			for j, h := range hid {
				if h <= 0 {
					continue
				}
				g := dh[j]
				row := net.W1[j*net.In : (j+1)*net.In]
				vrow := v.W1[j*net.In : (j+1)*net.In]
				for i, xv := range x {
					vrow[i] = mom*vrow[i] - lr*g*xv
					row[i] += vrow[i]
				}
				v.B1[j] = mom*v.B1[j] - lr*g
				net.B1[j] += v.B1[j]
			}
		}
		log.Printf("epoch %d: validation error %.4f", ep+1, errorRate(net, valid))
	}
}

// errorRate is the share of s whose most probable class is wrong.
func errorRate(net *ocrb.Net, s set) float64 {
	hid := make([]float32, net.Hidden)
	prob := make([]float32, net.Out)
	wrong := 0
	for n, x := range s.x {
		net.Forward(x, hid, prob)
		best := 0
		for k := range prob {
			if prob[k] > prob[best] {
				best = k
			}
		}
		if best != s.y[n] {
			wrong++
		}
	}
	return float64(wrong) / float64(len(s.y))
}
