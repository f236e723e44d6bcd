package provider

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logSubsystem is the tflog subsystem of WinRM traffic; its level follows
// TF_LOG_PROVIDER_WINRM (else TF_LOG_PROVIDER, else TF_LOG).
const logSubsystem = "winrm"

// tflogLogger adapts winrmclient's hclog.Logger to tflog, bound to one
// request's context so that lines carry Terraform's request fields and
// honour its masking.
type tflogLogger struct {
	ctx  context.Context
	name string
	args []any
}

func newTFLogger(ctx context.Context, secrets ...string) hclog.Logger {
	if os.Getenv("TF_LOG_PROVIDER_WINRM") == "OFF" {
		// Nothing would be written (QuietWhenNotLogging): skip setting up
		// a subsystem and its masks for every operation.
		return hclog.NewNullLogger()
	}
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_WINRM"))
	var masked []string
	for _, s := range secrets {
		if s != "" {
			masked = append(masked, s)
		}
	}
	if len(masked) > 0 {
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, masked...)
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, masked...)
	}
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem, "password")
	return &tflogLogger{ctx: ctx}
}

func (l *tflogLogger) fields(args []any) map[string]any {
	all := append(append([]any(nil), l.args...), args...)
	if len(all) == 0 && l.name == "" {
		return nil
	}
	m := make(map[string]any, len(all)/2+1)
	for i := 0; i+1 < len(all); i += 2 {
		m[fmt.Sprint(all[i])] = fmt.Sprint(all[i+1])
	}
	if l.name != "" {
		m["logger"] = l.name
	}
	return m
}

func (l *tflogLogger) Log(level hclog.Level, msg string, args ...any) {
	f := l.fields(args)
	switch level {
	case hclog.Trace:
		tflog.SubsystemTrace(l.ctx, logSubsystem, msg, f)
	case hclog.Debug:
		tflog.SubsystemDebug(l.ctx, logSubsystem, msg, f)
	case hclog.Info, hclog.NoLevel, hclog.DefaultLevel:
		tflog.SubsystemInfo(l.ctx, logSubsystem, msg, f)
	case hclog.Warn:
		tflog.SubsystemWarn(l.ctx, logSubsystem, msg, f)
	default:
		tflog.SubsystemError(l.ctx, logSubsystem, msg, f)
	}
}

func (l *tflogLogger) Trace(msg string, args ...any) { l.Log(hclog.Trace, msg, args...) }
func (l *tflogLogger) Debug(msg string, args ...any) { l.Log(hclog.Debug, msg, args...) }
func (l *tflogLogger) Info(msg string, args ...any)  { l.Log(hclog.Info, msg, args...) }
func (l *tflogLogger) Warn(msg string, args ...any)  { l.Log(hclog.Warn, msg, args...) }
func (l *tflogLogger) Error(msg string, args ...any) { l.Log(hclog.Error, msg, args...) }

// The level is tflog's business (TF_LOG_PROVIDER_WINRM); these report
// "on" and let tflog filter.
func (l *tflogLogger) IsTrace() bool { return true }
func (l *tflogLogger) IsDebug() bool { return true }
func (l *tflogLogger) IsInfo() bool  { return true }
func (l *tflogLogger) IsWarn() bool  { return true }
func (l *tflogLogger) IsError() bool { return true }

func (l *tflogLogger) ImpliedArgs() []any { return l.args }
func (l *tflogLogger) With(args ...any) hclog.Logger {
	return &tflogLogger{ctx: l.ctx, name: l.name, args: append(append([]any(nil), l.args...), args...)}
}
func (l *tflogLogger) Name() string { return l.name }
func (l *tflogLogger) Named(name string) hclog.Logger {
	n := name
	if l.name != "" {
		n = l.name + "." + name
	}
	return &tflogLogger{ctx: l.ctx, name: n, args: l.args}
}
func (l *tflogLogger) ResetNamed(name string) hclog.Logger {
	return &tflogLogger{ctx: l.ctx, name: name, args: l.args}
}
func (l *tflogLogger) SetLevel(hclog.Level)  {}
func (l *tflogLogger) GetLevel() hclog.Level { return hclog.Trace }
func (l *tflogLogger) StandardLogger(*hclog.StandardLoggerOptions) *log.Logger {
	return log.New(io.Discard, "", 0)
}
func (l *tflogLogger) StandardWriter(*hclog.StandardLoggerOptions) io.Writer { return io.Discard }

// quietVariables are the log levels QuietWhenNotLogging turns off: the
// framework's and terraform-plugin-go's (TF_LOG_SDK*), this provider's
// root logger (TF_LOG_PROVIDER_RDSLICENSING) and its WinRM subsystem.
var quietVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_RDSLICENSING", "TF_LOG_PROVIDER_WINRM"}

// LoggingRequested reports whether environ sets any TF_LOG* variable.
func LoggingRequested(environ []string) bool {
	for _, kv := range environ {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "TF_LOG") && v != "" {
			return true
		}
	}
	return false
}

// QuietWhenNotLogging turns the provider's logging off when no TF_LOG*
// variable is set. Terraform and OpenTofu then discard what a provider
// writes, but the plugin SDKs default to TRACE and format every line as
// JSON first: about a fifth of the provider's CPU in a fleet plan
// (docs/design/performance.md). Any TF_LOG* variable leaves logging as
// the user asked. main calls it before serving, never in tests.
func QuietWhenNotLogging(environ []string, setenv func(key, value string) error) error {
	if LoggingRequested(environ) {
		return nil
	}
	for _, k := range quietVariables {
		if err := setenv(k, "OFF"); err != nil {
			return err
		}
	}
	return nil
}
