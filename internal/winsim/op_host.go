package winsim

import (
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// get_host_info, mirroring scripts/get_host_info.ps1, and the Windows
// classes it reads (Win32_ComputerSystem, Win32_OperatingSystem), which
// other operations of this family read too.

func init() {
	register(rds.GetHostInfo, func(x *opContext, _ rds.NoInput) (rds.HostInfo, error) {
		cs := computerSystem(x)
		os := operatingSystem(x.Host)
		return rds.HostInfo{
			ComputerName:      cs.Name,
			DNSHostName:       cs.dnsName(),
			Domain:            cs.Domain,
			PartOfDomain:      cs.PartOfDomain,
			DomainRole:        cs.DomainRole,
			OSCaption:         os.Caption,
			OSBuild:           os.Version,
			OSVersion:         osVersionName(x.Host),
			PowerShellVersion: "5.1." + os.BuildNumber + ".1",
		}, nil
	})
}

// win32ComputerSystem is what Win32_ComputerSystem shows of a host.
type win32ComputerSystem struct {
	Name         string // NetBIOS name
	DNSHostName  string // host label, without the domain
	Domain       string // DNS domain when joined, else the workgroup
	PartOfDomain bool
	// DomainRole: 2 standalone server, 3 member server, 4 backup domain
	// controller, 5 primary domain controller.
	DomainRole int
}

func computerSystem(x *opContext) win32ComputerSystem {
	st := x.Host
	cs := win32ComputerSystem{Name: st.Name, DNSHostName: strings.ToLower(st.Name)}
	switch {
	case st.Domain == "":
		cs.Domain = st.Workgroup
		if cs.Domain == "" {
			cs.Domain = "WORKGROUP"
		}
		cs.DomainRole = 2
	case !st.DomainController:
		cs.Domain, cs.PartOfDomain, cs.DomainRole = st.Domain, true, 3
	default:
		cs.Domain, cs.PartOfDomain, cs.DomainRole = st.Domain, true, primaryDCRole(x)
	}
	return cs
}

// primaryDCRole is 5 for the domain's PDC emulator, which winsim takes to
// be the first domain controller of the domain in the fleet, else 4.
func primaryDCRole(x *opContext) int {
	for _, h := range x.sim.Hosts() {
		peer := h.view()
		if strings.EqualFold(peer.Name, x.Host.Name) {
			return 5
		}
		if peer.DomainController && strings.EqualFold(peer.Domain, x.Host.Domain) {
			return 4
		}
	}
	return 5
}

// dnsName mirrors Get-RdslDnsName: the host label plus the joined domain.
func (cs win32ComputerSystem) dnsName() string {
	if cs.PartOfDomain {
		return cs.DNSHostName + "." + cs.Domain
	}
	return cs.DNSHostName
}

// win32OperatingSystem is what Win32_OperatingSystem shows of a host.
type win32OperatingSystem struct {
	Caption     string // "Microsoft Windows Server 2022 Datacenter"
	BuildNumber string // "20348"
	Version     string // "10.0.20348"
}

func operatingSystem(st *HostState) win32OperatingSystem {
	version := OSBuilds[st.OS]
	return win32OperatingSystem{
		Caption:     "Microsoft Windows Server " + st.OS + " Datacenter",
		BuildNumber: version[strings.LastIndex(version, ".")+1:],
		Version:     version,
	}
}
