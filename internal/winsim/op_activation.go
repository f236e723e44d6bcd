package winsim

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// The license server operations (get_license_server, contact, activation,
// discovery scope, AD group), mirroring their scripts, on top of a model of
// the Win32_TSLicenseServer methods: each returns the WBEM code Windows
// would, taking the codes the catalog (internal/winfacts) leaves UNVERIFIED from Quirks.

func init() {
	register(rds.GetLicenseServer, getLicenseServer)
	register(rds.SetContact, setLicenseServerContact)
	register(rds.ActivateLicenseServer, activateLicenseServer)
	register(rds.ReactivateLicenseServer, reactivateLicenseServer)
	register(rds.FenceReactivation, fenceReactivation)
	register(rds.DeactivateLicenseServer, deactivateLicenseServer)
	for _, op := range []string{rds.ActivateLicenseServer.Name, rds.ReactivateLicenseServer.Name, rds.DeactivateLicenseServer.Name} {
		registerSteps(op, stepAfterWMI) // the method returned; no answer yet
	}
	register(rds.SetDiscoveryScope, setDiscoveryScope)
	register(rds.SetTSLSGroupMembership, setTSLSGroupMembership)
}

// --- Windows: Win32_TSLicenseServer ------------------------------------------

// lsDatabasePath is Win32_TSLicenseServer.DatabasePath (exact value unverified).
const lsDatabasePath = `C:\Windows\system32\LServer\`

// lsProperty returns the contact property of Win32_TSLicenseServer named
// name (its Win32 spelling); nil for any other name.
func lsProperty(ls *LicenseServerState, name string) *string {
	switch name {
	case "FirstName":
		return &ls.FirstName
	case "LastName":
		return &ls.LastName
	case "Company":
		return &ls.Company
	case "CountryRegion":
		return &ls.CountryRegion
	case "eMail":
		return &ls.Email
	case "OrgUnit":
		return &ls.OrgUnit
	case "Address":
		return &ls.Address
	case "City":
		return &ls.City
	case "State":
		return &ls.State
	case "PostalCode":
		return &ls.PostalCode
	}
	return nil
}

// setLSProperty models Set-CimInstance of one property. The provider
// checks CountryRegion against its country list (winfacts.CountryNames, unverified)
// unless Quirks.AcceptAnyCountry; "" clears any property.
func setLSProperty(st *HostState, name, value string) int64 {
	p := lsProperty(&st.LicenseServer, name)
	if p == nil {
		return WBEMInvalidParameter
	}
	if name == "CountryRegion" && value != "" && !st.Quirks.AcceptAnyCountry && !winfacts.IsCountry(value) {
		return WBEMInvalidParameter
	}
	*p = value
	return 0
}

// lsContactMissing lists the names whose property is empty.
func lsContactMissing(ls *LicenseServerState, names ...string) []string {
	var missing []string
	for _, n := range names {
		if p := lsProperty(ls, n); p == nil || strings.TrimSpace(*p) == "" {
			missing = append(missing, n)
		}
	}
	return missing
}

// getActivationStatus models GetActivationStatus (ReturnValue 0):
// ActivationStatus 0 activated, 1 not.
func getActivationStatus(st *HostState) int {
	if st.LicenseServer.Activated {
		return 0
	}
	return 1
}

// getLicenseServerID models GetLicenseServerId ("" when not activated).
func getLicenseServerID(st *HostState) string {
	if !st.LicenseServer.Activated {
		return ""
	}
	return st.LicenseServer.LicenseServerID
}

// activateServerAutomatic models ActivateServerAutomatic.
func activateServerAutomatic(x *opContext) int64 {
	ls := &x.Host.LicenseServer
	if len(lsContactMissing(ls, "FirstName", "LastName", "Company", "CountryRegion")) > 0 {
		return WBEMInvalidParameter // unverified; the script checks first
	}
	if !x.clearinghouseReachable() {
		return x.Host.Quirks.ClearinghouseUnreachableCode
	}
	ls.Activated, ls.LicenseServerID = true, LicenseServerIDFor(ls.ProductID)
	return 0
}

// activateServer models ActivateServer(sLicenseServerId): the Clearinghouse
// issued the ID for this product ID or it is refused; no Internet needed.
func activateServer(x *opContext, id string) int64 {
	ls := &x.Host.LicenseServer
	want := LicenseServerIDFor(ls.ProductID)
	if !strings.EqualFold(id, want) {
		return x.Host.Quirks.InvalidCodeCode
	}
	ls.Activated, ls.LicenseServerID = true, want
	return 0
}

// reactivateServerAutomatic models ReactivateServerAutomatic(Reason). The
// license server ID stays the same (unverified either way).
func reactivateServerAutomatic(x *opContext, reason int64) int64 {
	ls := &x.Host.LicenseServer
	switch {
	case !ls.Activated:
		return x.Host.Quirks.NotActivatedCode
	case reason < 0 || reason > 4:
		return WBEMInvalidParameter
	case len(lsContactMissing(ls, "FirstName", "LastName")) > 0:
		return WBEMInvalidParameter // unverified; the script checks first
	case !x.clearinghouseReachable():
		return x.Host.Quirks.ClearinghouseUnreachableCode
	}
	return 0
}

// reactivateServer models ReactivateServer(sNewLicenseServerId).
func reactivateServer(x *opContext, id string) int64 {
	ls := &x.Host.LicenseServer
	if !ls.Activated {
		return x.Host.Quirks.NotActivatedCode
	}
	if !strings.EqualFold(id, LicenseServerIDFor(ls.ProductID)) {
		return x.Host.Quirks.InvalidCodeCode
	}
	return 0
}

// deactivateServerAutomatic models DeactivateServerAutomatic. Installed key
// packs stay in the database (unverified).
func deactivateServerAutomatic(x *opContext) int64 {
	ls := &x.Host.LicenseServer
	switch {
	case !ls.Activated:
		return x.Host.Quirks.NotActivatedCode
	case len(lsContactMissing(ls, "FirstName", "LastName")) > 0:
		return WBEMInvalidParameter // unverified; the script checks first
	case !x.clearinghouseReachable():
		return x.Host.Quirks.ClearinghouseUnreachableCode
	}
	ls.Activated, ls.LicenseServerID = false, ""
	return 0
}

// changeRole models ChangeRole(ServerRole): domain scope needs a Domain
// Admin, forest scope an Enterprise Admin (WBEM_E_ACCESS_DENIED otherwise).
func changeRole(x *opContext, role int64) int64 {
	switch {
	case role < 0 || role > 2:
		return WBEMInvalidParameter
	case role != 0 && x.Host.Domain == "":
		return WBEMInvalidOperation // unverified; the script checks first
	case role == 1 && !x.User.DomainAdmin, role == 2 && !x.User.EnterpriseAdmin:
		return WBEMAccessDenied
	}
	x.Host.LicenseServer.ServerRole = int(role)
	return 0
}

// isLSonDC models IsLSonDC.
func isLSonDC(st *HostState) (int64, bool) { return 0, st.DomainController }

// isLSinTSLSGroup models IsLSinTSLSGroup(Domain). Outside a domain there
// is no group (unverified code; the script does not ask there). An empty
// Domain is refused with WBEM_E_INVALID_PARAMETER unless
// Quirks.TSLSGroupEmptyDomain: UNVERIFIED either way. The documentation
// says a domain controller of the server's own domain is asked when "no
// domain name is provided", which may mean a missing argument rather than
// an empty string, and every public caller passes a name. Any name is taken for the
// server's own domain.
func isLSinTSLSGroup(st *HostState, domain string) (int64, bool) {
	if domain == "" && !st.Quirks.TSLSGroupEmptyDomain {
		return WBEMInvalidParameter, false
	}
	if st.Domain == "" || st.NoDomainController {
		return WBEMNotAvailable, false
	}
	return 0, st.LicenseServer.InTSLSGroup
}

// setTSLSGroup models AddLStoTSLSGroup (member) and RemoveLSfromTSLSGroup:
// both change an AD group and need a Domain Admin.
func setTSLSGroup(x *opContext, member bool) int64 {
	switch {
	case x.Host.Domain == "" || x.Host.NoDomainController:
		return WBEMNotAvailable // unverified; the script checks the domain first
	case !x.User.DomainAdmin:
		return WBEMAccessDenied
	}
	x.Host.LicenseServer.InTSLSGroup = member
	return 0
}

// --- the scripts ------------------------------------------------------------

// lsActivationState is what Get-RdslActivation returns.
type lsActivationState struct {
	Status int
	ID     string
}

// lsActivation mirrors Get-RdslActivation.
func lsActivation(st *HostState) lsActivationState {
	// Both methods always return 0 in the model; the script's checks of
	// their ReturnValue cannot fire here.
	status := getActivationStatus(st)
	if status != 0 {
		return lsActivationState{Status: status}
	}
	return lsActivationState{Status: status, ID: getLicenseServerID(st)}
}

// lsContact mirrors New-RdslContact.
func lsContact(ls *LicenseServerState) rds.Contact {
	return rds.Contact{
		FirstName: ls.FirstName, LastName: ls.LastName, Company: ls.Company,
		CountryRegion: ls.CountryRegion, Email: ls.Email, OrgUnit: ls.OrgUnit,
		Address: ls.Address, City: ls.City, State: ls.State, PostalCode: ls.PostalCode,
	}
}

// getLicenseServer mirrors scripts/get_license_server.ps1.
func getLicenseServer(x *opContext, _ rds.NoInput) (rds.LicenseServer, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.LicenseServer{}, err
	}
	activation := lsActivation(st)
	code, onDC := isLSonDC(st)
	if err := assertReturn(code, "IsLSonDC", nil, ""); err != nil {
		return rds.LicenseServer{}, err
	}
	cs := computerSystem(x)
	var inGroup *bool
	groupErr := ""
	if cs.PartOfDomain {
		code, member := isLSinTSLSGroup(st, cs.Domain)
		if err := assertReturn(x.callMethod("IsLSinTSLSGroup", code), "IsLSinTSLSGroup", nil, ""); err != nil {
			groupErr = err.Error()
			if oe, ok := err.(*opError); ok {
				groupErr = oe.Message
			}
		} else {
			inGroup = &member
		}
	}
	return rds.LicenseServer{
		ActivationStatus:   activation.Status,
		LicenseServerID:    activation.ID,
		ProductID:          st.LicenseServer.ProductID,
		Contact:            lsContact(&st.LicenseServer),
		ServerRole:         st.LicenseServer.ServerRole,
		InTSLSGroup:        inGroup,
		TSLSGroupError:     groupErr,
		OnDomainController: onDC,
		PartOfDomain:       cs.PartOfDomain,
		Domain:             cs.Domain,
		OSVersion:          osVersionName(st),
		ComputerName:       cs.Name,
		DNSHostName:        cs.dnsName(),
		ServiceStatus:      st.Services[ServiceLicensing].Status,
		DatabasePath:       lsDatabasePath,
		Version:            OSBuilds[st.OS],
	}, nil
}

// setLicenseServerContact mirrors scripts/set_license_server_contact.ps1:
// CountryRegion first, then the others, each only when it differs.
func setLicenseServerContact(x *opContext, in rds.Contact) (rds.ContactChange, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.ContactChange{}, err
	}
	wanted := []struct{ name, value string }{
		{"CountryRegion", in.CountryRegion},
		{"FirstName", in.FirstName},
		{"LastName", in.LastName},
		{"Company", in.Company},
		{"eMail", in.Email},
		{"OrgUnit", in.OrgUnit},
		{"Address", in.Address},
		{"City", in.City},
		{"State", in.State},
		{"PostalCode", in.PostalCode},
	}
	changed := []string{}
	for _, w := range wanted {
		if *lsProperty(&st.LicenseServer, w.name) == w.value {
			continue
		}
		code := setLSProperty(st, w.name, w.value)
		if w.name == "CountryRegion" && code == WBEMInvalidParameter {
			return rds.ContactChange{}, failCode("invalid_input", code, "CountryRegion '%s' is not a country/region name the license server on %s accepts; use the English name as RD Licensing Manager lists it, e.g. 'United States', 'United Kingdom', 'Germany'", w.value, st.Name)
		}
		if err := assertReturn(code, "Set-CimInstance Win32_TSLicenseServer."+w.name, nil, "setting the contact of the license server on "+st.Name); err != nil {
			return rds.ContactChange{}, err
		}
		changed = append(changed, w.name)
	}
	return rds.ContactChange{Changed: changed, Contact: lsContact(&st.LicenseServer)}, nil
}

// lsIDPattern is the scripts' check of a license server ID.
var lsIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{35}\z`)

// assertActivationMethod mirrors Assert-RdslActivationMethod.
func assertActivationMethod(st *HostState, method, verb string) error {
	if method != "automatic" && method != "license_server_id" {
		return fail("invalid_input", `cannot %s the license server on %s: method must be "automatic" or "license_server_id", not "%s"`, verb, st.Name, method)
	}
	return nil
}

// assertLicenseServerIDFormat mirrors Assert-RdslLicenseServerIdFormat.
func assertLicenseServerIDFormat(st *HostState, method, id, verb string) error {
	if method == "license_server_id" && !lsIDPattern.MatchString(id) {
		return fail("invalid_input", "cannot %s the license server on %s: license_server_id must be the 35 letters and digits of a license server ID, without hyphens or spaces", verb, st.Name)
	}
	return nil
}

// assertClearinghouseContact mirrors Assert-RdslClearinghouseContact.
func assertClearinghouseContact(st *HostState, verb string, names ...string) error {
	missing := lsContactMissing(&st.LicenseServer, names...)
	if len(missing) == 0 {
		return nil
	}
	// The names as "A, B and C".
	required := names[len(names)-1]
	if len(names) > 1 {
		required = strings.Join(names[:len(names)-1], ", ") + " and " + required
	}
	return fail("invalid_input", "cannot %s the license server on %s automatically: the Microsoft Clearinghouse requires the contact properties %s; empty: %s; set them first", verb, st.Name, required, strings.Join(missing, ", "))
}

// assertClearinghouseReturn mirrors Assert-RdslClearinghouseReturn.
func assertClearinghouseReturn(st *HostState, code int64, method, doing, offline string) error {
	context := doing + " the license server on " + st.Name
	if code == WBEMNotAvailable {
		context = fmt.Sprintf("the license server %s could not reach the Microsoft Clearinghouse, which it must reach over outbound TCP 443 (HTTPS); %s", st.Name, offline)
	}
	return assertReturn(code, method, map[int64]string{WBEMNotAvailable: "clearinghouse_unreachable"}, context)
}

// assertLicenseServerIDReturn mirrors Assert-RdslLicenseServerIdReturn.
func assertLicenseServerIDReturn(st *HostState, code int64, method, doing, done, productID string) error {
	context := doing + " the license server on " + st.Name
	if code == WBEMInvalidParameter {
		context = fmt.Sprintf("the license server on %s was not %s: the Clearinghouse did not accept the license server ID for product ID %s; check that it was issued for this server's product ID", st.Name, done, productID)
	}
	return assertReturn(code, method, map[int64]string{WBEMInvalidParameter: "invalid_code"}, context)
}

// activationResult mirrors New-RdslActivationResult.
func activationResult(a lsActivationState, changed bool) rds.ActivationResult {
	return rds.ActivationResult{ActivationStatus: a.Status, LicenseServerID: a.ID, Changed: changed}
}

// activateLicenseServer mirrors scripts/activate_license_server.ps1.
func activateLicenseServer(x *opContext, in rds.ActivationInput) (rds.ActivationResult, error) {
	st := x.Host
	if err := assertActivationMethod(st, in.Method, "activate"); err != nil {
		return rds.ActivationResult{}, err
	}
	if err := assertLicenseServerIDFormat(st, in.Method, in.LicenseServerID, "activate"); err != nil {
		return rds.ActivationResult{}, err
	}
	if err := assertLicensingRole(st); err != nil {
		return rds.ActivationResult{}, err
	}
	if before := lsActivation(st); before.Status == 0 {
		return activationResult(before, false), nil
	}
	productID := st.LicenseServer.ProductID
	if in.Method == "automatic" {
		if err := assertClearinghouseContact(st, "activate", "FirstName", "LastName", "Company", "CountryRegion"); err != nil {
			return rds.ActivationResult{}, err
		}
		offline := fmt.Sprintf(`a server without Internet access can be activated with method = "license_server_id" and a license server ID obtained from the Clearinghouse web site or by telephone with this server's product ID %s`, productID)
		code := x.callMethod("ActivateServerAutomatic", activateServerAutomatic(x))
		if err := x.step(stepAfterWMI); err != nil {
			return rds.ActivationResult{}, err
		}
		if err := assertClearinghouseReturn(st, code, "ActivateServerAutomatic", "activating", offline); err != nil {
			return rds.ActivationResult{}, err
		}
	} else {
		code := x.callMethod("ActivateServer", activateServer(x, in.LicenseServerID))
		if err := x.step(stepAfterWMI); err != nil {
			return rds.ActivationResult{}, err
		}
		if err := assertLicenseServerIDReturn(st, code, "ActivateServer", "activating", "activated", productID); err != nil {
			return rds.ActivationResult{}, err
		}
	}
	return activationResult(lsActivation(st), true), nil
}

// reactivateLicenseServer mirrors scripts/reactivate_license_server.ps1.
func reactivateLicenseServer(x *opContext, in rds.ActivationInput) (rds.ActivationResult, error) {
	st := x.Host
	if err := assertActivationMethod(st, in.Method, "reactivate"); err != nil {
		return rds.ActivationResult{}, err
	}
	reason := int64(in.Reason)
	if in.Method == "automatic" && (reason < 0 || reason > 4) {
		return rds.ActivationResult{}, fail("invalid_input", "cannot reactivate the license server on %s: reason must be 0 (redeployed), 1 (certificate corrupt), 2 (private key compromised), 3 (activation key expired) or 4 (server upgraded), not %d", st.Name, reason)
	}
	if err := assertLicenseServerIDFormat(st, in.Method, in.LicenseServerID, "reactivate"); err != nil {
		return rds.ActivationResult{}, err
	}
	if err := checkJournalID("attempt", in.Attempt, true); err != nil {
		return rds.ActivationResult{}, err
	}
	if err := assertLicensingRole(st); err != nil {
		return rds.ActivationResult{}, err
	}
	if before := lsActivation(st); before.Status != 0 {
		return rds.ActivationResult{}, fail("not_activated", "the license server on %s is not activated (activation status %d); activate it before reactivating it", st.Name, before.Status)
	}
	productID := st.LicenseServer.ProductID
	if in.Method == "automatic" {
		if err := assertClearinghouseContact(st, "reactivate", "FirstName", "LastName"); err != nil {
			return rds.ActivationResult{}, err
		}
		offline := fmt.Sprintf(`a server without Internet access can be reactivated with method = "license_server_id" and a new license server ID obtained from the Clearinghouse web site or by telephone with this server's product ID %s`, productID)
		if err := startReactivationAttempt(st, in.Attempt); err != nil {
			return rds.ActivationResult{}, err
		}
		code := x.callMethod("ReactivateServerAutomatic", reactivateServerAutomatic(x, reason))
		if err := x.reactivated(code); err != nil {
			return rds.ActivationResult{}, err
		}
		if err := assertClearinghouseReturn(st, code, "ReactivateServerAutomatic", "reactivating", offline); err != nil {
			return rds.ActivationResult{}, err
		}
	} else {
		if err := startReactivationAttempt(st, in.Attempt); err != nil {
			return rds.ActivationResult{}, err
		}
		code := x.callMethod("ReactivateServer", reactivateServer(x, in.LicenseServerID))
		if err := x.reactivated(code); err != nil {
			return rds.ActivationResult{}, err
		}
		if err := assertLicenseServerIDReturn(st, code, "ReactivateServer", "reactivating", "reactivated", productID); err != nil {
			return rds.ActivationResult{}, err
		}
	}
	return activationResult(lsActivation(st), true), nil
}

// startReactivationAttempt mirrors Start-RdslReactivationAttempt (the
// host's lock stands for the journal's mutex).
func startReactivationAttempt(st *HostState, attempt string) error {
	if attempt == "" {
		return nil
	}
	if slices.Contains(st.Reactivation.Fenced, attempt) {
		return fail("conflict", "the reactivation attempt %s on %s was given up by the provider after its answer was lost; nothing was done; apply again", attempt, st.Name)
	}
	st.Reactivation.Started = attempt
	return nil
}

// fenceReactivation mirrors scripts/fence_reactivation.ps1
// (Stop-RdslReactivationAttempt).
func fenceReactivation(x *opContext, in rds.ReactivationFenceInput) (rds.ReactivationFenceResult, error) {
	if err := checkJournalID("attempt", in.Attempt, false); err != nil {
		return rds.ReactivationFenceResult{}, err
	}
	r := &x.Host.Reactivation
	if r.Started == in.Attempt {
		return rds.ReactivationFenceResult{Started: true}, nil
	}
	fenced := []string{in.Attempt}
	for _, a := range r.Fenced {
		if a != in.Attempt && len(fenced) < 16 {
			fenced = append(fenced, a)
		}
	}
	r.Fenced = fenced
	return rds.ReactivationFenceResult{}, nil
}

// reactivated records a reactivation method's success as a change (the
// server gets a new certificate, which the state does not hold), then
// passes the after_wmi step.
func (x *opContext) reactivated(code int64) error {
	if code == 0 {
		x.markChanged()
	}
	return x.step(stepAfterWMI)
}

// deactivateLicenseServer mirrors scripts/deactivate_license_server.ps1.
func deactivateLicenseServer(x *opContext, in rds.ActivationInput) (rds.ActivationResult, error) {
	st := x.Host
	if in.Method != "automatic" {
		return rds.ActivationResult{}, fail("invalid_input", `cannot deactivate the license server on %s with method "%s": only "automatic" (over the Internet) is supported; deactivating by telephone needs a confirmation code entered in RD Licensing Manager`, st.Name, in.Method)
	}
	if err := assertLicensingRole(st); err != nil {
		return rds.ActivationResult{}, err
	}
	if before := lsActivation(st); before.Status != 0 {
		return activationResult(before, false), nil
	}
	if err := assertClearinghouseContact(st, "deactivate", "FirstName", "LastName"); err != nil {
		return rds.ActivationResult{}, err
	}
	code := x.callMethod("DeactivateServerAutomatic", deactivateServerAutomatic(x))
	if err := x.step(stepAfterWMI); err != nil {
		return rds.ActivationResult{}, err
	}
	if err := assertClearinghouseReturn(st, code, "DeactivateServerAutomatic", "deactivating", "without Internet access, deactivate it by telephone with RD Licensing Manager"); err != nil {
		return rds.ActivationResult{}, err
	}
	return activationResult(lsActivation(st), true), nil
}

var scopeNames = []string{"workgroup", "domain", "forest"}

// setDiscoveryScope mirrors scripts/set_discovery_scope.ps1.
func setDiscoveryScope(x *opContext, in rds.ScopeInput) (rds.ScopeResult, error) {
	st := x.Host
	role := int64(in.ServerRole)
	if role < 0 || role > 2 {
		return rds.ScopeResult{}, fail("invalid_input", "cannot set the discovery scope of the license server on %s: server_role must be 0 (workgroup), 1 (domain) or 2 (forest), not %d", st.Name, role)
	}
	if err := assertLicensingRole(st); err != nil {
		return rds.ScopeResult{}, err
	}
	cs := computerSystem(x)
	if !cs.PartOfDomain && role != 0 {
		return rds.ScopeResult{}, fail("invalid_input", "cannot set the discovery scope of the license server on %s to %d (%s): the server is not in a domain (workgroup %s), and outside a domain the only scope is 0 (workgroup)", st.Name, role, scopeNames[role], cs.Domain)
	}
	if int64(st.LicenseServer.ServerRole) == role {
		return rds.ScopeResult{ServerRole: int(role)}, nil
	}
	code := x.callMethod("ChangeRole", changeRole(x, role))
	context := fmt.Sprintf("changing the discovery scope of the license server on %s to %d (%s)", st.Name, role, scopeNames[role])
	if code == WBEMAccessDenied {
		if role == 2 {
			context = fmt.Sprintf("changing the discovery scope of the license server on %s to 2 (forest) needs an account that is an Enterprise Admin of the forest", st.Name)
		} else {
			context = fmt.Sprintf("changing the discovery scope of the license server on %s to %d (%s) needs an account that is a Domain Admin of %s", st.Name, role, scopeNames[role], cs.Domain)
		}
	}
	if err := assertReturn(code, "ChangeRole", map[int64]string{WBEMAccessDenied: "access_denied"}, context); err != nil {
		return rds.ScopeResult{}, err
	}
	return rds.ScopeResult{ServerRole: st.LicenseServer.ServerRole, Changed: true}, nil
}

// setTSLSGroupMembership mirrors scripts/set_tsls_group_membership.ps1.
func setTSLSGroupMembership(x *opContext, in rds.GroupInput) (rds.GroupResult, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.GroupResult{}, err
	}
	cs := computerSystem(x)
	if !cs.PartOfDomain {
		return rds.GroupResult{}, fail("invalid_input", `the license server on %s is not in a domain (workgroup %s): the Active Directory group "Terminal Server License Servers" exists only in a domain`, st.Name, cs.Domain)
	}
	isMember := func() (bool, error) { // the script's Test-GroupMember
		code, member := isLSinTSLSGroup(st, cs.Domain)
		err := assertReturn(x.callMethod("IsLSinTSLSGroup", code), "IsLSinTSLSGroup", nil, fmt.Sprintf(`reading the membership of the license server on %s in the group "Terminal Server License Servers"`, st.Name))
		return member, err
	}
	member, err := isMember()
	if err != nil {
		return rds.GroupResult{}, err
	}
	if member == in.Member {
		return rds.GroupResult{Member: member}, nil
	}
	method := "AddLStoTSLSGroup"
	context := fmt.Sprintf(`adding the license server %s to the group "Terminal Server License Servers" of %s`, st.Name, cs.Domain)
	if !in.Member {
		method = "RemoveLSfromTSLSGroup"
		context = fmt.Sprintf(`removing the license server %s from the group "Terminal Server License Servers" of %s`, st.Name, cs.Domain)
	}
	code := x.callMethod(method, setTSLSGroup(x, in.Member))
	if code == WBEMAccessDenied {
		context += " needs an account that is a Domain Admin of " + cs.Domain
	}
	if err := assertReturn(code, method, map[int64]string{WBEMAccessDenied: "access_denied"}, context); err != nil {
		return rds.GroupResult{}, err
	}
	member, err = isMember()
	if err != nil {
		return rds.GroupResult{}, err
	}
	return rds.GroupResult{Member: member, Changed: true}, nil
}
