// Package server runs a kycd binary for a benchmark: it builds the binary when asked, gives the
// server a fresh data folder and a free port on 127.0.0.1, creates a test API key, waits for
// /readyz, reads the process's memory from /proc and stops it with SIGTERM; for failover
// benchmarks it kills a server with SIGKILL and restarts it on the same address.
package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Build compiles kycd/cmd/kycd into dir and returns the binary's path. It must run inside the
// kycd module (the go command finds the module from the working folder).
func Build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "kycd")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "kycd/cmd/kycd")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("server: go build kycd/cmd/kycd: %w\n%s", err, out)
	}
	return bin, nil
}

// Binary returns bin when it is set; otherwise it builds kycd into a new temp folder and returns
// the binary there. cleanup removes what Binary made.
func Binary(ctx context.Context, bin string) (path string, cleanup func(), err error) {
	if bin != "" {
		return bin, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "kycd-bench-bin-*")
	if err != nil {
		return "", nil, fmt.Errorf("server: %w", err)
	}
	if path, err = Build(ctx, dir); err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, err
	}
	return path, func() { _ = os.RemoveAll(dir) }, nil
}

// Config says how to run the server.
type Config struct {
	// Bin is the kycd binary. Required.
	Bin string
	// DatabaseURL is a postgres:// URL; empty means SQLite in the data folder.
	DatabaseURL string
	// Env holds extra NAME=value settings for the server, after those the benchmark sets.
	Env []string
	// ReadyTimeout bounds the wait for /readyz. Default 60 s.
	ReadyTimeout time.Duration
}

// Server is a running kycd.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT.
	URL string
	// Key is a test-environment API key.
	Key string
	// PID is the server's process id.
	PID int
	// LogPath is the file that holds the server's log (its stderr).
	LogPath string

	dir    string
	env    []string // the process's environment, kept for Restart
	cfg    Config
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // the process's exit, once exited is closed
}

// Start creates a data folder, an API key and a server process, and waits until the server
// answers /readyz. On error nothing is left running or on disk.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = 60 * time.Second
	}
	dir, err := os.MkdirTemp("", "kycd-bench-*")
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &Server{dir: dir, LogPath: filepath.Join(dir, "server.log"), exited: make(chan struct{})}
	close(s.exited) // no process yet
	if err := s.start(ctx, cfg); err != nil {
		_ = s.Stop(5 * time.Second)
		_ = s.Remove()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, cfg Config) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	s.cfg, s.env = cfg, serverEnv(filepath.Join(s.dir, "data"), addr, cfg)
	s.Key, err = createKey(ctx, cfg.Bin, s.env)
	if err != nil {
		return err
	}
	s.URL = "http://" + addr
	return s.spawn(ctx)
}

// spawn starts `kycd serve` with the server's environment, its output appended to the log, and
// waits for /readyz.
func (s *Server) spawn(ctx context.Context) error {
	logFile, err := os.OpenFile(s.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	s.cmd = exec.Command(s.cfg.Bin, "serve")
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("server: start %s serve: %w", s.cfg.Bin, err)
	}
	s.PID = s.cmd.Process.Pid
	exited := make(chan struct{})
	s.exited = exited
	go func(cmd *exec.Cmd) {
		s.err = cmd.Wait()
		close(exited)
	}(s.cmd)
	return s.waitReady(ctx, s.cfg.ReadyTimeout)
}

// Kill sends SIGKILL, as a crash or an out-of-memory kill would end the process, and waits for
// it to be gone.
func (s *Server) Kill() error {
	select {
	case <-s.exited:
		return fmt.Errorf("server: kycd serve had already exited: %v", s.err)
	default:
	}
	if err := s.cmd.Process.Kill(); err != nil {
		return fmt.Errorf("server: SIGKILL: %w", err)
	}
	<-s.exited
	return nil
}

// Restart starts the server again after Kill (or an exit), on the same address, data folder and
// settings, keeping its API key, and waits for /readyz. The log goes on in the same file.
func (s *Server) Restart(ctx context.Context) error {
	select {
	case <-s.exited:
	default:
		return errors.New("server: Restart of a running kycd serve")
	}
	return s.spawn(ctx)
}

// serverEnv is this process's environment without any KYCD_ setting, then the benchmark's.
func serverEnv(dataDir, addr string, cfg Config) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KYCD_") {
			env = append(env, kv)
		}
	}
	// A benchmark never reaches the sanctions publishers; cfg.Env may point the URLs at a local server.
	env = append(env, "KYCD_DATA_DIR="+dataDir, "KYCD_ADDR="+addr, "KYCD_SANCTIONS_REFRESH=off")
	if cfg.DatabaseURL != "" {
		env = append(env, "KYCD_DATABASE_URL="+cfg.DatabaseURL)
	}
	return append(env, cfg.Env...)
}

// freeAddr asks the kernel for a free port on 127.0.0.1. Another process could take it before
// the server binds it; Start then fails on readiness and says so.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("server: find a free port: %w", err)
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

func createKey(ctx context.Context, bin string, env []string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, "apikey", "create", "--env", "test", "--name", "bench")
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("server: kycd apikey create: %w\n%s", err, stderr.Bytes())
	}
	key := strings.TrimSpace(stdout.String())
	if key == "" {
		return "", fmt.Errorf("server: kycd apikey create printed no key\n%s", stderr.Bytes())
	}
	return key, nil
}

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/readyz", nil)
		if err != nil {
			return fmt.Errorf("server: %w", err)
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("server: kycd serve exited before it was ready (%v); its log:\n%s", s.err, s.Tail(20))
		case <-ctx.Done():
			return fmt.Errorf("server: not ready at %s/readyz after %s; its log:\n%s", s.URL, timeout, s.Tail(20))
		case <-tick.C:
		}
	}
}

// Stop sends SIGTERM and waits up to grace for the process to exit, then kills it. It returns the
// process's exit error: nil when it exited with status 0 after the signal.
func (s *Server) Stop(grace time.Duration) error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.exited:
		return fmt.Errorf("server: kycd serve had already exited: %v", s.err)
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("server: SIGTERM: %w", err)
	}
	select {
	case <-s.exited:
		if s.err != nil {
			return fmt.Errorf("server: kycd serve exited after SIGTERM: %w", s.err)
		}
		return nil
	case <-time.After(grace):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("server: kycd serve did not stop within %s of SIGTERM; killed", grace)
	}
}

// Remove deletes the data folder and the log. Call it after Stop.
func (s *Server) Remove() error {
	return os.RemoveAll(s.dir)
}

// Tail returns the last n lines of the server's log.
func (s *Server) Tail(n int) string {
	b, err := os.ReadFile(s.LogPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// LogLines returns the log lines of level (a slog JSON level: "ERROR", "WARN") and their count;
// at most keep lines are returned.
func (s *Server) LogLines(level string, keep int) ([]string, int, error) {
	f, err := os.Open(s.LogPath)
	if err != nil {
		return nil, 0, fmt.Errorf("server: %w", err)
	}
	defer f.Close()
	var lines []string
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	needle := `"level":"` + level + `"`
	for sc.Scan() {
		if strings.Contains(sc.Text(), needle) {
			n++
			if len(lines) < keep {
				lines = append(lines, sc.Text())
			}
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return lines, n, fmt.Errorf("server: read log: %w", err)
	}
	return lines, n, nil
}
