package winsim

import (
	"slices"
	"sort"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// The CAL report operation, get_cal_usage_report. As in op_keypacks.go,
// the Windows model (Win32_TSIssuedLicense, Win32_TSLicenseReport) comes
// first, then the handler that mirrors the script.

func init() {
	register(rds.GetCALUsageReport, getCALUsageReport)
}

// ---- Windows ----------------------------------------------------------

// licenseReport is a Win32_TSLicenseReport with what FetchReportEntries
// returns. winsim stores no reports: the script deletes the one it makes
// before it ends, and the host stays locked meanwhile.
type licenseReport struct {
	FileName           string
	GenerationDateTime time.Time
	Entries            []reportEntry
}

// reportEntry is a Win32_TSLicenseReportEntry (one per-user CAL).
type reportEntry struct {
	User             string
	ExpirationDate   time.Time
	CALType          string
	ProductVersion   string
	ProductVersionID int
}

// reportCALType is a report entry's CALType, the key pack's TypeAndModel.
func reportCALType(productType, versionID int) string {
	return calTypeName(productType, versionID)
}

// generateReportEx models Win32_TSLicenseReport.GenerateReportEx: a
// snapshot of the per-user CALs the license server tracks (its per-device
// entries, which the script does not read, are not modelled). It returns
// the report and the ReturnValue.
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
	return rep, 0
}

// lserverNoMoreData is LSERVER_I_NO_MORE_DATA, which FetchReportEntries
// returns when "there are no more report entries" (learn.microsoft.com,
// FetchReportEntries method of the Win32_TSLicenseReport class).
const lserverNoMoreData = 0x4001

// fetchReportEntries models Win32_TSLicenseReport.FetchReportEntries:
// count 0 reads every entry from start on; a start past the last entry,
// and so any start in a report without entries, gives
// LSERVER_I_NO_MORE_DATA and no entries. It returns the entries and the
// ReturnValue.
func (rep licenseReport) fetchReportEntries(start, count int) ([]reportEntry, int64) {
	if start >= len(rep.Entries) {
		return nil, lserverNoMoreData
	}
	end := len(rep.Entries)
	if count > 0 && start+count < end {
		end = start + count
	}
	return rep.Entries[start:end], 0
}

// ---- the scripts --------------------------------------------------------

// reportKinds is the code table of get_cal_usage_report.ps1.
var reportKinds = map[int64]string{
	WBEMAccessDenied: "access_denied",
	WBEMNotSupported: "not_supported",
}

// issuedLicenses mirrors the scripts' listing of Win32_TSIssuedLicense
// with ConvertTo-RdslIssuedLicense: each with its key pack's CAL type and
// version, sorted by KeyPackId then LicenseId.
func (st *HostState) issuedLicenses() []rds.IssuedLicense {
	cals := slices.Clone(st.LicenseServer.IssuedCALs)
	sort.SliceStable(cals, func(i, j int) bool {
		if cals[i].KeyPackID != cals[j].KeyPackID {
			return cals[i].KeyPackID < cals[j].KeyPackID
		}
		return cals[i].LicenseID < cals[j].LicenseID
	})
	out := []rds.IssuedLicense{}
	for _, c := range cals {
		l := rds.IssuedLicense{
			LicenseID:        c.LicenseID,
			KeyPackID:        c.KeyPackID,
			IssuedToUser:     c.IssuedToUser,
			IssuedToComputer: c.IssuedToComputer,
			HardwareID:       c.HardwareID,
			IssueDate:        formatDate(c.IssueDate),
			ExpirationDate:   formatDate(c.ExpirationDate),
			LicenseStatus:    c.LicenseStatus,
		}
		if i := st.keyPackIndex(c.KeyPackID); i >= 0 {
			kp := st.keyPackInstance(st.LicenseServer.KeyPacks[i])
			l.CALType, l.ProductVersionID = kp.TypeAndModel, kp.ProductVersionID
		}
		out = append(out, l)
	}
	return out
}

// getCALUsageReport mirrors get_cal_usage_report.ps1: GenerateReportEx,
// FetchReportEntries (StartIndex 0, Count 0: all entries), every
// Win32_TSIssuedLicense with its key pack's CAL type and version sorted by
// KeyPackId then LicenseId, DeleteReport. The report is found by its
// FileName at once, and DeleteReport cannot fail in the model.
func getCALUsageReport(x *opContext, _ rds.NoInput) (rds.UsageReport, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.UsageReport{}, err
	}
	rep, code := st.generateReportEx(x.Now)
	if err := assertReturn(x.callMethod("GenerateReportEx", code), "GenerateReportEx", reportKinds, "creating a CAL usage report on "+st.Name); err != nil {
		return rds.UsageReport{}, err
	}
	out := rds.UsageReport{
		GeneratedAt: formatDate(rep.GenerationDateTime),
		PerUser:     []rds.PerUserUsage{},
		PerDevice:   []rds.IssuedLicense{},
	}
	// No per-user CAL in use: LSERVER_I_NO_MORE_DATA, and no entries.
	entries, code := rep.fetchReportEntries(0, 0)
	if code = x.callMethod("FetchReportEntries", code); code != lserverNoMoreData {
		if err := assertReturn(code, "FetchReportEntries", reportKinds, "reading the CAL usage report on "+st.Name); err != nil {
			return rds.UsageReport{}, err
		}
	}
	for _, e := range entries {
		out.PerUser = append(out.PerUser, rds.PerUserUsage{
			User:             e.User,
			ExpirationDate:   formatDate(e.ExpirationDate),
			CALType:          e.CALType,
			ProductVersion:   e.ProductVersion,
			ProductVersionID: e.ProductVersionID,
		})
	}
	out.PerDevice = st.issuedLicenses()
	return out, nil
}
