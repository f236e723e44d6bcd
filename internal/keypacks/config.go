package keypacks

import (
	"fmt"
	"slices"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/licensecodes"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// CodeAttrs are the code attributes of a key pack; each has a write-only
// twin named with "_wo".
var CodeAttrs = []string{"license_code", "license_number", "authorization_number", "agreement_number", "license_key_pack_id"}

// codeDescriptions say what a missing code is.
var codeDescriptions = map[string]string{
	"license_code":         "the 25-character license code of the retail purchase",
	"license_number":       "the 8-digit license number of the Open License",
	"authorization_number": "the 15-character authorization number of the Open License",
	"agreement_number":     "the agreement or enrollment number (7 digits; 7 to 8 for service_provider and other)",
	"license_key_pack_id":  "the 35-character license key pack ID from the Clearinghouse",
}

// Value is one configuration, plan or state value.
type Value = rds.Value

// Config is a key pack's configuration (or plan, or state) as plain
// values; numbers are in decimal.
type Config struct {
	Program, AgreementType, ProductVersion, CALType Value
	// Codes by attribute, the "_wo" twins included.
	Codes                                             map[string]Value
	CodesWOVersion, Quantity, AllowPerUserInWorkgroup Value
}

// Problem is a configuration error on one attribute.
type Problem = rds.Problem

// ConfigProblems lists what does not go with the program.
func ConfigProblems(c Config) []Problem {
	var out []Problem
	anyWO := false
	for _, a := range CodeAttrs {
		if c.Codes[a+"_wo"].Set {
			anyWO = true
		}
	}
	if c.CodesWOVersion.Set && !anyWO {
		out = append(out, Problem{Attr: "codes_wo_version", Summary: "codes_wo_version without a write-only code", Detail: "codes_wo_version versions the write-only codes (license_code_wo, license_number_wo, authorization_number_wo, agreement_number_wo, license_key_pack_id_wo), and none is set. Remove codes_wo_version, or use the _wo form of the code."})
	}
	if !c.Program.Known {
		return out
	}
	name := c.Program.Text
	p := ProgramNamed(name)
	if p.Name == "" {
		return out // the attribute's validator reports it
	}
	for _, a := range CodeAttrs {
		plain, wo := c.Codes[a], c.Codes[a+"_wo"]
		if !slices.Contains(p.Codes, a) {
			for _, attr := range []string{a, a + "_wo"} {
				if c.Codes[attr].Set {
					out = append(out, Problem{Attr: attr, Summary: attr + " does not go with program = \"" + name + "\"", Detail: fmt.Sprintf("%s is only used with program = %q; this key pack has program = %q. Remove it, or change program.", attr, programOfCode(a), name)})
				}
			}
			continue
		}
		switch {
		case plain.Set && wo.Set:
			out = append(out, Problem{Attr: a, Summary: "Both " + a + " and " + a + "_wo are set", Detail: "Set " + a + " or its write-only form " + a + "_wo, not both."})
		case !plain.Set && !wo.Set:
			out = append(out, Problem{Attr: a, Summary: "Missing " + a, Detail: fmt.Sprintf("program = %q needs %s: %s. Set %s, or its write-only form %s_wo (Terraform 1.11 or OpenTofu 1.11 and later), which stays out of the state.", name, a, codeDescriptions[a], a, a)})
		}
	}
	out = append(out, agreementNumberProblems(c)...)
	switch {
	case name == "agreement" && !c.AgreementType.Set:
		out = append(out, Problem{Attr: "agreement_type", Summary: "Missing agreement_type", Detail: "program = \"agreement\" needs agreement_type: select, enterprise, campus, school, service_provider or other."})
	case name != "agreement" && c.AgreementType.Set:
		out = append(out, Problem{Attr: "agreement_type", Summary: "agreement_type does not go with program = \"" + name + "\"", Detail: fmt.Sprintf("agreement_type is only used with program = \"agreement\"; this key pack has program = %q. Remove it, or change program.", name)})
	}
	switch {
	case p.Counted && !c.Quantity.Set:
		out = append(out, Problem{Attr: "quantity", Summary: "Missing quantity", Detail: fmt.Sprintf("program = %q needs quantity: the number of CALs to install (1-9999).", name)})
	case !p.Counted && c.Quantity.Set:
		out = append(out, Problem{Attr: "quantity", Summary: "quantity cannot be set with program = \"" + name + "\"", Detail: fmt.Sprintf("quantity is not allowed with program = %q: the %s decides how many CALs it installs, and quantity shows that number after apply. Remove quantity from the configuration.", name, p.CodeName)})
	}
	return out
}

// agreementNumberProblems: an agreement number of a well-formed length for
// some agreement type, but not for the one configured (an 8-digit
// enrollment number). The length only, never the number.
func agreementNumberProblems(c Config) []Problem {
	if !c.AgreementType.Known {
		return nil
	}
	agreementType := c.AgreementType.Text
	low, high := licensecodes.AgreementNumberDigits(agreementType)
	var out []Problem
	for _, attr := range []string{"agreement_number", "agreement_number_wo"} {
		v := c.Codes[attr]
		if !v.Known || len(licensecodes.Problems("agreement_number", attr, v.Text)) > 0 {
			continue // the attribute's validator reports a malformed number
		}
		if n := len(licensecodes.Normalize(v.Text)); n < low || n > high {
			out = append(out, Problem{Attr: attr, Summary: "Agreement number too long for agreement_type = \"" + agreementType + "\"", Detail: fmt.Sprintf("%s has %d digits; with agreement_type = %q it is the enrollment number on the signed agreement form, which has %d. Only service_provider and other agreement numbers may have %d. Copy the number again, or check agreement_type.", attr, n, agreementType, low, licensecodes.Formats["agreement_number"].MaxLength)})
		}
	}
	return out
}

// programOfCode is the program a code attribute belongs to.
func programOfCode(attr string) string {
	for _, p := range Programs {
		if slices.Contains(p.Codes, attr) {
			return p.Name
		}
	}
	return ""
}
