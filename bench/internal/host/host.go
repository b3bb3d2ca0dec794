// Package host describes the machine a benchmark ran on, for its report.
package host

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// Describe returns the number of CPUs this process may use, the CPU model from /proc/cpuinfo, the
// OS and architecture and the Go version: "2 CPUs, AMD EPYC, linux/amd64, go1.26.8".
func Describe() string {
	return fmt.Sprintf("%d CPUs, %s, %s/%s, %s", runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, value, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown CPU"
}

// LoadAverage is the first three fields of /proc/loadavg: the machine's load over 1, 5 and 15
// minutes, to show whether other work shared the CPUs.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
