package rds

// installed: a feature installed, or waiting for a restart to finish.
func (f Feature) installed() bool {
	return f.InstallState == "Installed" || f.InstallState == "InstallPending"
}

// LicensingInstalled: the RD Licensing role service (RDS-Licensing) is
// installed or waits for a restart.
func (s RoleState) LicensingInstalled() bool {
	for _, f := range s.Features {
		if f.Name == "RDS-Licensing" {
			return f.installed()
		}
	}
	return false
}

// ToolsInstalled: both management tools (RD Licensing Manager and RD
// Licensing Diagnoser) are installed, or will be.
func (s RoleState) ToolsInstalled() bool {
	n := 0
	for _, f := range s.Features {
		if (f.Name == "RDS-Licensing-UI" || f.Name == "RSAT-RDS-Licensing-Diagnosis-UI") && f.installed() {
			n++
		}
	}
	return n == 2
}
