package winsim

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// A new license server's built-in pack is the row captured on real
// servers, property by property as the catalog has it.
func TestBuiltInKeyPackIsTheCapturedRow(t *testing.T) {
	st := NewLicenseServerHost("LS01", "2022", "contoso.com")
	var p keyPackInstance
	found := 0
	for _, kp := range st.LicenseServer.KeyPacks {
		if kp.ProductType == 3 {
			p, found = st.keyPackInstance(kp), found+1
		}
	}
	if found != 1 {
		t.Fatalf("%d built-in packs", found)
	}
	got := map[string]string{
		"KeyPackId":        strconv.FormatInt(p.KeyPackID, 10),
		"Description":      p.Description,
		"KeyPackType":      strconv.Itoa(p.KeyPackType),
		"ProductType":      strconv.Itoa(p.ProductType),
		"ProductVersion":   p.ProductVersion,
		"ProductVersionID": strconv.Itoa(p.ProductVersionID),
		"TotalLicenses":    strconv.FormatInt(p.TotalLicenses, 10),
		"ExpirationDate":   p.ExpirationDate.UTC().Format("20060102150405") + ".000000-000",
		"TypeAndModel":     p.TypeAndModel,
	}
	// The one known difference: winsim's built-in pack is KeyPackId 1.
	if f, _ := winfacts.Lookup("value:BuiltInKeyPack.KeyPackId"); f.Value != "2" || got["KeyPackId"] != "1" {
		t.Errorf("KeyPackId: winsim %s, captured %s: update the test and builtInKeyPackID's comment", got["KeyPackId"], f.Value)
	}
	delete(got, "KeyPackId")
	for prop, v := range got {
		f, ok := winfacts.Lookup("value:BuiltInKeyPack." + prop)
		switch {
		case !ok:
			t.Errorf("the catalog has no value:BuiltInKeyPack.%s", prop)
		case f.Value != v:
			t.Errorf("%s: winsim %q, captured %q", prop, v, f.Value)
		}
	}
	if p.IssuedLicenses != 0 || p.AvailableLicenses != BuiltInKeyPackLicense || !isBuiltInKeyPack(p) {
		t.Errorf("issued %d, available %d, built-in %v", p.IssuedLicenses, p.AvailableLicenses, isBuiltInKeyPack(p))
	}
}

// Installed packs' descriptions are the captured product codes
// (value:KeyPackDescription), whatever the program: none names the
// agreement. winsim's retail codes use the product key alphabet
// (value:RetailCode.alphabet).
func TestKeyPackDescriptionsAreTheCapturedCodes(t *testing.T) {
	f, _ := winfacts.Lookup("value:KeyPackDescription")
	for _, c := range []struct {
		productType, versionID int
		want                   string
	}{{0, 2, "A02-6.00-S"}, {1, 4, "C50-6.02-S"}, {1, 6, "C50-10.01-S"}} {
		if got := keyPackDescription(c.productType, c.versionID); got != c.want || !strings.Contains(f.Value, c.want) {
			t.Errorf("ProductType %d, ProductVersionID %d: winsim %q, captured %q (catalog: %s)", c.productType, c.versionID, got, c.want, f.Value)
		}
	}
	alphabet, _ := winfacts.Lookup("value:ProductKeyAlphabet")
	for i := range 20 {
		code := NewRetailCode(strconv.Itoa(i), 7, 1, 5).Code
		if strings.Trim(code, alphabet.Value) != "" {
			t.Fatalf("retail code %q has characters outside %s", code, alphabet.Value)
		}
	}
}
