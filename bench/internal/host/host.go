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
