package keypacks

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Program describes one way of buying CALs.
type Program struct {
	Name string
	// Codes are the program's code attributes.
	Codes []string
	// Counted: the install takes a quantity (Open License, agreements);
	// otherwise the code decides the CALs and works once.
	Counted bool
	// KeyPackType is the KeyPackType of the packs it installs.
	KeyPackType int
	// CodeName is how messages call its code.
	CodeName string
}

// Programs are the purchase programs, in the order users see them.
var Programs = []Program{
	{Name: "retail", Codes: []string{"license_code"}, KeyPackType: 1, CodeName: "retail license code"},
	{Name: "open_license", Codes: []string{"license_number", "authorization_number"}, Counted: true, KeyPackType: 5, CodeName: "Open License"},
	{Name: "agreement", Codes: []string{"agreement_number"}, Counted: true, KeyPackType: 2, CodeName: "agreement number"},
	{Name: "license_key_pack_id", Codes: []string{"license_key_pack_id"}, KeyPackType: 1, CodeName: "license key pack ID"},
}

// ProgramNamed is the program called name (the zero Program when none).
func ProgramNamed(name string) Program {
	for _, p := range Programs {
		if p.Name == name {
			return p
		}
	}
	return Program{}
}

// ProgramNames are the programs' names, in the order users see them.
func ProgramNames() []string {
	out := make([]string, len(Programs))
	for i, p := range Programs {
		out[i] = p.Name
	}
	return out
}

// Intent is what one install asks for: the install input without its
// secrets' values, which only CodeTag and the install itself see.
type Intent struct {
	Program        string
	ProductVersion int
	ProductType    int
	LicenseCount   int // counted programs only
	AgreementType  int // agreements only
	// Codes are the normalised codes, in the program's order.
	Codes []string
}

// IntentOf is the intent of an install input.
func IntentOf(in rds.InstallKeyPackInput) Intent {
	it := Intent{Program: in.Program, ProductVersion: in.ProductVersion, ProductType: in.ProductType}
	switch in.Program {
	case "retail":
		it.Codes = []string{in.LicenseCode}
	case "open_license":
		it.Codes = []string{in.LicenseNumber, in.AuthorizationNumber}
		it.LicenseCount = in.LicenseCount
	case "agreement":
		it.Codes = []string{in.AgreementNumber}
		it.LicenseCount, it.AgreementType = in.LicenseCount, in.AgreementType
	case "license_key_pack_id":
		it.Codes = []string{in.LicenseKeyPackID}
	}
	return it
}

// tagLen is the number of hex digits of a code tag: 16 bits tell the
// codes of one configuration apart, and leave about 150 candidates for a
// 7-digit agreement number, so the registry does not give it away.
const tagLen = 4

// NewCodeTag is the code tag of a new journal entry: "<salt>:<tag>" with
// a random 8-byte salt.
func (it Intent) NewCodeTag() string {
	var salt [8]byte
	if _, err := rand.Read(salt[:]); err != nil {
		panic("keypacks: no randomness: " + err.Error())
	}
	s := hex.EncodeToString(salt[:])
	return s + ":" + it.tag(s)
}

// TagMatches: tag ("<salt>:<tag>") was made from the same program and codes.
func (it Intent) TagMatches(tag string) bool {
	salt, t, ok := strings.Cut(tag, ":")
	return ok && salt != "" && t == it.tag(salt)
}

func (it Intent) tag(salt string) string {
	h := sha256.New()
	h.Write([]byte(salt + "\x00" + it.Program))
	for _, c := range it.Codes {
		h.Write([]byte("\x00" + strings.ToUpper(c)))
	}
	return hex.EncodeToString(h.Sum(nil))[:tagLen]
}

// entryMatches: e recorded an install of the same CALs as it, with the
// same codes.
func (it Intent) entryMatches(e rds.JournalEntry) bool {
	p := ProgramNamed(it.Program)
	if e.Program != it.Program || e.ProductVersion != it.ProductVersion || e.ProductType != it.ProductType || !it.TagMatches(e.CodeTag) {
		return false
	}
	if p.Counted && e.LicenseCount != it.LicenseCount {
		return false
	}
	return it.Program != "agreement" || e.AgreementType == it.AgreementType
}

// PackMatches: kp could be the pack an install of it made. A retail code
// or key pack ID decides its own release and type, so only the pack type
// is compared for them.
func (it Intent) PackMatches(kp rds.KeyPack) bool {
	p := ProgramNamed(it.Program)
	if kp.BuiltIn || kp.KeyPackType != p.KeyPackType {
		return false
	}
	if !p.Counted {
		return true
	}
	return kp.ProductVersionID == it.ProductVersion && kp.ProductType == it.ProductType && kp.TotalLicenses == int64(it.LicenseCount)
}
