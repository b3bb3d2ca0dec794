package seal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// KeySize is the size in bytes of the master key and of every derived key.
const KeySize = 32

// KeyFileName is the name of the key file that LoadKey keeps in the data folder.
const KeyFileName = "master.key"

// LoadKey returns the master key. When masterKey (the value of KYCD_MASTER_KEY) is not empty it is
// decoded from base64 (standard or URL alphabet, padded or not) or from 64 hex characters, and must
// hold exactly 32 bytes. Otherwise the key is read from <dataDir>/master.key, which is created when
// absent: 32 random bytes in base64, mode 0600, in a data folder created with mode 0700. Two processes
// starting at once end up with the same key. A key file that group or others may read is refused.
// Errors never contain the key.
func LoadKey(masterKey string, dataDir string) ([]byte, error) {
	if masterKey != "" {
		key, err := decodeKey(masterKey)
		if err != nil {
			return nil, fmt.Errorf("seal: KYCD_MASTER_KEY: %w", err)
		}
		return key, nil
	}
	if dataDir == "" {
		return nil, errors.New("seal: no master key: set KYCD_MASTER_KEY or a data folder")
	}
	path := filepath.Join(dataDir, KeyFileName)
	key, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKeyFile(dataDir, path)
	}
	return key, err
}

// LoadPreviousKey decodes the previous master key (KYCD_MASTER_KEY_PREVIOUS, set while a rotation
// runs) as LoadKey decodes KYCD_MASTER_KEY; nil when previous is empty. Errors never contain the key.
func LoadPreviousKey(previous string) ([]byte, error) {
	if previous == "" {
		return nil, nil
	}
	key, err := decodeKey(previous)
	if err != nil {
		return nil, fmt.Errorf("seal: KYCD_MASTER_KEY_PREVIOUS: %w", err)
	}
	return key, nil
}

// decodeKey accepts 64 hex characters or base64 in any common form. Its errors describe the input's
// shape only.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.DecodeString(s)
		if err == nil && len(key) == KeySize {
			return key, nil
		}
	}
	return nil, fmt.Errorf("want %d bytes encoded as base64 or as %d hex characters, got %d characters "+
		"that are neither (generate one with: openssl rand -base64 32)", KeySize, 2*KeySize, len(s))
}

// readKeyFile reads and decodes an existing key file, refusing one that others may read.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: open key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("seal: key file %s is readable by group or others (mode %04o): run chmod 600 %s",
			path, info.Mode().Perm(), path)
	}
	data, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("seal: read key file %s: %w", path, err)
	}
	key, err := decodeKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	return key, nil
}

// createKeyFile writes a new random key to a temporary file and publishes it with a hard link, which
// fails when the key file exists. So a reader never sees a half-written key, a crash never leaves an
// empty key file, and when two processes race the loser reads the winner's key.
func createKeyFile(dataDir, path string) ([]byte, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("seal: create data folder: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("seal: generate key: %w", err)
	}
	tmp, err := writeTempKey(dataDir, key)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		return readKeyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: create key file: %w", err)
	}
	return key, nil
}

// writeTempKey writes key in base64 to a new file of mode 0600 in dir, created with O_EXCL, and
// returns its path.
func writeTempKey(dir string, key []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+KeyFileName+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("seal: create key file: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("seal: write key file: %w", err)
	}
	return f.Name(), nil
}
