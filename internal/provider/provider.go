// Package provider is the rdslicensing Terraform/OpenTofu provider.
package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/servernames"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// Ensure the provider satisfies the framework's interfaces.
var _ provider.Provider = (*rdsProvider)(nil)

// New returns the provider factory.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &rdsProvider{version: version} }
}

type rdsProvider struct {
	version string
}

// Metadata names the provider.
func (p *rdsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "rdslicensing"
	resp.Version = p.version
}

// envVars maps each attribute to the environment variable it falls back to.
var envVars = map[string]string{
	"host":                     "RDSLICENSING_HOST",
	"host_addresses":           "RDSLICENSING_HOST_ADDRESSES",
	"port":                     "RDSLICENSING_PORT",
	"https":                    "RDSLICENSING_HTTPS",
	"insecure":                 "RDSLICENSING_INSECURE",
	"ca_cert":                  "RDSLICENSING_CA_CERT",
	"client_cert":              "RDSLICENSING_CLIENT_CERT",
	"client_key":               "RDSLICENSING_CLIENT_KEY",
	"tls_server_name":          "RDSLICENSING_TLS_SERVER_NAME",
	"username":                 "RDSLICENSING_USERNAME",
	"password":                 "RDSLICENSING_PASSWORD",
	"auth":                     "RDSLICENSING_AUTH",
	"kerberos_realm":           "RDSLICENSING_KERBEROS_REALM",
	"kerberos_krb5_conf":       "RDSLICENSING_KERBEROS_KRB5_CONF",
	"kerberos_spn":             "RDSLICENSING_KERBEROS_SPN",
	"allow_unencrypted":        "RDSLICENSING_ALLOW_UNENCRYPTED",
	"timeout":                  "RDSLICENSING_TIMEOUT",
	"connect_timeout":          "RDSLICENSING_CONNECT_TIMEOUT",
	"response_timeout":         "RDSLICENSING_RESPONSE_TIMEOUT",
	"max_connections_per_host": "RDSLICENSING_MAX_CONNECTIONS_PER_HOST",
}

func envDoc(attr string) string { return " Environment variable: `" + envVars[attr] + "`." }

// Schema describes the provider block.
func (p *rdsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Declares Remote Desktop Services licensing on Windows Server 2016-2025 (the RD Licensing role, license server activation, CAL key packs and the session hosts' licensing policy) and reconciles it over WinRM. " +
			"Every attribute falls back to an environment variable. One provider block can manage a fleet: resources take their own `host` and use the provider's credentials and TLS settings.",
		Attributes: map[string]schema.Attribute{
			"host": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Default Windows host (name, FQDN or IP address; an IPv6 address with or without brackets) of resources that set no `host` of their own. A host name only: the port goes in `port`, the scheme in `https`." + envDoc("host"),
				Validators:          []validator.String{hostValidator{allowEmpty: true}},
			},
			"host_addresses": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Addresses to connect to for host names, as a hosts file would: `{ \"ls01.contoso.com\" = \"10.0.0.5\" }`. The name still picks the Kerberos SPN (`HTTP/<name>`) and the name the certificate must carry, so that Kerberos works where the provider cannot resolve the hosts' FQDNs. The environment variable takes `name=address` pairs separated by commas." + envDoc("host_addresses"),
			},
			"port": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "WinRM port. Defaults to 5986 with HTTPS and 5985 without." + envDoc("port"),
				Validators:          []validator.Int64{int64validator.Between(1, 65535)},
			},
			"https": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Connect over HTTPS (the WinRM HTTPS listener). Defaults to `true`." + envDoc("https"),
			},
			"insecure": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip verification of the hosts' certificates. For labs only. Defaults to `false`." + envDoc("insecure"),
			},
			"ca_cert": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM certificate(s) of the CA that signed the hosts' WinRM HTTPS certificates (for a self-signed certificate, the certificate itself), e.g. `file(\"ca.pem\")`. Replaces the system's trusted CAs. The environment variable may hold the PEM text or the path of a PEM file." + envDoc("ca_cert"),
			},
			"client_cert": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "With `auth = \"certificate\"`: the PEM client certificate (Client Authentication, with the account's user principal name, e.g. `ops@localhost`, in its subject alternative name) that the hosts map to a local account. The environment variable may hold the PEM text or the path of a PEM file." + envDoc("client_cert"),
			},
			"client_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "The PEM private key of `client_cert`. The environment variable may hold the PEM text or the path of a PEM file." + envDoc("client_key"),
			},
			"tls_server_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name to verify the certificate of the provider's `host` against, when you connect to it by another name or an IP address. Applies to the provider's `host` only: other hosts that resources name are verified against their own names." + envDoc("tls_server_name"),
			},
			"username": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Account that logs on to the hosts: a local administrator (`Administrator`) or a domain account (`CONTOSO\\\\admin` or `admin@contoso.com`). RD Licensing needs a local administrator; domain and forest discovery scope and the AD group need a Domain Admin." + envDoc("username"),
			},
			"password": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Password of `username`. With `auth = \"kerberos\"` it may be omitted to use the ticket-granting ticket in the credential cache (`kinit`; the file `KRB5CCNAME` names, by default `/tmp/krb5cc_<uid>`). " +
					"Pass it in an ephemeral variable (Terraform 1.10+, OpenTofu 1.11+) or in the environment: a variable that is only `sensitive` is stored in clear text in saved plan files (see the [secrets guide](guides/secrets.md))." + envDoc("password"),
			},
			"auth": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Authentication: `ntlm` (default; works with local and domain accounts, and encrypts every message over HTTP as Windows requires by default), `kerberos` (domain accounts, hosts named by their FQDN; also encrypts every message over HTTP, and authenticates the host), `certificate` (HTTPS only: `client_cert` mapped to a local account on each host, no password), or `basic` (local accounts only; HTTPS unless `allow_unencrypted`)." + envDoc("auth"),
				Validators:          []validator.String{stringvalidator.OneOf(winrmclient.AuthNTLM, winrmclient.AuthBasic, winrmclient.AuthKerberos, winrmclient.AuthCertificate)},
			},
			"kerberos_realm": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Kerberos realm, the Active Directory domain in capitals (`CONTOSO.COM`). Required with `auth = \"kerberos\"`." + envDoc("kerberos_realm"),
			},
			"kerberos_krb5_conf": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path of the krb5.conf that names the realm's KDCs. Defaults to the file `KRB5_CONFIG` names, else `/etc/krb5.conf`." + envDoc("kerberos_krb5_conf"),
			},
			"kerberos_spn": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Service principal name of the WinRM service of the provider's `host`. Defaults to `HTTP/<host>`. Applies to the provider's `host` only: other hosts that resources name use `HTTP/<their host>` (to reach a host by its name at another address, use `host_addresses`)." + envDoc("kerberos_spn"),
			},
			"allow_unencrypted": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Allow `basic` over plain HTTP, where messages and the password cross the network unencrypted. The hosts must allow it too (`AllowUnencrypted=true`). `ntlm` and `kerberos` encrypt every message over HTTP and need neither. Defaults to `false`." + envDoc("allow_unencrypted"),
			},
			"timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Longest time one remote operation may take, as a Go duration (`90s`, `10m`). Defaults to `10m`. Resources with `timeouts` blocks use those instead." + envDoc("timeout"),
			},
			"connect_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Longest time connecting to a host may take, and on its own the TLS handshake, as a Go duration. Defaults to `%s`: a host that is down, or takes connections and never answers, is reported within it.", winrmclient.DefaultConnectTimeout) + envDoc("connect_timeout"),
			},
			"response_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Longest wait for the host's answer to one WinRM message, as a Go duration. Defaults to `%s`. Waiting for a remote command's output may take the WinRM long poll's %s more; the operation as a whole is bounded by `timeout`.", winrmclient.DefaultResponseTimeout, winrmclient.DefaultOperationTimeout) + envDoc("response_timeout"),
			},
			"max_connections_per_host": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Most WinRM connections, and so operations at once, per host. Defaults to 4; keep it under the host's MaxShellsPerUser." + envDoc("max_connections_per_host"),
				Validators:          []validator.Int64{int64validator.Between(1, 64)},
			},
		},
	}
}

// providerModel is the provider block.
type providerModel struct {
	Host                  types.String `tfsdk:"host"`
	HostAddresses         types.Map    `tfsdk:"host_addresses"`
	Port                  types.Int64  `tfsdk:"port"`
	HTTPS                 types.Bool   `tfsdk:"https"`
	Insecure              types.Bool   `tfsdk:"insecure"`
	CACert                types.String `tfsdk:"ca_cert"`
	ClientCert            types.String `tfsdk:"client_cert"`
	ClientKey             types.String `tfsdk:"client_key"`
	TLSServerName         types.String `tfsdk:"tls_server_name"`
	Username              types.String `tfsdk:"username"`
	Password              types.String `tfsdk:"password"`
	Auth                  types.String `tfsdk:"auth"`
	KerberosRealm         types.String `tfsdk:"kerberos_realm"`
	KerberosKrb5Conf      types.String `tfsdk:"kerberos_krb5_conf"`
	KerberosSPN           types.String `tfsdk:"kerberos_spn"`
	AllowUnencrypted      types.Bool   `tfsdk:"allow_unencrypted"`
	Timeout               types.String `tfsdk:"timeout"`
	ConnectTimeout        types.String `tfsdk:"connect_timeout"`
	ResponseTimeout       types.String `tfsdk:"response_timeout"`
	MaxConnectionsPerHost types.Int64  `tfsdk:"max_connections_per_host"`
}

// Configure builds the WinRM client from the provider block and the
// environment.
func (p *rdsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r := &configReader{}
	cfg := winrmclient.Config{
		Host:          r.str(m.Host, "host"),
		HTTPS:         r.boolean(m.HTTPS, "https", true),
		Insecure:      r.boolean(m.Insecure, "insecure", false),
		TLSServerName: r.str(m.TLSServerName, "tls_server_name"),
		Username:      r.str(m.Username, "username"),
		Password:      r.str(m.Password, "password"),
		Auth:          r.str(m.Auth, "auth"),
		Kerberos: winrmclient.KerberosConfig{
			Realm:    r.str(m.KerberosRealm, "kerberos_realm"),
			Krb5Conf: r.str(m.KerberosKrb5Conf, "kerberos_krb5_conf"),
			SPN:      r.str(m.KerberosSPN, "kerberos_spn"),
		},
		AllowUnencrypted:      r.boolean(m.AllowUnencrypted, "allow_unencrypted", false),
		Port:                  int(r.integer(m.Port, "port", 0)),
		MaxConnectionsPerHost: int(r.integer(m.MaxConnectionsPerHost, "max_connections_per_host", 0)),
		Timeout:               r.duration(m.Timeout, "timeout"),
		ConnectTimeout:        r.duration(m.ConnectTimeout, "connect_timeout"),
		ResponseTimeout:       r.duration(m.ResponseTimeout, "response_timeout"),
		CACert:                r.pem(m.CACert, "ca_cert", "CERTIFICATE"),
		ClientCert:            r.pem(m.ClientCert, "client_cert", "CERTIFICATE"),
		ClientKey:             r.pem(m.ClientKey, "client_key", "PRIVATE KEY"),
		Addresses:             r.addresses(ctx, m.HostAddresses),
		Library:               rds.Library,
	}
	if cfg.Auth == "" {
		cfg.Auth = winrmclient.AuthNTLM
	}
	for _, u := range r.unknown {
		resp.Diagnostics.AddAttributeError(path.Root(u), "Provider setting not known yet",
			fmt.Sprintf("The provider's %s depends on a value that is only known after apply. The provider needs it to reach Windows hosts during plan: use a value known at plan time, or apply the resource it depends on first (terraform apply -target=...).", u))
	}
	for _, e := range r.errs {
		resp.Diagnostics.AddAttributeError(path.Root(e.attr), "Invalid provider setting", e.msg)
	}
	if p := hostProblem(cfg.Host); cfg.Host != "" && p != "" {
		resp.Diagnostics.AddAttributeError(path.Root("host"), "Invalid provider setting", hostError("host", cfg.Host, p)+" (attribute host, environment variable "+envVars["host"]+")")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Username == "" && cfg.Auth != winrmclient.AuthCertificate {
		resp.Diagnostics.AddAttributeError(path.Root("username"), "Missing WinRM user name",
			"The provider logs on to Windows hosts over WinRM and needs an account: set username in the provider block or the "+envVars["username"]+" environment variable (e.g. Administrator, or CONTOSO\\admin for a domain account).")
		return
	}
	client, err := sharedClient(cfg)
	if err != nil {
		var ce *winrmclient.ConfigError
		attr := "host"
		msg := err.Error()
		if errors.As(err, &ce) {
			attr, msg = ce.Field, ce.Message
		}
		if _, ok := envVars[attr]; !ok {
			attr = "auth"
		}
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Invalid provider setting",
			fmt.Sprintf("%s %s (attribute %s, environment variable %s).", attr, msg, attr, envVars[attr]))
		return
	}
	data := &providerData{client: client, password: cfg.Password}
	resp.ResourceData = data
	resp.DataSourceData = data
}

// Resources lists the provider's resources.
func (p *rdsProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewRoleResource,
		NewSecurityGroupResource,
		NewCALRevocationResource,
		NewDomainPolicyResource,
		NewServerActivationResource,
		NewKeyPackResource,
		NewSessionHostPolicyResource,
	}
}

// DataSources lists the provider's data sources.
func (p *rdsProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewLicenseServerDataSource,
		NewKeyPacksDataSource,
		NewCALUsageDataSource,
		NewSessionHostDataSource,
		NewDiagnosticsDataSource,
	}
}

// configReader reads attributes with their environment fallbacks and
// collects what is wrong, naming attribute and variable.
type configReader struct {
	unknown []string
	errs    []struct{ attr, msg string }
}

type unknowable interface {
	IsUnknown() bool
	IsNull() bool
}

func (r *configReader) env(v unknowable, attr string) (string, bool) {
	if v.IsUnknown() {
		r.unknown = append(r.unknown, attr)
		return "", false
	}
	if !v.IsNull() {
		return "", false
	}
	s, ok := os.LookupEnv(envVars[attr])
	return strings.TrimSpace(s), ok && strings.TrimSpace(s) != ""
}

func (r *configReader) fail(attr, format string, args ...any) {
	r.errs = append(r.errs, struct{ attr, msg string }{attr, fmt.Sprintf(format, args...)})
}

func (r *configReader) str(v types.String, attr string) string {
	if s, ok := r.env(v, attr); ok {
		return s
	}
	return strings.TrimSpace(v.ValueString())
}

func (r *configReader) boolean(v types.Bool, attr string, def bool) bool {
	if s, ok := r.env(v, attr); ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			r.fail(attr, "%s=%q is not a boolean: set it to true or false.", envVars[attr], s)
			return def
		}
		return b
	}
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueBool()
}

func (r *configReader) integer(v types.Int64, attr string, def int64) int64 {
	if s, ok := r.env(v, attr); ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			r.fail(attr, "%s=%q is not a whole number.", envVars[attr], s)
			return def
		}
		return n
	}
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueInt64()
}

func (r *configReader) duration(v types.String, attr string) time.Duration {
	s := r.str(v, attr)
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		r.fail(attr, "%s %s is not a positive duration: write it like \"90s\", \"10m\" or \"1h\" (attribute %s, environment variable %s).", attr, servernames.Quote(s), attr, envVars[attr])
		return 0
	}
	return d
}

// addresses reads host_addresses; from the environment as name=address
// pairs separated by commas.
func (r *configReader) addresses(ctx context.Context, v types.Map) map[string]string {
	if v.IsUnknown() {
		r.unknown = append(r.unknown, "host_addresses")
		return nil
	}
	out := map[string]string{}
	if v.IsNull() {
		s, ok := os.LookupEnv(envVars["host_addresses"])
		if !ok || strings.TrimSpace(s) == "" {
			return nil
		}
		for _, pair := range strings.Split(s, ",") {
			name, addr, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || strings.TrimSpace(name) == "" {
				r.fail("host_addresses", "%s=%q: write name=address pairs separated by commas (ls01.contoso.com=10.0.0.5,ls02.contoso.com=10.0.0.6).", envVars["host_addresses"], s)
				return nil
			}
			out[strings.TrimSpace(name)] = strings.TrimSpace(addr)
		}
		return out
	}
	m := map[string]types.String{}
	if diags := v.ElementsAs(ctx, &m, false); diags.HasError() {
		r.fail("host_addresses", "must map host names to addresses.")
		return nil
	}
	for name, a := range m {
		if a.IsUnknown() {
			r.unknown = append(r.unknown, "host_addresses")
			return nil
		}
		out[name] = a.ValueString()
	}
	return out
}

// pem reads a PEM attribute (ca_cert, client_cert, client_key); from the
// environment it may also be a file path. A path in the attribute is not
// read (its error says how to), nor shown for a key.
func (r *configReader) pem(v types.String, attr, kind string) []byte {
	if s, ok := r.env(v, attr); ok {
		if strings.Contains(s, "-----BEGIN") {
			return []byte(s)
		}
		b, err := os.ReadFile(s)
		if err != nil {
			r.fail(attr, "%s is neither PEM text nor a readable file: %v.", envVars[attr], err)
			return nil
		}
		return b
	}
	s := strings.TrimSpace(v.ValueString())
	if s != "" && !strings.Contains(s, "-----BEGIN") {
		shown := s
		if attr == "client_key" {
			shown = "key.pem"
		}
		r.fail(attr, "%s must hold PEM text (-----BEGIN %s-----...); to read a file write %s = file(\"%s\").", attr, kind, attr, shown)
		return nil
	}
	return []byte(s)
}

// providerData is what resources and data sources receive.
type providerData struct {
	client   *winrmclient.Client
	password string

	// Reads shared within a generation (reads.go): license servers as the
	// diagnostics of a fleet inspect them, session hosts as their policy
	// and diagnostics read them. Any change this provider makes starts a
	// new generation, so no read outlives a write.
	mu           sync.Mutex
	generation   uint64
	inspections  sharedReads[inspection]
	sessionHosts sharedReads[rds.SessionHost]

	notes planNotes // what this plan's resources tell each other (plan_notes.go)
}

// Run runs an operation on host (the provider's host when empty), logging
// through tflog with the password and the input's secrets masked.
func (d *providerData) Run(ctx context.Context, host string, op winrmclient.Operation, in, out any) error {
	secrets := []string{d.password}
	if sh, ok := in.(winrmclient.SecretHolder); ok {
		secrets = append(secrets, sh.Secrets()...)
	}
	ctx = winrmclient.WithLogger(ctx, newTFLogger(ctx, secrets...))
	if !rds.ReadOnly(op.Name) {
		// Also when it fails: it may have changed something.
		defer d.newGeneration()
	}
	return d.client.Run(ctx, host, op, in, out)
}

// Clients are shared by every Configure with the same settings in this
// process, so that shells and connections are reused across the
// provider's lifetime, and closed together when it ends.
var (
	clientsMu sync.Mutex
	clients   = map[string]*winrmclient.Client{}
)

func sharedClient(cfg winrmclient.Config) (*winrmclient.Client, error) {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%q|%d|%t|%t|%x|%q|%q|%q|%q|%+v|%t|%s|%s|%s|%d|%v|%q|%x|%x",
		cfg.Host, cfg.Port, cfg.HTTPS, cfg.Insecure, cfg.CACert, cfg.TLSServerName, cfg.Username, cfg.Password, cfg.Auth,
		cfg.Kerberos, cfg.AllowUnencrypted, cfg.Timeout, cfg.ConnectTimeout, cfg.ResponseTimeout, cfg.MaxConnectionsPerHost,
		cfg.Addresses, os.Getenv("KRB5CCNAME"), cfg.ClientCert, cfg.ClientKey)))
	key := hex.EncodeToString(sum[:])
	clientsMu.Lock()
	defer clientsMu.Unlock()
	if c, ok := clients[key]; ok {
		return c, nil
	}
	c, err := winrmclient.New(cfg)
	if err != nil {
		return nil, err
	}
	clients[key] = c
	return c, nil
}

// CloseClients deletes the shells every client left open and closes its
// connections; the provider calls it when Terraform stops it.
func CloseClients() {
	clientsMu.Lock()
	all := clients
	clients = map[string]*winrmclient.Client{}
	clientsMu.Unlock()
	var wg sync.WaitGroup
	for _, c := range all {
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.Close() }()
	}
	wg.Wait()
}
