package winsim

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// The key pack operations: list_key_packs, install_key_pack,
// remove_key_pack and remove_licenses. The first half of this file models
// what Windows does (Win32_TSLicenseKeyPack and its methods, with return
// codes from Quirks where the catalog (internal/winfacts) marks them unverified); the second
// half holds the handlers, which mirror the scripts (and
// scripts/lib/keypacks.ps1) step by step on top of it.

func init() {
	register(rds.ListKeyPacks, listKeyPacks)
	register(rds.InstallKeyPack, installKeyPack)
	registerSteps(rds.InstallKeyPack.Name, stepBeforeWMI, stepAfterWMI, stepAfterJournal)
	register(rds.RemoveKeyPack, removeKeyPack)
	registerSteps(rds.RemoveKeyPack.Name, stepAfterWMI)
	register(rds.RemoveLicenses, removeLicenses)
}

// The steps of install_key_pack where crash_at and reboot_at faults stop it.
const (
	stepBeforeWMI    = "before_wmi"    // the journal says started; the install method has not run
	stepAfterWMI     = "after_wmi"     // the install method ran (a pack on success); the journal still says started
	stepAfterJournal = "after_journal" // the journal has the outcome; no answer yet
)

// NewRetailCode is a well-formed retail license code (25 characters) for
// scenarios and tests; the same seed gives the same code.
func NewRetailCode(seed string, productVersionID, productType int, count int64) RetailCode {
	return RetailCode{Code: clearinghouseCode("retail-code:"+seed, 25), ProductVersionID: productVersionID, ProductType: productType, Count: count}
}

// NewOfflineKeyPack is a well-formed license key pack ID (35 characters),
// as the Clearinghouse web site or phone line gives, for scenarios and tests.
func NewOfflineKeyPack(seed string, productVersionID, productType int, count int64) OfflineKeyPack {
	return OfflineKeyPack{ID: clearinghouseCode("key-pack-id:"+seed, 35), ProductVersionID: productVersionID, ProductType: productType, Count: count}
}

// ---- Windows ----------------------------------------------------------

// keyPackExpiry is the ExpirationDate of installed packs: the last second
// of 32-bit time, as on the built-in pack (permanent CALs do not expire).
var keyPackExpiry = time.Date(2038, 1, 19, 3, 14, 7, 0, time.UTC)

// keyPackInstance is a Win32_TSLicenseKeyPack instance as WMI returns it.
type keyPackInstance struct {
	KeyPackID         int64
	KeyPackType       int
	ProductType       int
	ProductVersion    string
	ProductVersionID  int
	TypeAndModel      string
	Description       string
	TotalLicenses     int64
	IssuedLicenses    int64
	AvailableLicenses int64
	ExpirationDate    time.Time
}

// keyPackInstance derives the read-only properties Windows computes.
func (st *HostState) keyPackInstance(kp KeyPackState) keyPackInstance {
	typeAndModel := kp.TypeAndModel
	if typeAndModel == "" {
		typeAndModel = calTypeName(kp.ProductType, kp.ProductVersionID)
	}
	available := kp.TotalLicenses - kp.IssuedLicenses
	if available < 0 { // a uint32 on Windows; odd scenario states must not go negative
		available = 0
	}
	return keyPackInstance{
		KeyPackID:         kp.KeyPackID,
		KeyPackType:       kp.KeyPackType,
		ProductType:       kp.ProductType,
		ProductVersion:    st.productVersionString(kp.ProductVersionID),
		ProductVersionID:  kp.ProductVersionID,
		TypeAndModel:      typeAndModel,
		Description:       kp.Description,
		TotalLicenses:     kp.TotalLicenses,
		IssuedLicenses:    kp.IssuedLicenses,
		AvailableLicenses: available,
		ExpirationDate:    kp.ExpirationDate,
	}
}

// calTypeName is the CAL type Windows shows for a product type and CAL
// version: a key pack's TypeAndModel and a report entry's CALType. CALs up
// to 2012 (ProductVersionID 2-4) carry the older "TS" name.
func calTypeName(productType, versionID int) string {
	prefix := "RDS"
	if versionID >= 2 && versionID <= 4 {
		prefix = "TS"
	}
	switch productType {
	case 0:
		return prefix + " Per Device CAL"
	case 1:
		return prefix + " Per User CAL"
	case 3:
		return builtInTypeAndModel
	}
	return "Invalid"
}

// keyPackIndex finds a pack by KeyPackId; -1 when there is none.
func (st *HostState) keyPackIndex(id int64) int {
	return slices.IndexFunc(st.LicenseServer.KeyPacks, func(kp KeyPackState) bool { return kp.KeyPackID == id })
}

// keyPackByID is Get-CimInstance Win32_TSLicenseKeyPack -Filter "KeyPackId = id".
func (st *HostState) keyPackByID(id int64) (keyPackInstance, bool) {
	i := st.keyPackIndex(id)
	if i < 0 {
		return keyPackInstance{}, false
	}
	return st.keyPackInstance(st.LicenseServer.KeyPacks[i]), true
}

// The built-in pack's KeyPackId and TypeAndModel (also its report CALType).
// Real servers show KeyPackId 2; winsim keeps 1, which its and the
// provider's tests number installed packs after (value:BuiltInKeyPack.KeyPackId).
const (
	builtInKeyPackID    = 1
	builtInTypeAndModel = "Built-in TS Per Device CAL"
)

// isBuiltInKeyPack mirrors Test-RdslBuiltInKeyPack: product type 3
// (built-in), an unlimited (0xFFFFFFFF) count, or the built-in pack's
// TypeAndModel in any case. The model of the WMI methods that refuse to
// change the built-in pack uses it too.
func isBuiltInKeyPack(p keyPackInstance) bool {
	return p.ProductType == 3 || p.TotalLicenses == BuiltInKeyPackLicense || strings.EqualFold(p.TypeAndModel, builtInTypeAndModel)
}

// kpVersionCode is what an install method returns for a CAL version on
// this license server: 0 when it can hold the CALs. A server holds CALs of
// its own release or older; 2008-2012 R2 CALs (2-4) are older than any
// release winsim runs. The 2022 and 2025 numbers are Quirks.
func (st *HostState) kpVersionCode(id int) int64 {
	if id >= 2 && id <= 4 {
		return 0
	}
	release := st.ReleaseOfVersionID(id)
	if id < 2 || release == "" {
		return WBEMInvalidParameter // a ProductVersion Windows does not know
	}
	if shOSRank(release) > shOSRank(st.OS) {
		return st.Quirks.VersionTooNewCode
	}
	return 0
}

// kpInstall models the four install methods of Win32_TSLicenseKeyPack:
// Windows' own checks, the Clearinghouse's answer and the pack it adds. It
// returns the KeyPackId out-parameter and the ReturnValue.
func (x *opContext) kpInstall(in rds.InstallKeyPackInput) (int64, int64) {
	st := x.Host
	if !st.LicenseServer.Activated {
		return 0, st.Quirks.NotActivatedCode
	}
	if in.Program == "open_license" || in.Program == "agreement" {
		// Version, type and count are parameters here: Windows checks them
		// before it asks the Clearinghouse.
		if (in.ProductType != 0 && in.ProductType != 1) || in.LicenseCount < 1 {
			return 0, WBEMInvalidParameter
		}
		if code := st.kpVersionCode(in.ProductVersion); code != 0 {
			return 0, code
		}
	}
	// A license key pack ID was issued offline; every other program asks
	// the Clearinghouse over the Internet.
	if in.Program != "license_key_pack_id" && !x.clearinghouseReachable() {
		return 0, st.Quirks.ClearinghouseUnreachableCode
	}
	var kp KeyPackState
	var code int64
	_ = x.Clearinghouse(func(ch *ClearinghouseState) error {
		kp, code = st.kpRedeem(ch, in)
		return nil
	})
	if code != 0 {
		return 0, code
	}
	kp.KeyPackID = st.kpNextID()
	kp.ExpirationDate = keyPackExpiry
	st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks, kp)
	x.Note("installed key pack %d: %d %s CALs (ProductVersionID %d, %s)", kp.KeyPackID, kp.TotalLicenses, productTypeName(kp.ProductType), kp.ProductVersionID, in.Program)
	return kp.KeyPackID, 0
}

// keyPackDescription is the Description Windows gives an installed pack:
// a product code of the CALs' type and release, the same for every
// program (value:KeyPackDescription): "A02" per device, "C50" per user,
// then the release. Captures show A02-6.00-S (2008 per device),
// C50-6.02-S (2012 per user) and C50-10.01-S (2019 per user); the other
// releases' numbers follow the pattern, unverified
// (value:KeyPackDescription.modelled). No description names the program
// or the agreement.
func keyPackDescription(productType, versionID int) string {
	release := map[int]string{2: "6.00", 3: "6.01", 4: "6.02", 5: "10.00", 6: "10.01", 7: "10.02", 8: "10.03"}[versionID]
	if release == "" {
		release = fmt.Sprintf("%d.00", versionID)
	}
	prefix := "A02"
	if productType == 1 {
		prefix = "C50"
	}
	return prefix + "-" + release + "-S"
}

// kpRedeem is the Clearinghouse's side of an install: it finds what in
// names, checks it against this license server, marks it used and returns
// the pack to add (KeyPackType: retail and key pack ID 1 "retail
// purchase", agreement 2 "volume purchase", Open License 5), or a code.
func (st *HostState) kpRedeem(ch *ClearinghouseState, in rds.InstallKeyPackInput) (KeyPackState, int64) {
	count := int64(in.LicenseCount)
	switch in.Program {
	case "retail":
		for i := range ch.RetailCodes {
			c := &ch.RetailCodes[i]
			if c.Code != "" && strings.EqualFold(c.Code, in.LicenseCode) {
				kp := KeyPackState{KeyPackType: 1, ProductType: c.ProductType, ProductVersionID: c.ProductVersionID,
					TotalLicenses: c.Count, Description: keyPackDescription(c.ProductType, c.ProductVersionID), Source: "retail:" + c.Code}
				return st.kpRedeemSingleUse(&c.UsedBy, kp)
			}
		}
	case "license_key_pack_id":
		for i := range ch.KeyPackIDs {
			k := &ch.KeyPackIDs[i]
			if k.ID != "" && strings.EqualFold(k.ID, in.LicenseKeyPackID) {
				kp := KeyPackState{KeyPackType: 1, ProductType: k.ProductType, ProductVersionID: k.ProductVersionID,
					TotalLicenses: k.Count, Description: keyPackDescription(k.ProductType, k.ProductVersionID), Source: "license_key_pack_id:" + k.ID}
				return st.kpRedeemSingleUse(&k.UsedBy, kp)
			}
		}
	case "open_license":
		for i := range ch.OpenLicenses {
			o := &ch.OpenLicenses[i]
			if o.LicenseNumber != "" && o.LicenseNumber == in.LicenseNumber && strings.EqualFold(o.AuthorizationNumber, in.AuthorizationNumber) {
				kp := KeyPackState{KeyPackType: 5, ProductType: in.ProductType, ProductVersionID: in.ProductVersion,
					TotalLicenses: count, Description: keyPackDescription(in.ProductType, in.ProductVersion), Source: "open_license:" + o.LicenseNumber}
				return st.kpRedeemCounted(o.ProductVersionID, o.ProductType, o.Count, &o.Used, kp)
			}
		}
	case "agreement":
		for i := range ch.Agreements {
			a := &ch.Agreements[i]
			if a.Number != "" && a.Number == in.AgreementNumber && a.AgreementType == in.AgreementType {
				kp := KeyPackState{KeyPackType: 2, ProductType: in.ProductType, ProductVersionID: in.ProductVersion,
					TotalLicenses: count, Description: keyPackDescription(in.ProductType, in.ProductVersion), Source: fmt.Sprintf("agreement:%d:%s", a.AgreementType, a.Number)}
				return st.kpRedeemCounted(a.ProductVersionID, a.ProductType, a.Count, &a.Used, kp)
			}
		}
	}
	return KeyPackState{}, st.Quirks.InvalidCodeCode
}

// kpRedeemSingleUse redeems a single-use purchase (a retail code or a
// license key pack ID) whose pack is kp: refused once usedBy is set, or
// when the pack's version is too new for this server; else marked used.
func (st *HostState) kpRedeemSingleUse(usedBy *string, kp KeyPackState) (KeyPackState, int64) {
	if *usedBy != "" {
		return KeyPackState{}, st.Quirks.CodeAlreadyUsedCode
	}
	if code := st.kpVersionCode(kp.ProductVersionID); code != 0 {
		return KeyPackState{}, code
	}
	*usedBy = st.LicenseServer.ProductID
	return kp, 0
}

// kpRedeemCounted draws kp's CALs from a counted purchase (an Open License
// or an agreement) of versionID and productType covering count CALs, used
// of which are drawn: refused unless kp has that version and type and the
// purchase still covers its CALs.
func (st *HostState) kpRedeemCounted(versionID, productType int, count int64, used *int64, kp KeyPackState) (KeyPackState, int64) {
	if kp.ProductVersionID != versionID || kp.ProductType != productType || kp.TotalLicenses > count-*used {
		return KeyPackState{}, st.Quirks.InvalidCodeCode
	}
	*used += kp.TotalLicenses
	return kp, 0
}

// kpNextID allocates a KeyPackId: NextKeyPackID, moved past any pack a
// scenario put there by hand.
func (st *HostState) kpNextID() int64 {
	ls := &st.LicenseServer
	id := max(ls.NextKeyPackID, 1)
	for _, kp := range ls.KeyPacks {
		if kp.KeyPackID >= id {
			id = kp.KeyPackID + 1
		}
	}
	ls.NextKeyPackID = id + 1
	return id
}

// kpUninstallWithID models UninstallLicenseKeyPackWithId. What Windows
// does with CALs already issued from the pack is not documented: winsim
// removes the pack and leaves issued CALs with their clients. Removing
// the built-in pack is refused (the code is a guess; the script checks first).
func (st *HostState) kpUninstallWithID(id int64) int64 {
	i := st.keyPackIndex(id)
	if i < 0 {
		return WBEMNotFound
	}
	if isBuiltInKeyPack(st.keyPackInstance(st.LicenseServer.KeyPacks[i])) {
		return WBEMInvalidParameter
	}
	st.LicenseServer.KeyPacks = slices.Delete(st.LicenseServer.KeyPacks, i, i+1)
	return 0
}

// kpRemoveLicenses models RemoveLicensesWithIdCount: only CALs not issued
// can go. Removing all of them leaves the pack with Total = Issued
// (unverified: Windows might drop the pack instead).
func (st *HostState) kpRemoveLicenses(id, count int64) int64 {
	i := st.keyPackIndex(id)
	if i < 0 {
		return WBEMNotFound
	}
	kp := &st.LicenseServer.KeyPacks[i]
	if isBuiltInKeyPack(st.keyPackInstance(*kp)) || count < 1 || count > kp.TotalLicenses-kp.IssuedLicenses {
		return WBEMInvalidParameter
	}
	kp.TotalLicenses -= count
	return 0
}

func productTypeName(t int) string {
	if t == 1 {
		return "per-user"
	}
	return "per-device"
}

// ---- the scripts --------------------------------------------------------

// convertKeyPack mirrors ConvertTo-RdslKeyPack (lib/keypacks.ps1).
func convertKeyPack(p keyPackInstance) rds.KeyPack {
	return rds.KeyPack{
		KeyPackID:         p.KeyPackID,
		KeyPackType:       p.KeyPackType,
		ProductType:       p.ProductType,
		ProductVersion:    p.ProductVersion,
		ProductVersionID:  p.ProductVersionID,
		TypeAndModel:      p.TypeAndModel,
		Description:       p.Description,
		TotalLicenses:     p.TotalLicenses,
		IssuedLicenses:    p.IssuedLicenses,
		AvailableLicenses: p.AvailableLicenses,
		ExpirationDate:    formatDate(p.ExpirationDate),
		BuiltIn:           isBuiltInKeyPack(p),
	}
}

// keyPackIDInput mirrors Get-RdslKeyPackId.
func keyPackIDInput(id int64) error {
	if id < 0 || id > 4294967295 {
		return fail("invalid_input", "key_pack_id must be a KeyPackId between 0 and 4294967295; got %d", id)
	}
	return nil
}

// changeableKeyPack mirrors Get-RdslChangeableKeyPack.
func changeableKeyPack(st *HostState, id int64) (keyPackInstance, error) {
	p, ok := st.keyPackByID(id)
	if !ok {
		return p, failCode("not_found", WBEMNotFound, "there is no key pack %d on %s", id, st.Name)
	}
	if isBuiltInKeyPack(p) {
		return p, fail("invalid_input", "key pack %d on %s is the built-in per-device pack (Built-in TS Per Device CAL): Windows creates it with the license server, and it cannot be removed or changed", id, st.Name)
	}
	return p, nil
}

// keyPackChangeKinds is the code table of remove_key_pack and remove_licenses.
var keyPackChangeKinds = map[int64]string{
	WBEMNotFound:         "not_found",
	WBEMInvalidParameter: "invalid_input",
	WBEMAccessDenied:     "access_denied",
}

// listKeyPacks mirrors list_key_packs.ps1.
func listKeyPacks(x *opContext, _ rds.NoInput) (rds.KeyPackList, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.KeyPackList{}, err
	}
	packs := slices.Clone(st.LicenseServer.KeyPacks)
	sort.SliceStable(packs, func(i, j int) bool { return packs[i].KeyPackID < packs[j].KeyPackID })
	out := rds.KeyPackList{KeyPacks: []rds.KeyPack{}, Journal: st.journal(), BootTime: formatDate(st.BootTime), HostTime: formatDate(x.Now)}
	for _, kp := range packs {
		out.KeyPacks = append(out.KeyPacks, convertKeyPack(st.keyPackInstance(kp)))
	}
	return out, nil
}

// keyPackIDList mirrors Get-RdslKeyPackIdList: every KeyPackId, ascending.
func (st *HostState) keyPackIDList() []int64 {
	ids := []int64{}
	for _, kp := range st.LicenseServer.KeyPacks {
		ids = append(ids, kp.KeyPackID)
	}
	slices.Sort(ids)
	return ids
}

// The tables of install_key_pack.ps1: the CAL numbers it accepts, with
// their releases, and the newest CAL number each license server release
// holds. They are the catalog's numbers (winfacts), which the script copies
// (a contract test holds them equal), not the Quirks: with another
// Quirks.ProductVersion2022 or ProductVersion2025 the script and Windows
// disagree, as they would on a real server.
var (
	installReleases, installLSMax = installTables()
	installKinds                  = map[int64]string{
		WBEMNotAvailable:     "clearinghouse_unreachable",
		WBEMInvalidParameter: "invalid_code",
		WBEMAlreadyExists:    "code_already_used",
		WBEMAccessDenied:     "access_denied",
	}
)

// installNames are, per program, the WMI method install_key_pack.ps1
// calls and how its messages name the secret it sends.
var installNames = map[string]struct{ method, what string }{
	"retail":              {"InstallRetailPurchaseLicenseKeyPack", "license code"},
	"open_license":        {"InstallOpenLicenseKeyPack", "license and authorization numbers"},
	"agreement":           {"InstallAgreementLicenseKeyPack", "agreement number"},
	"license_key_pack_id": {"InstallLicenseKeyPack", "license key pack ID"},
}

// checkCodeFormat mirrors Assert-CodeFormat: the length in UTF-16 code
// units (.NET's String.Length), length to maxLength (0: length only), then
// ASCII letters and digits (or digits).
func checkCodeFormat(name, value string, length, maxLength int, digitsOnly bool) error {
	maxLength = max(maxLength, length)
	what := "letters and digits"
	if digitsOnly {
		what = "digits"
	}
	size := strconv.Itoa(length)
	if maxLength > length {
		size = fmt.Sprintf("%d to %d", length, maxLength)
	}
	rule := fmt.Sprintf("%s must be %s %s without hyphens or spaces", name, size, what)
	n := utf16Len(value)
	if n < length || n > maxLength {
		return fail("invalid_input", "%s; got %d characters", rule, n)
	}
	for _, r := range value {
		ok := r >= '0' && r <= '9' || !digitsOnly && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
		if !ok {
			return fail("invalid_input", "%s; got %d characters, not all of them %s", rule, n, what)
		}
	}
	return nil
}

// checkInstallInput mirrors step 2 of install_key_pack.ps1.
func checkInstallInput(in rds.InstallKeyPackInput) error {
	var err error
	switch in.Program {
	case "retail":
		err = checkCodeFormat("license_code", in.LicenseCode, 25, 0, false)
	case "open_license":
		err = checkCodeFormat("license_number", in.LicenseNumber, 8, 0, true)
		if err == nil {
			err = checkCodeFormat("authorization_number", in.AuthorizationNumber, 15, 0, false)
		}
	case "agreement":
		if in.AgreementType < 0 || in.AgreementType > 5 {
			return fail("invalid_input", "agreement_type must be 0 (Select), 1 (Enterprise Agreement), 2 (Campus Agreement), 3 (School Agreement), 4 (Service Provider License Agreement) or 5 (other agreements); got %d", in.AgreementType)
		}
		// Select, Enterprise, Campus, School: "seven numeric digits"; SPLA
		// (an 8-digit number in a public provisioning script) and other
		// agreements: 7 to 8.
		maxDigits := 7
		if in.AgreementType >= 4 {
			maxDigits = 8
		}
		err = checkCodeFormat("agreement_number", in.AgreementNumber, 7, maxDigits, true)
	case "license_key_pack_id":
		err = checkCodeFormat("license_key_pack_id", in.LicenseKeyPackID, 35, 0, false)
	default:
		return fail("invalid_input", `program must be "retail", "open_license", "agreement" or "license_key_pack_id"; got "%s"`, in.Program)
	}
	if err != nil {
		return err
	}
	if _, ok := installReleases[in.ProductVersion]; !ok {
		return fail("invalid_input", "product_version must be 5 (Windows Server 2016), 6 (2019), 7 (2022) or 8 (2025); got %d", in.ProductVersion)
	}
	if in.ProductType != 0 && in.ProductType != 1 {
		return fail("invalid_input", "product_type must be 0 (per device) or 1 (per user); got %d", in.ProductType)
	}
	if installCounted(in.Program) && (in.LicenseCount < 1 || in.LicenseCount > 9999) {
		return fail("invalid_input", "license_count must be between 1 and 9999; got %d", in.LicenseCount)
	}
	// The journal's fields.
	if err := checkJournalID("request_id", in.RequestID, false); err != nil {
		return err
	}
	if err := checkJournalID("owner", in.Owner, false); err != nil {
		return err
	}
	return checkCodeTag(in.CodeTag, false)
}

// installCounted: the programs whose method takes a LicenseCount.
func installCounted(program string) bool { return program == "open_license" || program == "agreement" }

// installContext mirrors how install_key_pack.ps1 explains a return code
// of its table; other codes get the bare context (wmi_error).
func installContext(st *HostState, in rds.InstallKeyPackInput, code int64) string {
	what := installNames[in.Program].what
	covers := fmt.Sprintf("Windows Server %s %s CALs", installReleases[in.ProductVersion], productTypeName(in.ProductType))
	if installCounted(in.Program) {
		covers = fmt.Sprintf("%d more %s", in.LicenseCount, covers)
	}
	context := "installing CALs on " + st.Name
	switch code {
	case WBEMNotAvailable:
		hint := fmt.Sprintf("the license server could not reach the Microsoft Clearinghouse to validate the %s; allow outbound TCP 443 from %s to the Internet", what, st.Name)
		if in.Program != "license_key_pack_id" {
			hint += `, or install with program "license_key_pack_id" and a license key pack ID obtained from the Clearinghouse web site or by phone`
		}
		context += ": " + hint
	case WBEMInvalidParameter:
		context += fmt.Sprintf(": the Microsoft Clearinghouse did not accept the %s; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers %s", what, covers)
		if installCounted(in.Program) && in.ProductVersion >= 7 {
			context += fmt.Sprintf("; or Windows does not know ProductVersion %d for Windows Server %s CALs (the install methods document 2, 4, 5 and 6 only)", in.ProductVersion, installReleases[in.ProductVersion])
		}
	case WBEMAlreadyExists:
		var used string
		switch in.Program {
		case "retail":
			used = "this retail license code has already been used: retail codes are single-use, even on the same server"
		case "license_key_pack_id":
			used = "this license key pack ID has already been used: key pack IDs are single-use, even on the same server"
		default:
			used = fmt.Sprintf("the Microsoft Clearinghouse reports the %s as already used", what)
		}
		context += ": " + used + "; if its CALs are on this license server they are in its key pack list, otherwise have the Microsoft Clearinghouse reissue them (by phone) or migrate them from the license server that holds them"
	case WBEMAccessDenied:
		context += ": Windows denied the install; run it as a local administrator with a full token (the built-in Administrator, a domain account, or LocalAccountTokenFilterPolicy = 1)"
	}
	return context
}

// installKeyPack mirrors install_key_pack.ps1.
func installKeyPack(x *opContext, in rds.InstallKeyPackInput) (rds.KeyPackResult, error) {
	st := x.Host
	// (1) role, (2) input.
	if err := assertLicensingRole(st); err != nil {
		return rds.KeyPackResult{}, err
	}
	if err := checkInstallInput(in); err != nil {
		return rds.KeyPackResult{}, err
	}
	// (3) activation.
	if getActivationStatus(st) != 0 {
		return rds.KeyPackResult{}, fail("not_activated", "the license server on %s is not activated: Windows refuses to install CALs on a license server that is not activated; activate it first (rdslicensing_server_activation)", st.Name)
	}
	// (4) CAL version against the license server's release.
	calRelease := installReleases[in.ProductVersion]
	lsName, tooNew := "pre-2016 Windows Server", true
	if maxVersion, ok := installLSMax[osVersionName(st)]; ok {
		lsName, tooNew = "Windows Server "+osVersionName(st), in.ProductVersion > maxVersion
	}
	if tooNew {
		return rds.KeyPackResult{}, fail("version_unsupported", "Windows Server %s CALs cannot be installed on %s, a %s license server: a license server holds CALs of its own version or older; install them on a Windows Server %s license server", calRelease, st.Name, lsName, calRelease)
	}
	// (5) per-user CALs outside a domain (Win32_ComputerSystem.PartOfDomain, .Workgroup).
	if cs := computerSystem(x); in.ProductType == 1 && !in.AllowPerUserInWorkgroup && !cs.PartOfDomain {
		return rds.KeyPackResult{}, fail("workgroup_unsupported", "per-user CALs need Active Directory: %s is in workgroup %s, where per-user CALs cannot be tracked or reported; use per-device CALs, join the license server to a domain, or set allow_per_user_in_workgroup", st.Name, cs.Domain)
	}
	// (6) the journal: refuse a known request ID, record the request. The
	// host's lock, held for the whole handler, is the journal's mutex.
	if e := st.journalEntry(in.RequestID); e != nil {
		return rds.KeyPackResult{}, fail("conflict", "install request %s was already made on %s (its key pack journal entry is %s): a request installs at most once; nothing was installed", in.RequestID, st.Name, e.State)
	}
	*st.journalSlot(in.RequestID) = JournalEntryState{
		RequestID: in.RequestID, State: rds.JournalStarted, Program: in.Program,
		ProductVersion: in.ProductVersion, ProductType: in.ProductType, LicenseCount: in.LicenseCount,
		AgreementType: in.AgreementType, CodeTag: in.CodeTag, Owner: in.Owner,
		Before: st.keyPackIDList(), Started: x.Now, Updated: x.Now,
	}
	if err := x.step(stepBeforeWMI); err != nil {
		return rds.KeyPackResult{}, err
	}
	// (7) the install method.
	id, code := x.kpInstall(in)
	code = x.callMethod(installNames[in.Program].method, code)
	if err := x.step(stepAfterWMI); err != nil {
		return rds.KeyPackResult{}, err
	}
	// (8) its outcome into the journal; then the script's code table.
	e := st.journalEntry(in.RequestID)
	if code == 0 {
		e.State, e.KeyPackID = rds.JournalInstalled, id
	} else {
		e.State, e.ReturnValue = rds.JournalFailed, code
	}
	e.Updated = x.Now
	if err := x.step(stepAfterJournal); err != nil {
		return rds.KeyPackResult{}, err
	}
	if err := assertReturn(code, installNames[in.Program].method, installKinds, installContext(st, in, code)); err != nil {
		return rds.KeyPackResult{}, err
	}
	// (9) the new pack, read back by KeyPackId. The script's fallback for a
	// pack it cannot read back is unreachable here: winsim just added it.
	p, _ := st.keyPackByID(id)
	return rds.KeyPackResult{KeyPack: convertKeyPack(p)}, nil
}

// removeKeyPack mirrors remove_key_pack.ps1.
func removeKeyPack(x *opContext, in rds.KeyPackRef) (rds.Empty, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.Empty{}, err
	}
	if err := keyPackIDInput(in.KeyPackID); err != nil {
		return rds.Empty{}, err
	}
	if _, err := changeableKeyPack(st, in.KeyPackID); err != nil {
		return rds.Empty{}, err
	}
	code := x.callMethod("UninstallLicenseKeyPackWithId", st.kpUninstallWithID(in.KeyPackID))
	if err := x.step(stepAfterWMI); err != nil {
		return rds.Empty{}, err
	}
	if err := assertReturn(code, "UninstallLicenseKeyPackWithId", keyPackChangeKinds, fmt.Sprintf("removing key pack %d from %s", in.KeyPackID, st.Name)); err != nil {
		return rds.Empty{}, err
	}
	x.Note("removed key pack %d", in.KeyPackID)
	return rds.Empty{}, nil
}

// removeLicenses mirrors remove_licenses.ps1.
func removeLicenses(x *opContext, in rds.RemoveLicensesInput) (rds.KeyPackResult, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.KeyPackResult{}, err
	}
	if err := keyPackIDInput(in.KeyPackID); err != nil {
		return rds.KeyPackResult{}, err
	}
	count := int64(in.LicenseCount)
	if count < 1 {
		return rds.KeyPackResult{}, fail("invalid_input", "license_count must be at least 1; got %d", count)
	}
	p, err := changeableKeyPack(st, in.KeyPackID)
	if err != nil {
		return rds.KeyPackResult{}, err
	}
	if count > p.AvailableLicenses {
		return rds.KeyPackResult{}, fail("invalid_input", "cannot remove %d licenses from key pack %d on %s: only %d are not issued", count, in.KeyPackID, st.Name, p.AvailableLicenses)
	}
	code := x.callMethod("RemoveLicensesWithIdCount", st.kpRemoveLicenses(in.KeyPackID, count))
	if err := assertReturn(code, "RemoveLicensesWithIdCount", keyPackChangeKinds, fmt.Sprintf("removing %d licenses from key pack %d on %s", count, in.KeyPackID, st.Name)); err != nil {
		return rds.KeyPackResult{}, err
	}
	x.Note("removed %d licenses from key pack %d", count, in.KeyPackID)
	// winsim keeps an emptied pack, so the script's fallback for a pack
	// Windows dropped is unreachable here.
	after, _ := st.keyPackByID(in.KeyPackID)
	return rds.KeyPackResult{KeyPack: convertKeyPack(after)}, nil
}

func installTables() (map[int]string, map[string]int) {
	releases, lsMax := map[int]string{}, map[string]int{}
	for _, r := range winfacts.InstallableReleases {
		n, _ := winfacts.ProductVersion(r)
		releases[n], lsMax[r] = r, n
	}
	return releases, lsMax
}
