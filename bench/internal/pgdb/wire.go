package pgdb

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// conn is one connection speaking protocol 3.0.
type conn struct {
	c              net.Conn
	r              *bufio.Reader
	out            []byte
	user, password string
	params         map[string]string
}

// Authentication request codes (message 'R').
const (
	authOK        = 0
	authCleartext = 3
	authMD5       = 5
	authSASL      = 10
	authSASLCont  = 11
	authSASLFinal = 12
)

// send queues a message of type typ (0 for the untyped startup message).
func (c *conn) send(typ byte, payload []byte) {
	if typ != 0 {
		c.out = append(c.out, typ)
	}
	c.out = binary.BigEndian.AppendUint32(c.out, uint32(4+len(payload)))
	c.out = append(c.out, payload...)
}

func (c *conn) flush() error {
	_, err := c.c.Write(c.out)
	c.out = c.out[:0]
	return err
}

// receive reads one message.
func (c *conn) receive() (byte, []byte, error) {
	var head [5]byte
	if _, err := io.ReadFull(c.r, head[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(head[1:])
	if n < 4 || n > 1<<24 {
		return 0, nil, fmt.Errorf("bad message length %d", n)
	}
	body := make([]byte, n-4)
	_, err := io.ReadFull(c.r, body)
	return head[0], body, err
}

func (c *conn) startup(database string) error {
	c.r = bufio.NewReader(c.c)
	c.params = map[string]string{}
	p := binary.BigEndian.AppendUint32(nil, 3<<16)
	for _, kv := range [][2]string{{"user", c.user}, {"database", database}, {"application_name", "kycd-bench"}} {
		p = append(append(append(append(p, kv[0]...), 0), kv[1]...), 0)
	}
	c.send(0, append(p, 0))
	if err := c.flush(); err != nil {
		return err
	}
	var scram *scramClient
	for {
		typ, body, err := c.receive()
		if err != nil {
			return err
		}
		switch typ {
		case 'R':
			if len(body) < 4 {
				return errors.New("short authentication message")
			}
			if scram, err = c.authenticate(binary.BigEndian.Uint32(body), body[4:], scram); err != nil {
				return err
			}
		case 'S':
			if name, value, ok := bytes.Cut(body, []byte{0}); ok {
				c.params[string(name)] = string(bytes.TrimRight(value, "\x00"))
			}
		case 'E':
			return serverError(body)
		case 'Z':
			return nil
		}
	}
}

// authenticate answers one authentication request.
func (c *conn) authenticate(code uint32, data []byte, scram *scramClient) (*scramClient, error) {
	switch code {
	case authOK:
		return scram, nil
	case authCleartext:
		c.send('p', append([]byte(c.password), 0))
	case authMD5:
		if len(data) < 4 {
			return nil, errors.New("short MD5 salt")
		}
		inner := md5.Sum([]byte(c.password + c.user))
		outer := md5.Sum(append([]byte(hex.EncodeToString(inner[:])), data[:4]...))
		c.send('p', append([]byte("md5"+hex.EncodeToString(outer[:])), 0))
	case authSASL:
		if !bytes.Contains(data, []byte("SCRAM-SHA-256\x00")) {
			return nil, fmt.Errorf("the server offers SASL mechanisms %q; only SCRAM-SHA-256 is supported", data)
		}
		scram = newSCRAM()
		first := scram.clientFirst()
		p := append([]byte("SCRAM-SHA-256"), 0)
		p = binary.BigEndian.AppendUint32(p, uint32(len(first)))
		c.send('p', append(p, first...))
	case authSASLCont:
		if scram == nil {
			return nil, errors.New("SASL continue before SASL start")
		}
		final, err := scram.clientFinal(string(data), c.password)
		if err != nil {
			return nil, err
		}
		c.send('p', []byte(final))
	case authSASLFinal:
		if scram == nil || !scram.verifyServer(string(data)) {
			return nil, errors.New("SCRAM: the server's signature does not match")
		}
		return scram, nil
	default:
		return nil, fmt.Errorf("authentication method %d is not supported (trust, password, md5 and scram-sha-256 are)", code)
	}
	return scram, c.flush()
}

// simpleQuery runs query and reads until the server is ready again.
func (c *conn) simpleQuery(query string) error {
	c.send('Q', append([]byte(query), 0))
	if err := c.flush(); err != nil {
		return err
	}
	var qerr error
	for {
		typ, body, err := c.receive()
		if err != nil {
			return err
		}
		switch typ {
		case 'E':
			qerr = serverError(body)
		case 'Z':
			return qerr
		}
	}
}

// serverError turns an ErrorResponse into an error: "SEVERITY CODE: message".
func serverError(body []byte) error {
	fields := map[byte]string{}
	for len(body) > 1 {
		t := body[0]
		v, rest, _ := bytes.Cut(body[1:], []byte{0})
		fields[t] = string(v)
		body = rest
	}
	return fmt.Errorf("%s %s: %s", fields['S'], fields['C'], fields['M'])
}

// scramClient is the client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding.
type scramClient struct {
	nonce       string
	firstBare   string
	authMessage string
	salted      []byte
}

func newSCRAM() *scramClient {
	return &scramClient{nonce: rand.Text()}
}

func (s *scramClient) clientFirst() string {
	// PostgreSQL takes the user from the startup message, so the SCRAM user name is empty.
	s.firstBare = "n=,r=" + s.nonce
	return "n,," + s.firstBare
}

func (s *scramClient) clientFinal(serverFirst, password string) (string, error) {
	var nonce, salt64 string
	iterations := 0
	for _, attr := range strings.Split(serverFirst, ",") {
		k, v, _ := strings.Cut(attr, "=")
		switch k {
		case "r":
			nonce = v
		case "s":
			salt64 = v
		case "i":
			iterations, _ = strconv.Atoi(v)
		}
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil || !strings.HasPrefix(nonce, s.nonce) || iterations <= 0 {
		return "", fmt.Errorf("SCRAM: bad server-first message %q", serverFirst)
	}
	s.salted, err = pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return "", fmt.Errorf("SCRAM: %w", err)
	}
	withoutProof := "c=biws,r=" + nonce
	s.authMessage = s.firstBare + "," + serverFirst + "," + withoutProof
	clientKey := mac(s.salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	proof := mac(stored[:], s.authMessage)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
}

func (s *scramClient) verifyServer(serverFinal string) bool {
	v, ok := strings.CutPrefix(serverFinal, "v=")
	if !ok {
		return false
	}
	want := mac(mac(s.salted, "Server Key"), s.authMessage)
	got, err := base64.StdEncoding.DecodeString(v)
	return err == nil && hmac.Equal(got, want)
}

func mac(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}
