# rdslicensing-library security 1
# Helpers of get_license_server_security and set_license_server_security:
# the license server's "License server security group" policy value and its
# local group RDS Endpoint Servers, addressed by its well-known SID
# S-1-5-32-576, never by its localised name (docs/design/endpoint-servers.md).
#
#   policy: HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services
#           fSecureLicensing (REG_DWORD 1 on, 0 off, absent not configured;
#           the value name is unverified)

function Get-RdslEndpointServers {
    # The members of RDS Endpoint Servers as Get-LocalGroupMember names them.
    # Get-LocalGroupMember fails on a group holding a member it cannot
    # resolve (a deleted account's SID): that is said, not hidden.
    try {
        $members = @(Get-LocalGroupMember -SID 'S-1-5-32-576' -ErrorAction Stop)
    } catch {
        Fail -Kind script_error -Message ('cannot list the members of the local group RDS Endpoint Servers (S-1-5-32-576) on {0}: {1}' -f $env:COMPUTERNAME, $_.Exception.Message)
    }
    @(foreach ($m in $members) { [string]$m.Name })
}

function Get-RdslLicenseServerSecurity {
    # The policy value and the group, as both operations return them.
    param([bool]$Changed = $false, [bool]$Restarted = $false)
    $cs = Get-RdslComputer
    [ordered]@{
        policy         = Get-RdslRegistryDword -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' -Name 'fSecureLicensing'
        members        = @(Get-RdslEndpointServers)
        service_status = [string](Get-RdslServiceState -Name 'TermServLicensing').Status
        part_of_domain = [bool]$cs.PartOfDomain
        domain         = [string]$cs.Domain
        computer_name  = $env:COMPUTERNAME
        changed        = $Changed
        restarted      = $Restarted
    }
}
