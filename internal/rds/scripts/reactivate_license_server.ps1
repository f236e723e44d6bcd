# operation: reactivate_license_server
# Reactivates an activated license server (a new certificate from the
# Clearinghouse), over the Internet (method "automatic":
# ReactivateServerAutomatic with a reason 0-4, needs FirstName and LastName)
# or with a new license server ID from the Clearinghouse web site or phone
# (method "license_server_id": ReactivateServer).
param($In)

$method = [string]$In.method
if ($method -ne 'automatic' -and $method -ne 'license_server_id') {
    Fail -Kind invalid_input -Message ('cannot reactivate the license server on {0}: method must be "automatic" or "license_server_id", not "{1}"' -f $env:COMPUTERNAME, $method)
}
$reason = [long]$In.reason
if ($method -eq 'automatic' -and ($reason -lt 0 -or $reason -gt 4)) {
    Fail -Kind invalid_input -Message ('cannot reactivate the license server on {0}: reason must be 0 (redeployed), 1 (certificate corrupt), 2 (private key compromised), 3 (activation key expired) or 4 (server upgraded), not {1}' -f $env:COMPUTERNAME, $reason)
}
$id = [string]$In.license_server_id
if ($method -eq 'license_server_id' -and $id -cnotmatch '^[A-Za-z0-9]{35}\z') {
    Fail -Kind invalid_input -Message ('cannot reactivate the license server on {0}: license_server_id must be the 35 letters and digits of a license server ID, without hyphens or spaces' -f $env:COMPUTERNAME)
}

Assert-RdslLicensingRole
$before = Get-RdslActivation
if ($before.Status -ne 0) {
    Fail -Kind not_activated -Message ('the license server on {0} is not activated (activation status {1}); activate it before reactivating it' -f $env:COMPUTERNAME, $before.Status)
}

$ls = Get-RdslLicenseServer
$productId = [string]$ls.ProductId
if ($method -eq 'automatic') {
    $missing = Get-RdslEmptyContact -Server $ls -Names @('FirstName', 'LastName')
    if ($missing.Count -gt 0) {
        Fail -Kind invalid_input -Message ('cannot reactivate the license server on {0} automatically: the Microsoft Clearinghouse requires the contact properties FirstName and LastName; empty: {1}; set them first' -f $env:COMPUTERNAME, ($missing -join ', '))
    }
    $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName ReactivateServerAutomatic -Arguments @{ Reason = [uint32]$reason }
    $context = 'reactivating the license server on {0}' -f $env:COMPUTERNAME
    if ([long]$r.ReturnValue -eq [long]2147749897) {
        $context = 'the license server {0} could not reach the Microsoft Clearinghouse, which it must reach over outbound TCP 443 (HTTPS); a server without Internet access can be reactivated with method = "license_server_id" and a new license server ID obtained from the Clearinghouse web site or by telephone with this server''s product ID {1}' -f $env:COMPUTERNAME, $productId
    }
    # 2147749897 = 0x80041009 WBEM_E_NOT_AVAILABLE
    Assert-RdslReturn -Result $r -Method 'ReactivateServerAutomatic' -Kinds @{ [long]2147749897 = 'clearinghouse_unreachable' } -Context $context
} else {
    $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName ReactivateServer -Arguments @{ sNewLicenseServerId = $id }
    $context = 'reactivating the license server on {0}' -f $env:COMPUTERNAME
    if ([long]$r.ReturnValue -eq [long]2147749896) {
        $context = 'the license server on {0} was not reactivated: the Clearinghouse did not accept the license server ID for product ID {1}; check that it was issued for this server''s product ID' -f $env:COMPUTERNAME, $productId
    }
    # 2147749896 = 0x80041008 WBEM_E_INVALID_PARAMETER
    Assert-RdslReturn -Result $r -Method 'ReactivateServer' -Kinds @{ [long]2147749896 = 'invalid_code' } -Context $context
}

$after = Get-RdslActivation
[ordered]@{
    activation_status = [int]$after.Status
    license_server_id = [string]$after.Id
    changed           = $true
}
