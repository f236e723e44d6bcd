package keypacks

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// opAnswers answers each operation by name, and records what ran.
type opAnswers struct {
	answers map[string]any // a result, or an error
	ran     []string
}

func (o *opAnswers) Run(_ context.Context, _ string, op winrmclient.Operation, _, out any) error {
	o.ran = append(o.ran, op.Name)
	a, ok := o.answers[op.Name]
	if !ok {
		return &winrmclient.Error{Kind: winrmclient.KindTransport, Operation: op.Name, Message: "not answered"}
	}
	if err, ok := a.(error); ok {
		return err
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func agreementConfig(quantity Value) Config {
	return Config{Program: rds.Known("agreement"), AgreementType: rds.Known("enterprise"), ProductVersion: rds.Known("2022"), CALType: rds.Known("per_user"),
		Quantity: quantity, Codes: map[string]Value{"agreement_number": rds.Known("1234567")}}
}

func TestInstallInputTakesWriteOnlyCodesFromTheConfiguration(t *testing.T) {
	plan := Config{Program: rds.Known("retail"), ProductVersion: rds.Known("2022"), CALType: rds.Known("per_device"), Codes: map[string]Value{}}
	config := Config{Codes: map[string]Value{"license_code_wo": rds.Known("abcde-fghjk-mnpqr-tvwxy-23467")}}
	in := InstallInput(plan, config, 0)
	if in.LicenseCode != "ABCDEFGHJKMNPQRTVWXY23467" || in.ProductType != CALTypeNumber["per_device"] || in.ProductVersion != ProductVersion("2022") {
		t.Errorf("InstallInput = %+v", in)
	}
	in = InstallInput(agreementConfig(rds.Known("40")), Config{}, 40)
	if in.AgreementNumber != "1234567" || in.LicenseCount != 40 || AgreementTypes[in.AgreementType] != "enterprise" {
		t.Errorf("InstallInput(agreement) = %+v", in)
	}
}

func TestCodeChangedAndCodesMoved(t *testing.T) {
	state := Config{Program: rds.Known("retail"), Codes: map[string]Value{"license_code": rds.Known("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE")}}
	for _, tc := range []struct {
		name string
		plan Config
		want bool
	}{
		{"same code, other spelling", Config{Codes: map[string]Value{"license_code": rds.Known("aaaaabbbbbcccccdddddeeeee")}}, false},
		{"another code", Config{Codes: map[string]Value{"license_code": rds.Known("AAAAA-BBBBB-CCCCC-DDDDD-FFFFF")}}, true},
		{"known only at apply", Config{Codes: map[string]Value{"license_code": rds.Unknown}}, true},
		{"moved to the write-only form", Config{Codes: map[string]Value{}}, false},
	} {
		if got := CodeChanged(state, tc.plan); got != tc.want {
			t.Errorf("%s: CodeChanged = %v, want %v", tc.name, got, tc.want)
		}
	}
	wo := Config{Program: rds.Known("retail"), Codes: map[string]Value{}, CodesWOVersion: rds.Known("1")}
	if CodeChanged(wo, Config{Codes: map[string]Value{}, CodesWOVersion: rds.Known("1")}) || !CodeChanged(wo, Config{Codes: map[string]Value{}, CodesWOVersion: rds.Known("2")}) {
		t.Error("codes_wo_version: only a new version changes the code")
	}
	if got := CodesMoved(state, Config{Codes: map[string]Value{"license_code_wo": rds.Known("aaaaa-bbbbb-ccccc-ddddd-eeeee")}}); len(got) != 0 {
		t.Errorf("the same code moved to _wo: CodesMoved = %v, want none", got)
	}
	if got := CodesMoved(state, Config{Codes: map[string]Value{"license_code_wo": rds.Known("AAAAA-BBBBB-CCCCC-DDDDD-FFFFF")}}); !reflect.DeepEqual(got, []string{"license_code"}) {
		t.Errorf("another code moved to _wo: CodesMoved = %v", got)
	}
}

func TestRetailCodeWarningReadsTheWriteOnlyCode(t *testing.T) {
	plan := Config{Program: rds.Known("retail"), Codes: map[string]Value{}}
	config := Config{Codes: map[string]Value{"license_code_wo": rds.Known("O0000-BBBBB-CCCCC-DDDDD-EEEEE")}}
	f, ok := RetailCodeWarning(plan, config)
	if !ok || !f.Warning || f.Attr != "" || !strings.Contains(f.Summary, "license_code_wo") {
		t.Errorf("RetailCodeWarning = %+v, %v", f, ok)
	}
	if strings.Contains(f.Summary+f.Detail, "O0000-BBBBB") {
		t.Error("the warning quotes the code")
	}
	if _, ok := RetailCodeWarning(Config{Program: rds.Known("agreement")}, config); ok {
		t.Error("warned of an agreement")
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize([]rds.KeyPack{
		{KeyPackID: 7, TotalLicenses: 10, IssuedLicenses: 2, AvailableLicenses: 8, ExpirationDate: "2038-01-19T03:14:07Z", TypeAndModel: "RDS Per User CAL"},
		{KeyPackID: 9, TotalLicenses: 5, AvailableLicenses: 5, ExpirationDate: "2027-06-30T00:00:00Z"},
	})
	if !reflect.DeepEqual(s.IDs, []int64{7, 9}) || s.Total != 15 || s.Issued != 2 || s.Available != 13 || s.Expiry != "2027-06-30T00:00:00Z" || s.First.KeyPackID != 7 {
		t.Errorf("Summarize = %+v", s)
	}
	if s := Summarize(nil); s.Total != 0 || s.First.KeyPackID != 0 || s.Expiry != "" {
		t.Errorf("Summarize(nil) = %+v", s)
	}
}

func TestPlannerChecksNewKeyPack(t *testing.T) {
	run := &opAnswers{answers: map[string]any{
		"get_host_info":      rds.HostInfo{ComputerName: "LS01", OSVersion: "2019", PartOfDomain: false, Domain: "WORKGROUP"},
		"get_license_server": rds.LicenseServer{ActivationStatus: 1},
		"list_key_packs":     rds.KeyPackList{},
	}}
	p := Planner{Runner: run, Host: "ls01"}
	got := p.CheckNew(context.Background(), Config{ProductVersion: rds.Known("2022"), CALType: rds.Known("per_user")}, nil)
	var attrs []string
	for _, f := range got {
		attrs = append(attrs, f.Attr)
	}
	if !reflect.DeepEqual(attrs, []string{"product_version", "cal_type", "host"}) {
		t.Errorf("findings on %v, want product_version (too new), cal_type (workgroup), host (not activated)", attrs)
	}
	// A planned activation: the host's state is not read.
	run.ran = nil
	p.ActivationPlanned = true
	p.CheckNew(context.Background(), Config{ProductVersion: rds.Known("2019"), CALType: rds.Known("per_device")}, nil)
	if !reflect.DeepEqual(run.ran, []string{"get_host_info", "list_key_packs"}) {
		t.Errorf("ran %v", run.ran)
	}
	// An unreachable host: nothing found, nothing else asked.
	unreachable := &opAnswers{}
	if got := (Planner{Runner: unreachable, Host: "ls01"}).CheckNew(context.Background(), Config{}, nil); len(got) != 0 || len(unreachable.ran) != 1 {
		t.Errorf("unreachable host: %v after %v", got, unreachable.ran)
	}
}

func TestPlannerChecksUpdate(t *testing.T) {
	packs := rds.KeyPackList{KeyPacks: []rds.KeyPack{{KeyPackID: 4, TotalLicenses: 40, IssuedLicenses: 30, AvailableLicenses: 10}}}
	run := &opAnswers{answers: map[string]any{"list_key_packs": packs, "get_license_server": rds.LicenseServer{ActivationStatus: 1}}}
	p := Planner{Runner: run, Host: "ls01"}
	ctx := context.Background()
	lower := Update{State: agreementConfig(rds.Known("40")), Plan: agreementConfig(rds.Known("20")), KeyPackID: 4, IDs: []int64{4}}
	if got := p.CheckUpdate(ctx, lower); len(got) != 1 || got[0].Attr != "quantity" || got[0].Warning {
		t.Errorf("lowering below the issued CALs: %+v", got)
	}
	lower.Plan = agreementConfig(rds.Known("35"))
	if got := p.CheckUpdate(ctx, lower); len(got) != 0 {
		t.Errorf("lowering to the issued CALs and more: %+v", got)
	}
	raise := Update{State: agreementConfig(rds.Known("40")), Plan: agreementConfig(rds.Known("50")), IDs: []int64{4}}
	if got := p.CheckUpdate(ctx, raise); len(got) != 1 || got[0].Attr != "host" {
		t.Errorf("more CALs on a server not activated: %+v", got)
	}
	run.ran = nil
	if got := p.CheckUpdate(ctx, Update{State: agreementConfig(rds.Known("40")), Plan: agreementConfig(rds.Unknown)}); len(got) != 0 || len(run.ran) != 0 {
		t.Errorf("quantity known at apply: %+v after %v", got, run.ran)
	}
	// A single-use code decides its release: changing it alone is refused.
	retail := func(release string) Config {
		return Config{Program: rds.Known("retail"), ProductVersion: rds.Known(release), CALType: rds.Known("per_user"), Codes: map[string]Value{"license_code": rds.Known("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE")}}
	}
	got := p.CheckUpdate(ctx, Update{State: retail("2019"), Plan: retail("2022"), KeyPackID: 4})
	if len(got) != 1 || got[0].Attr != "product_version" || !strings.Contains(got[0].Summary, "2019") {
		t.Errorf("single-use release change: %+v", got)
	}
	pending := Update{State: retail("2019"), Plan: retail("2019"), Ownership: Ownership{Owner: "o", Pending: []PendingInstall{{RequestID: "r1", Count: 1}}}}
	if got := (Planner{Host: "ls01"}).CheckUpdate(ctx, pending); len(got) != 1 || !got[0].Warning {
		t.Errorf("pending install, provider not configured: %+v", got)
	}
}

func TestPlanCreateAndUpdate(t *testing.T) {
	typo := rds.Known("O0000-BBBBB-CCCCC-DDDDD-EEEEE")
	retail := Config{Program: rds.Known("retail"), ProductVersion: rds.Known("2019"), CALType: rds.Known("per_device"), AllowPerUserInWorkgroup: rds.Known("false"),
		Codes: map[string]Value{"license_code": typo}}
	run := &opAnswers{answers: map[string]any{"get_host_info": rds.HostInfo{OSVersion: "2022", PartOfDomain: true}, "get_license_server": rds.LicenseServer{}, "list_key_packs": rds.KeyPackList{}}}
	ctx := context.Background()
	if got := (Planner{Runner: run, Host: "ls01"}).PlanCreate(ctx, retail, Config{}); len(got) != 1 || !got[0].Warning {
		t.Errorf("a retail code with a typo: %+v", got)
	}
	if len(run.ran) != 3 {
		t.Errorf("the host was not asked: %v", run.ran)
	}
	// Host unknown: the offline warning only, nothing asked.
	run.ran = nil
	if got := (Planner{Runner: run}).PlanCreate(ctx, retail, Config{}); len(got) != 1 || len(run.ran) != 0 {
		t.Errorf("host unknown: %+v after %v", got, run.ran)
	}
	unknownRelease := retail
	unknownRelease.ProductVersion = rds.Unknown
	if (Planner{Runner: run, Host: "ls01"}).PlanCreate(ctx, unknownRelease, Config{}); len(run.ran) != 0 {
		t.Errorf("release known at apply: asked %v", run.ran)
	}
	// The same code moved to its write-only form: no replacement, no warning.
	state := retail
	moved := Config{Program: rds.Known("retail"), ProductVersion: rds.Known("2019"), CALType: rds.Known("per_device"), Codes: map[string]Value{}}
	findings, replace := (Planner{Host: "ls01"}).PlanUpdate(ctx, Update{State: state, Plan: moved}, Config{Codes: map[string]Value{"license_code_wo": typo}})
	if len(findings) != 0 || len(replace) != 0 {
		t.Errorf("same code moved to _wo: %+v, %v", findings, replace)
	}
	// Another code in the write-only form: a replacement, and its typos.
	findings, replace = (Planner{Host: "ls01"}).PlanUpdate(ctx, Update{State: Config{Program: rds.Known("retail"), Codes: map[string]Value{"license_code": rds.Known("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE")}}, Plan: moved},
		Config{Codes: map[string]Value{"license_code_wo": typo}})
	if len(findings) != 1 || !reflect.DeepEqual(replace, []string{"license_code"}) {
		t.Errorf("another code moved to _wo: %+v, %v", findings, replace)
	}
}

func TestExplain(t *testing.T) {
	h := newFakeHost()
	h.packs = append(h.packs, rds.KeyPack{KeyPackID: 7, KeyPackType: 1, ProductVersionID: ProductVersion("2022"), ProductType: CALTypeNumber["per_user"], TotalLicenses: 5})
	i := &Installer{Host: h, Server: "ls01"}
	ctx := context.Background()
	used := &winrmclient.Error{Kind: rds.KindCodeAlreadyUsed, Operation: "install_key_pack", Message: "the code was used"}
	in := rds.InstallKeyPackInput{Program: "license_key_pack_id", ProductVersion: ProductVersion("2022"), ProductType: CALTypeNumber["per_user"]}
	got := i.Explain(ctx, &InstallError{In: in, Err: used})
	if len(got) != 1 || got[0].Summary != "Cannot install CALs on ls01" || got[0].Err != used || len(got[0].Hints) != 1 || !strings.Contains(got[0].Hints[0], "ls01/7") {
		t.Errorf("a used code: %+v", got)
	}
	step := &StepError{Attr: "quantity", Summary: "Cannot remove 3 CALs", Err: used}
	joined := errors.Join(step, Finding{Attr: "quantity", Summary: "Too few", Detail: "issued"}, errors.New("plain"))
	got = i.Explain(ctx, joined)
	if len(got) != 3 || got[0].Attr != "quantity" || got[0].Err != used || got[1].Detail != "issued" || got[2].Summary != "Cannot change the key packs on ls01" {
		t.Errorf("joined errors: %+v", got)
	}
	if got := i.Explain(ctx, nil); got != nil {
		t.Errorf("no error: %+v", got)
	}
}
