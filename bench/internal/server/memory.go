package server

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory reads the process's VmRSS (resident now) and VmHWM (the most it was ever resident) from
// /proc/PID/status, in bytes.
func Memory(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("server: memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("server: memory: %s: %w", name, err)
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, fmt.Errorf("server: memory: %w", err)
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("server: memory: no VmRSS in /proc/%d/status", pid)
	}
	return rss, hwm, nil
}

// Sample is one reading of a process's resident memory.
type Sample struct {
	// At is when the reading was taken.
	At time.Time
	// RSS is VmRSS in bytes.
	RSS int64
}

// Sampler reads a process's VmRSS at a fixed interval until stopped.
type Sampler struct {
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	samples []Sample
	err     error
}

// StartSampler starts reading pid's VmRSS every interval.
func StartSampler(pid int, interval time.Duration) *Sampler {
	s := &Sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go s.run(pid, interval)
	return s
}

func (s *Sampler) run(pid int, interval time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		rss, _, err := Memory(pid)
		s.mu.Lock()
		if err != nil {
			s.err = err
		} else {
			s.samples = append(s.samples, Sample{At: time.Now(), RSS: rss})
		}
		s.mu.Unlock()
		if err != nil {
			return
		}
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
	}
}

// Stop ends the sampling and returns every sample, and the error that ended it early if any.
func (s *Sampler) Stop() ([]Sample, error) {
	close(s.stop)
	<-s.done
	return s.samples, s.err
}

// Peak returns the largest RSS among the samples taken in [from, to] (zero times mean unbounded)
// and how many samples that window holds.
func Peak(samples []Sample, from, to time.Time) (peak int64, n int) {
	for _, x := range samples {
		if (!from.IsZero() && x.At.Before(from)) || (!to.IsZero() && x.At.After(to)) {
			continue
		}
		n++
		peak = max(peak, x.RSS)
	}
	return peak, n
}

// clockTicks is USER_HZ, the unit of the times in /proc/PID/stat: 100 on every Linux
// architecture Go supports.
const clockTicks = 100

// CPUTime returns the user and the system CPU time the process has used, from /proc/PID/stat.
func CPUTime(pid int) (user, system time.Duration, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("server: cpu time: %w", err)
	}
	// The command name, field 2, is in parentheses and may hold spaces; utime and stime are
	// fields 14 and 15, the 12th and 13th after it.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("server: cpu time: cannot parse /proc/%d/stat", pid)
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return 0, 0, fmt.Errorf("server: cpu time: cannot parse /proc/%d/stat", pid)
	}
	var ticks [2]int64
	for k, f := range fields[11:13] {
		if ticks[k], err = strconv.ParseInt(f, 10, 64); err != nil {
			return 0, 0, fmt.Errorf("server: cpu time: %w", err)
		}
	}
	return time.Duration(ticks[0]) * time.Second / clockTicks, time.Duration(ticks[1]) * time.Second / clockTicks, nil
}
