# operation: get_host_info
# Describes the host the provider talks to: its names, domain membership and
# role (Win32_ComputerSystem), Windows release (Win32_OperatingSystem) and
# PowerShell version, so the provider can check where it is before it changes
# anything. Cheap: the provider asks at every plan.
param($In)

$cs = Get-RdslComputer
$os = Get-CimInstance -Namespace root/cimv2 -ClassName Win32_OperatingSystem

[ordered]@{
    computer_name      = [string]$cs.Name
    dns_host_name      = [string](Get-RdslDnsName -Computer $cs)
    domain             = [string]$cs.Domain
    part_of_domain     = [bool]$cs.PartOfDomain
    domain_role        = [int]$cs.DomainRole
    os_caption         = [string]$os.Caption
    os_build           = [string]$os.Version
    os_version         = [string](Get-RdslOSVersion -Build ([string]$os.BuildNumber))
    powershell_version = [string]$PSVersionTable.PSVersion
}
