package winrmclient

import (
	"fmt"
	"io"
	"log"
	"reflect"
	"sort"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// masker replaces secrets (the password and every value an input
// declares secret) wherever they would appear in a log line or an error.
type masker struct {
	secrets []string
}

const maskText = "***"

func newMasker(password string, in any) *masker {
	m := &masker{}
	m.add(password)
	if sh, ok := in.(SecretHolder); ok {
		for _, s := range sh.Secrets() {
			m.add(s)
		}
	} else if in != nil {
		// A pointer to a SecretHolder counts too.
		if v := reflect.ValueOf(in); v.Kind() == reflect.Pointer && !v.IsNil() {
			if sh, ok := v.Elem().Interface().(SecretHolder); ok {
				for _, s := range sh.Secrets() {
					m.add(s)
				}
			}
		}
	}
	// Longest first, so that a secret containing another is masked whole.
	sort.Slice(m.secrets, func(i, j int) bool { return len(m.secrets[i]) > len(m.secrets[j]) })
	return m
}

func (m *masker) add(s string) {
	s = strings.TrimSpace(s)
	// Very short values would mask ordinary words.
	if len(s) < 4 {
		return
	}
	m.secrets = append(m.secrets, s)
	// Codes are also written without their separators.
	if bare := strings.NewReplacer("-", "", " ", "").Replace(s); bare != s && len(bare) >= 4 {
		m.secrets = append(m.secrets, bare)
	}
}

func (m *masker) mask(s string) string {
	for _, secret := range m.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, maskText)
		}
	}
	return s
}

func (m *masker) maskArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			out[i] = m.mask(v)
		case error:
			out[i] = m.mask(v.Error())
		case fmt.Stringer:
			out[i] = m.mask(v.String())
		default:
			out[i] = a
		}
	}
	return out
}

// maskedLogger wraps an hclog.Logger and masks every message and value.
type maskedLogger struct {
	hclog.Logger
	m *masker
}

func maskLogger(l hclog.Logger, m *masker) hclog.Logger {
	if len(m.secrets) == 0 {
		return l
	}
	return &maskedLogger{Logger: l, m: m}
}

func (l *maskedLogger) Log(level hclog.Level, msg string, args ...any) {
	l.Logger.Log(level, l.m.mask(msg), l.m.maskArgs(args)...)
}
func (l *maskedLogger) Trace(msg string, args ...any) { l.Log(hclog.Trace, msg, args...) }
func (l *maskedLogger) Debug(msg string, args ...any) { l.Log(hclog.Debug, msg, args...) }
func (l *maskedLogger) Info(msg string, args ...any)  { l.Log(hclog.Info, msg, args...) }
func (l *maskedLogger) Warn(msg string, args ...any)  { l.Log(hclog.Warn, msg, args...) }
func (l *maskedLogger) Error(msg string, args ...any) { l.Log(hclog.Error, msg, args...) }
func (l *maskedLogger) With(args ...any) hclog.Logger {
	return &maskedLogger{Logger: l.Logger.With(l.m.maskArgs(args)...), m: l.m}
}
func (l *maskedLogger) Named(name string) hclog.Logger {
	return &maskedLogger{Logger: l.Logger.Named(name), m: l.m}
}
func (l *maskedLogger) ResetNamed(name string) hclog.Logger {
	return &maskedLogger{Logger: l.Logger.ResetNamed(name), m: l.m}
}

// StandardLogger and StandardWriter would bypass masking; they discard.
func (l *maskedLogger) StandardLogger(*hclog.StandardLoggerOptions) *log.Logger {
	return log.New(io.Discard, "", 0)
}
func (l *maskedLogger) StandardWriter(*hclog.StandardLoggerOptions) io.Writer { return io.Discard }
