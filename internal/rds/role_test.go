package rds

import "testing"

func TestRoleStateInstalled(t *testing.T) {
	s := RoleState{Features: []Feature{{Name: "RDS-Licensing", InstallState: "InstallPending"}, {Name: "RDS-Licensing-UI", InstallState: "Installed"},
		{Name: "RSAT-RDS-Licensing-Diagnosis-UI", InstallState: "Available"}}}
	if !s.LicensingInstalled() || s.ToolsInstalled() {
		t.Errorf("pending role, one tool: LicensingInstalled %v, ToolsInstalled %v", s.LicensingInstalled(), s.ToolsInstalled())
	}
	s.Features[2].InstallState = "Installed"
	s.Features[0].InstallState = "Removed"
	if s.LicensingInstalled() || !s.ToolsInstalled() {
		t.Errorf("role removed, both tools: LicensingInstalled %v, ToolsInstalled %v", s.LicensingInstalled(), s.ToolsInstalled())
	}
}
