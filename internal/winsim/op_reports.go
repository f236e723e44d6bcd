package winsim

import (
	"slices"
	"sort"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// The CAL report operations: list_issued_licenses and
// get_cal_usage_report. As in op_keypacks.go, the Windows model
// (Win32_TSIssuedLicense, Win32_TSLicenseReport) comes first, then the
// handlers that mirror the scripts.

func init() {
	register(rds.ListIssuedLicenses, listIssuedLicenses)
	register(rds.GetUsageReport, getUsageReport)
}

// ---- Windows ----------------------------------------------------------

// licenseReport is a Win32_TSLicenseReport with what its Fetch methods
// return. winsim stores no reports: the script deletes the one it makes
// before it ends, and the host stays locked meanwhile.
type licenseReport struct {
	FileName           string
	GenerationDateTime time.Time
	Entries            []reportEntry          // FetchReportEntries
	PerDeviceEntries   []reportPerDeviceEntry // FetchReportPerDeviceEntries
}

// reportEntry is a Win32_TSLicenseReportEntry (one per-user CAL).
type reportEntry struct {
	User             string
	ExpirationDate   time.Time
	CALType          string
	ProductVersion   string
	ProductVersionID int
}

// reportPerDeviceEntry is a Win32_TSLicenseReportPerDeviceEntry.
type reportPerDeviceEntry struct {
	IssuedToComputer string
	HardwareID       string
	ExpirationDate   time.Time
	CALType          string
	ProductVersion   string
	ProductVersionID int
}

// reportCALType is a report entry's CALType (the built-in pack spells
// "CAL" in capitals here, unlike its TypeAndModel).
func reportCALType(productType, versionID int) string {
	return calTypeName(productType, versionID, "Built-in TS Per Device CAL")
}

// generateReportEx models Win32_TSLicenseReport.GenerateReportEx: a
// snapshot of the per-user CALs the license server tracks and of the
// per-device CALs it issued and has not revoked (LicenseStatus 4). It
// returns the report and the ReturnValue.
func (st *HostState) generateReportEx(now time.Time) (licenseReport, int64) {
	rep := licenseReport{
		// The file name format is unverified; nothing outside the report shows it.
		FileName:           `C:\Windows\System32\lserver\Reports\CALUsage_` + now.UTC().Format("20060102_150405") + ".xml",
		GenerationDateTime: now,
	}
	for _, c := range st.LicenseServer.PerUserCALs {
		rep.Entries = append(rep.Entries, reportEntry{
			User:             c.User,
			ExpirationDate:   c.ExpirationDate,
			CALType:          reportCALType(1, c.ProductVersionID),
			ProductVersion:   st.productVersionString(c.ProductVersionID),
			ProductVersionID: c.ProductVersionID,
		})
	}
	for _, c := range st.LicenseServer.IssuedCALs {
		if c.LicenseStatus == 4 {
			continue
		}
		// The CAL's version and type are its pack's; a CAL whose pack was
		// removed keeps type per device and an unknown version (0).
		var kp KeyPackState
		if i := st.keyPackIndex(c.KeyPackID); i >= 0 {
			kp = st.LicenseServer.KeyPacks[i]
		}
		rep.PerDeviceEntries = append(rep.PerDeviceEntries, reportPerDeviceEntry{
			IssuedToComputer: c.IssuedToComputer,
			HardwareID:       c.HardwareID,
			ExpirationDate:   c.ExpirationDate,
			CALType:          reportCALType(kp.ProductType, kp.ProductVersionID),
			ProductVersion:   st.productVersionString(kp.ProductVersionID),
			ProductVersionID: kp.ProductVersionID,
		})
	}
	return rep, 0
}

// ---- the scripts --------------------------------------------------------

// listIssuedLicenses mirrors list_issued_licenses.ps1: every
// Win32_TSIssuedLicense, sorted by KeyPackId, then LicenseId.
func listIssuedLicenses(x *opContext, _ rds.NoInput) (rds.IssuedLicenseList, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.IssuedLicenseList{}, err
	}
	cals := slices.Clone(st.LicenseServer.IssuedCALs)
	sort.SliceStable(cals, func(i, j int) bool {
		if cals[i].KeyPackID != cals[j].KeyPackID {
			return cals[i].KeyPackID < cals[j].KeyPackID
		}
		return cals[i].LicenseID < cals[j].LicenseID
	})
	out := rds.IssuedLicenseList{Licenses: []rds.IssuedLicense{}}
	for _, c := range cals {
		out.Licenses = append(out.Licenses, rds.IssuedLicense{
			LicenseID:        c.LicenseID,
			KeyPackID:        c.KeyPackID,
			IssuedToUser:     c.IssuedToUser,
			IssuedToComputer: c.IssuedToComputer,
			HardwareID:       c.HardwareID,
			IssueDate:        formatDate(c.IssueDate),
			ExpirationDate:   formatDate(c.ExpirationDate),
			LicenseStatus:    c.LicenseStatus,
		})
	}
	return out, nil
}

// reportKinds is the code table of get_cal_usage_report.ps1.
var reportKinds = map[int64]string{
	WBEMAccessDenied: "access_denied",
	WBEMNotSupported: "not_supported",
}

// getUsageReport mirrors get_cal_usage_report.ps1: GenerateReportEx, the
// two Fetch methods (StartIndex 0, Count 0: all entries), DeleteReport.
// The report is found by its FileName at once, and the Fetch and Delete
// methods cannot fail in the model, so only GenerateReportEx is checked.
func getUsageReport(x *opContext, _ rds.NoInput) (rds.UsageReport, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.UsageReport{}, err
	}
	rep, code := st.generateReportEx(x.Now)
	if err := assertReturn(code, "GenerateReportEx", reportKinds, "creating a CAL usage report on "+st.Name); err != nil {
		return rds.UsageReport{}, err
	}
	out := rds.UsageReport{
		GeneratedAt: formatDate(rep.GenerationDateTime),
		PerUser:     []rds.PerUserUsage{},
		PerDevice:   []rds.PerDeviceUsage{},
	}
	for _, e := range rep.Entries {
		out.PerUser = append(out.PerUser, rds.PerUserUsage{
			User:             e.User,
			ExpirationDate:   formatDate(e.ExpirationDate),
			CALType:          e.CALType,
			ProductVersion:   e.ProductVersion,
			ProductVersionID: e.ProductVersionID,
		})
	}
	for _, e := range rep.PerDeviceEntries {
		out.PerDevice = append(out.PerDevice, rds.PerDeviceUsage{
			Computer:         e.IssuedToComputer,
			HardwareID:       e.HardwareID,
			ExpirationDate:   formatDate(e.ExpirationDate),
			CALType:          e.CALType,
			ProductVersion:   e.ProductVersion,
			ProductVersionID: e.ProductVersionID,
		})
	}
	return out, nil
}
