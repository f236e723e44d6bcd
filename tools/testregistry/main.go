// Command testregistry serves the release in a dist/ directory through the
// provider registry protocol, over HTTPS on loopback, as the Terraform and
// OpenTofu registries serve a published release: the CLI then downloads
// the zip, checks it against the SHA256SUMS and the SHA256SUMS against its
// GPG signature and the signing key, exactly as with a real registry.
// tools/install-test.sh points both CLIs' registry host names at it with
// `host` blocks in the CLI configuration. With -mirror it also serves a
// directory that `providers mirror` wrote, as a network mirror, under
// /mirror/.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

func main() {
	dist := flag.String("dist", "dist", "directory of the release")
	namespace := flag.String("namespace", "rdslicensing", "provider namespace")
	keyFile := flag.String("key", "", "ASCII-armoured public key that signed the SHA256SUMS")
	keyID := flag.String("key-id", "", "its key ID")
	certOut := flag.String("cert-out", "", "write the server's certificate (PEM) here")
	ready := flag.String("ready-file", "", "write the base URL here once serving")
	mirror := flag.String("mirror", "", "directory to serve under /mirror/ (a network mirror)")
	flag.Parse()

	r, err := load(*dist, *namespace, *keyFile, *keyID)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	cert, certPEM, err := selfSigned()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*certOut, certPEM, 0o600); err != nil {
		log.Fatal(err)
	}
	r.base = "https://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("/", r)
	if *mirror != "" {
		mux.Handle("/mirror/", logged(http.StripPrefix("/mirror/", http.FileServer(http.Dir(*mirror)))))
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	if err := os.WriteFile(*ready, []byte(r.base+"\n"), 0o600); err != nil {
		log.Fatal(err)
	}
	log.Fatal(srv.ServeTLS(ln, "", ""))
}

type registry struct {
	dist, namespace, name, version string
	base                           string
	protocols                      []string
	shasums                        map[string]string // file name => SHA-256
	platforms                      [][2]string       // os, arch
	key, keyID                     string
}

// load reads the release: <project>_<version>_SHA256SUMS, its zips and
// manifest.
func load(dist, namespace, keyFile, keyID string) (*registry, error) {
	sums, err := filepath.Glob(filepath.Join(dist, "terraform-provider-*_SHA256SUMS"))
	if err != nil || len(sums) != 1 {
		return nil, fmt.Errorf("want one terraform-provider-*_SHA256SUMS in %s, found %v", dist, sums)
	}
	m := regexp.MustCompile(`^terraform-provider-([a-z0-9-]+)_([^_]+)_SHA256SUMS$`).FindStringSubmatch(filepath.Base(sums[0]))
	if m == nil {
		return nil, fmt.Errorf("unexpected name %s", sums[0])
	}
	r := &registry{dist: dist, namespace: namespace, name: m[1], version: m[2], shasums: map[string]string{}, keyID: keyID}
	f, err := os.Open(sums[0])
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zip := regexp.MustCompile(`^terraform-provider-` + regexp.QuoteMeta(r.name) + `_` + regexp.QuoteMeta(r.version) + `_([a-z0-9]+)_([a-z0-9]+)\.zip$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			return nil, fmt.Errorf("bad SHA256SUMS line %q", sc.Text())
		}
		r.shasums[fields[1]] = fields[0]
		if p := zip.FindStringSubmatch(fields[1]); p != nil {
			r.platforms = append(r.platforms, [2]string{p[1], p[2]})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var manifest struct {
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	b, err := os.ReadFile(filepath.Join(dist, fmt.Sprintf("terraform-provider-%s_%s_manifest.json", r.name, r.version)))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		return nil, err
	}
	r.protocols = manifest.Metadata.ProtocolVersions
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	r.key = string(key)
	return r, nil
}

func (r *registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	log.Printf("%s %s", req.Method, req.URL.Path)
	prefix := "/v1/providers/" + r.namespace + "/" + r.name + "/"
	switch p := req.URL.Path; {
	case p == "/.well-known/terraform.json":
		writeJSON(w, map[string]string{"providers.v1": "/v1/providers/"})
	case p == prefix+"versions":
		var platforms []map[string]string
		for _, pl := range r.platforms {
			platforms = append(platforms, map[string]string{"os": pl[0], "arch": pl[1]})
		}
		writeJSON(w, map[string]any{"versions": []map[string]any{{"version": r.version, "protocols": r.protocols, "platforms": platforms}}})
	case strings.HasPrefix(p, prefix+r.version+"/download/"):
		parts := strings.Split(strings.TrimPrefix(p, prefix+r.version+"/download/"), "/")
		if len(parts) != 2 {
			http.NotFound(w, req)
			return
		}
		file := fmt.Sprintf("terraform-provider-%s_%s_%s_%s.zip", r.name, r.version, parts[0], parts[1])
		sum, ok := r.shasums[file]
		if !ok {
			http.NotFound(w, req)
			return
		}
		sums := fmt.Sprintf("terraform-provider-%s_%s_SHA256SUMS", r.name, r.version)
		writeJSON(w, map[string]any{
			"protocols": r.protocols, "os": parts[0], "arch": parts[1],
			"filename": file, "download_url": r.base + "/files/" + file, "shasum": sum,
			"shasums_url": r.base + "/files/" + sums, "shasums_signature_url": r.base + "/files/" + sums + ".sig",
			"signing_keys": map[string]any{"gpg_public_keys": []map[string]string{{"key_id": r.keyID, "ascii_armor": r.key}}},
		})
	case strings.HasPrefix(p, "/files/") && !strings.Contains(p[len("/files/"):], "/"):
		http.ServeFile(w, req, filepath.Join(r.dist, p[len("/files/"):]))
	default:
		http.NotFound(w, req)
	}
}

func logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		log.Printf("%s %s", req.Method, req.URL.Path)
		h.ServeHTTP(w, req)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// selfSigned makes a certificate for 127.0.0.1, which the CLIs trust
// through SSL_CERT_FILE.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "testregistry"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}
