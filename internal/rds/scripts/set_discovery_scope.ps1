# operation: set_discovery_scope
# Sets the license server's discovery scope (Win32_TSLicenseServer
# ServerRole) with ChangeRole: 0 workgroup, 1 domain (the caller must be a
# Domain Admin), 2 forest (an Enterprise Admin). Outside a domain only 0
# exists. Leaves an equal scope as it is.
param($In)

$role = [long]$In.server_role
if ($role -lt 0 -or $role -gt 2) {
    Fail -Kind invalid_input -Message ('cannot set the discovery scope of the license server on {0}: server_role must be 0 (workgroup), 1 (domain) or 2 (forest), not {1}' -f $env:COMPUTERNAME, $role)
}
$scopeNames = @('workgroup', 'domain', 'forest')

Assert-RdslLicensingRole
$cs = Get-RdslComputer
if (-not $cs.PartOfDomain -and $role -ne 0) {
    Fail -Kind invalid_input -Message ('cannot set the discovery scope of the license server on {0} to {1} ({2}): the server is not in a domain (workgroup {3}), and outside a domain the only scope is 0 (workgroup)' -f $env:COMPUTERNAME, $role, $scopeNames[[int]$role], $cs.Domain)
}

$ls = Get-RdslLicenseServer
if ([long]$ls.ServerRole -eq $role) {
    return [ordered]@{
        server_role = [int]$role
        changed     = $false
    }
}

try {
    $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName ChangeRole -Arguments @{ ServerRole = [uint32]$role }
} catch {
    $r = Get-RdslCimErrorResult -ErrorRecord $_
}
$context = 'changing the discovery scope of the license server on {0} to {1} ({2})' -f $env:COMPUTERNAME, $role, $scopeNames[[int]$role]
if ([long]$r.ReturnValue -eq [long]2147749891) {
    if ($role -eq 2) {
        $context = 'changing the discovery scope of the license server on {0} to 2 (forest) needs an account that is an Enterprise Admin of the forest' -f $env:COMPUTERNAME
    } else {
        $context = 'changing the discovery scope of the license server on {0} to {1} ({2}) needs an account that is a Domain Admin of {3}' -f $env:COMPUTERNAME, $role, $scopeNames[[int]$role], $cs.Domain
    }
}
# 2147749891 = 0x80041003 WBEM_E_ACCESS_DENIED
Assert-RdslReturn -Result $r -Method 'ChangeRole' -Kinds @{ [long]2147749891 = 'access_denied' } -Context $context

[ordered]@{
    server_role = [int](Get-RdslLicenseServer).ServerRole
    changed     = $true
}
