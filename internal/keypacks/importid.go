package keypacks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// ParseImportID reads "<host>/<key_pack_id>[,<key_pack_id>...]";
// problem says what is wrong with id.
func ParseImportID(id string) (string, []int64, string) {
	const format = `The import ID must be "<host>/<key_pack_id>": the license server's name, FQDN or IP address, and the KeyPackId RD Licensing Manager shows (or Get-CimInstance Win32_TSLicenseKeyPack), e.g. "ls01.contoso.com/5"; for several packs of one Open License or agreement "ls01.contoso.com/5,7"`
	i := strings.LastIndex(id, "/")
	if i < 0 {
		return "", nil, fmt.Sprintf("%s. Got %q, which has no \"/\".", format, id)
	}
	host, rest := strings.TrimSpace(id[:i]), strings.TrimSpace(id[i+1:])
	if host == "" || strings.ContainsAny(host, " /\\\t") {
		return "", nil, fmt.Sprintf("%s. Got %q, whose host part is not a host name.", format, id)
	}
	if rest == "" {
		return "", nil, fmt.Sprintf("%s. Got %q, which has no key pack ID after the \"/\".", format, id)
	}
	var ids []int64
	for _, s := range strings.Split(rest, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n < 0 || n > 4294967295 {
			return "", nil, fmt.Sprintf("%s. Got %q: %q is not a key pack ID (a whole number).", format, id, strings.TrimSpace(s))
		}
		if !slices.Contains(ids, n) {
			ids = append(ids, n)
		}
	}
	slices.Sort(ids) // oldest first, as the resource keeps them
	return host, ids, ""
}

// ImportablePacks finds the packs an import names and checks that the
// resource can manage them, together; problem says why not.
func ImportablePacks(host string, packs []rds.KeyPack, ids []int64) ([]rds.KeyPack, string) {
	var out []rds.KeyPack
	for _, id := range ids {
		i := slices.IndexFunc(packs, func(kp rds.KeyPack) bool { return kp.KeyPackID == id })
		if i < 0 {
			var have []string
			for _, kp := range packs {
				if !kp.BuiltIn {
					have = append(have, fmt.Sprintf("%d (%s)", kp.KeyPackID, Describe(kp)))
				}
			}
			list := "none but the built-in pack"
			if len(have) > 0 {
				list = strings.Join(have, "; ")
			}
			return nil, fmt.Sprintf("There is no key pack %d on %s. The key packs there are: %s.", id, host, list)
		}
		kp := packs[i]
		switch {
		case kp.BuiltIn:
			return nil, fmt.Sprintf("Key pack %d on %s is the built-in per-device pack (%s): Windows creates it with the license server, and it cannot be installed, removed or managed. Import a key pack of CALs you installed.", id, host, kp.TypeAndModel)
		case ProgramOfPack(kp) == "":
			return nil, fmt.Sprintf("Key pack %d on %s has KeyPackType %d (%s); the provider manages retail (1), volume agreement (2) and Open License (5) packs.", id, host, kp.KeyPackType, kp.Description)
		case CALRelease(kp.ProductVersionID) == "" || CALType(kp.ProductType) == "":
			return nil, fmt.Sprintf("Key pack %d on %s holds %s CALs (%s); the provider manages Windows Server 2016, 2019, 2022 and 2025 per-user and per-device CALs.", id, host, kp.ProductVersion, kp.TypeAndModel)
		}
		if len(out) > 0 {
			first := out[0]
			if !ProgramNamed(ProgramOfPack(kp)).Counted || kp.KeyPackType != first.KeyPackType || kp.ProductVersionID != first.ProductVersionID || kp.ProductType != first.ProductType {
				return nil, fmt.Sprintf("Key packs %d and %d on %s cannot be one resource: only packs of one Open License or agreement, with the same CAL release and type, can (%s; %s). Import them as separate resources.", first.KeyPackID, id, host, Describe(first), Describe(kp))
			}
		}
		out = append(out, kp)
	}
	return out, ""
}

// ImportedAgreementType is the agreement_type of imported agreement packs
// as the key pack journal recorded it when the provider installed them;
// "" when it did not install them, or its entries disagree. Windows keeps
// no agreement type: a pack's Description names its CALs only
// (value:KeyPackDescription).
func ImportedAgreementType(journal []rds.JournalEntry, packs []rds.KeyPack) string {
	found := ""
	for _, kp := range packs {
		for _, e := range journal {
			if e.State != rds.JournalInstalled || e.KeyPackID != kp.KeyPackID || e.Program != "agreement" ||
				e.AgreementType < 0 || e.AgreementType >= len(AgreementTypes) {
				continue
			}
			t := AgreementTypes[e.AgreementType]
			if found != "" && found != t {
				return ""
			}
			found = t
		}
	}
	return found
}
