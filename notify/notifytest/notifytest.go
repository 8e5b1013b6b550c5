// Package notifytest runs a real SMTP server on loopback for tests of
// code that sends e-mail through package notify: aiosmtpd (Debian's
// python3-aiosmtpd) with STARTTLS, a certificate from a throwaway CA, a
// required login, and an inbox the test reads back.
//
//	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{})
//	n, _ := notify.NewSMTP(notify.SMTPConfig{Addr: srv.Addr, From: "isms@example.com",
//		Username: srv.Username, Password: srv.Password, TLSConfig: srv.TLSConfig()})
//	// ... send ...
//	for _, m := range srv.Messages(t) { ... }
//
// A program under test (a CLI) trusts the CA through SSL_CERT_FILE=srv.CAFile.
//
// Without python3 and aiosmtpd, StartSMTP skips the test, and fails it
// when the environment variable CI is "true": CI must run these tests.
package notifytest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

//go:embed smtpd.py
var script []byte

// SMTPMode is what the server offers.
type SMTPMode string

// The modes of [StartSMTP]. The zero value means ModeSTARTTLS.
const (
	// ModeSTARTTLS offers STARTTLS and requires it before MAIL, and
	// requires a login, which it only accepts over TLS: a submission
	// server as it should be.
	ModeSTARTTLS SMTPMode = "starttls"
	// ModeImplicit speaks TLS from the first byte (smtps) and requires a
	// login.
	ModeImplicit SMTPMode = "implicit"
	// ModePlain offers neither TLS nor AUTH: a server a client that
	// requires STARTTLS must refuse, or a loopback relay.
	ModePlain SMTPMode = "plain"
)

// SMTPOptions configure [StartSMTP]; the zero value is a STARTTLS server.
type SMTPOptions struct {
	Mode SMTPMode
}

// SMTPServer is a running server. Its fields are set by StartSMTP and
// must not be changed. It is safe for concurrent use by multiple
// goroutines.
type SMTPServer struct {
	// Addr is the server's "127.0.0.1:port".
	Addr string
	// Username and Password are the one login the server accepts (a
	// random password for each server); empty for ModePlain.
	Username, Password string
	// CAFile is the PEM file of the CA that signed the server's
	// certificate (valid for 127.0.0.1, ::1 and localhost).
	CAFile string
	// CAPool holds that CA.
	CAPool *x509.CertPool

	inbox string
}

// Received is one message the server accepted.
type Received struct {
	// From and To are the envelope's sender and recipients.
	From string
	To   []string
	// Raw is the message as received (CRLF line ends, dots unstuffed).
	Raw []byte
}

// Parse parses Raw with net/mail; each call returns a fresh message whose
// body can be read once.
func (r Received) Parse() (*mail.Message, error) {
	return mail.ReadMessage(bytes.NewReader(r.Raw))
}

// TLSConfig returns a TLS configuration that trusts the server's CA.
func (s *SMTPServer) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.CAPool}
}

// Messages returns the messages accepted so far, in the order received.
// A message is stored before the server acknowledges its data, so a send
// that succeeded is in the list.
func (s *SMTPServer) Messages(t testing.TB) []Received {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(s.inbox, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	var out []Received
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			MailFrom string   `json:"mail_from"`
			RcptTos  []string `json:"rcpt_tos"`
			Data     string   `json:"data"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatalf("notifytest: %s: %v", name, err)
		}
		raw, err := base64.StdEncoding.DecodeString(rec.Data)
		if err != nil {
			t.Fatalf("notifytest: %s: %v", name, err)
		}
		out = append(out, Received{From: rec.MailFrom, To: rec.RcptTos, Raw: raw})
	}
	return out
}

var (
	pythonOnce sync.Once
	python     string
)

// Python returns the path of a python3 that can import aiosmtpd
// (/usr/bin/python3 first, then python3 on PATH), or "" if there is none.
func Python() string {
	pythonOnce.Do(func() {
		candidates := []string{"/usr/bin/python3"}
		if p, err := exec.LookPath("python3"); err == nil {
			candidates = append(candidates, p)
		}
		for _, p := range candidates {
			if exec.Command(p, "-c", "import aiosmtpd").Run() == nil {
				python = p
				return
			}
		}
	})
	return python
}

// StartSMTP starts a server for the test and stops it when the test ends.
// Without python3 and aiosmtpd it skips the test, or fails it under
// CI=true.
func StartSMTP(t testing.TB, opts SMTPOptions) *SMTPServer {
	t.Helper()
	py := Python()
	if py == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("notifytest: python3 with aiosmtpd is needed for the SMTP tests (Debian: python3-aiosmtpd); under CI=true they must not be skipped")
		}
		t.Skip("notifytest: python3 with aiosmtpd not found (Debian: python3-aiosmtpd)")
	}
	mode := opts.Mode
	if mode == "" {
		mode = ModeSTARTTLS
	}
	switch mode {
	case ModeSTARTTLS, ModeImplicit, ModePlain:
	default:
		t.Fatalf("notifytest: unknown mode %q", mode)
	}
	dir := t.TempDir()
	s := &SMTPServer{inbox: filepath.Join(dir, "inbox")}
	if err := os.Mkdir(s.inbox, 0o700); err != nil {
		t.Fatal(err)
	}
	scriptPath := filepath.Join(dir, "smtpd.py")
	if err := os.WriteFile(scriptPath, script, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.makeCerts(dir); err != nil {
		t.Fatalf("notifytest: certificates: %v", err)
	}
	args := []string{scriptPath, "--inbox", s.inbox, "--mode", string(mode),
		"--cert", filepath.Join(dir, "cert.pem"), "--key", filepath.Join(dir, "key.pem")}
	if mode != ModePlain {
		var pw [12]byte
		rand.Read(pw[:])
		s.Username, s.Password = "notifytest", hex.EncodeToString(pw[:])
		args = append(args, "--user", s.Username)
	}
	// The port is chosen here and handed over; another process may take
	// it in between, so a failed start is tried again on a new port.
	var lastErr error
	for try := 0; try < 3; try++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.start(t, py, append(args, "--port", strconv.Itoa(port))); err != nil {
			lastErr = err
			continue
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		return s
	}
	t.Fatalf("notifytest: start aiosmtpd: %v", lastErr)
	return nil
}

func (s *SMTPServer) start(t testing.TB, py string, args []string) error {
	cmd := exec.Command(py, args...)
	cmd.Env = append(os.Environ(), "SMTPD_PASSWORD="+s.Password, "PYTHONUNBUFFERED=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() && strings.HasPrefix(sc.Text(), "ready ") {
			ready <- nil
		} else {
			ready <- fmt.Errorf("no \"ready\" line")
		}
		for sc.Scan() {
		}
	}()
	stop := func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	select {
	case err := <-ready:
		if err != nil {
			stop()
			return fmt.Errorf("%v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		stop()
		return fmt.Errorf("not ready after 60s; stderr:\n%s", stderr.String())
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("aiosmtpd stderr:\n%s", stderr.String())
		}
	})
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// makeCerts writes ca.pem, cert.pem and key.pem to dir: a CA and a server
// certificate for 127.0.0.1, ::1 and localhost, valid for a day.
func (s *SMTPServer) makeCerts(dir string) error {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "notifytest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	write := func(name, typ string, der []byte) error {
		return os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
	}
	if err := write("ca.pem", "CERTIFICATE", caDER); err != nil {
		return err
	}
	if err := write("cert.pem", "CERTIFICATE", der); err != nil {
		return err
	}
	if err := write("key.pem", "PRIVATE KEY", keyDER); err != nil {
		return err
	}
	s.CAFile = filepath.Join(dir, "ca.pem")
	s.CAPool = x509.NewCertPool()
	s.CAPool.AddCert(ca)
	return nil
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}
