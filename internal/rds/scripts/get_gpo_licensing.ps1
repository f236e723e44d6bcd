# operation: get_gpo_licensing
# Reads the two Remote Desktop licensing settings of a domain GPO and its
# links to the targets (OU distinguished names) asked, through the
# GroupPolicy module on this host (a domain controller or a management
# server). A GPO that does not exist is reported, not an error.
param($In)

Assert-RdslGroupPolicyModule
Get-RdslGpoLicensing -Name ([string]$In.name) -Targets (ConvertTo-RdslStringArray $In.targets)
