# operation: deactivate_license_server
# Deactivates the license server over the Internet (DeactivateServerAutomatic,
# needs FirstName and LastName and outbound TCP 443 to the Clearinghouse).
# Deactivating by telephone needs a confirmation code typed into RD Licensing
# Manager, so only method "automatic" is taken. A server that is not
# activated is left as it is. Installed key packs stay (unverified).
param($In)

$method = [string]$In.method
if ($method -ne 'automatic') {
    Fail -Kind invalid_input -Message ('cannot deactivate the license server on {0} with method "{1}": only "automatic" (over the Internet) is supported; deactivating by telephone needs a confirmation code entered in RD Licensing Manager' -f $env:COMPUTERNAME, $method)
}

Assert-RdslLicensingRole
$before = Get-RdslActivation
if ($before.Status -ne 0) {
    return [ordered]@{
        activation_status = [int]$before.Status
        license_server_id = [string]$before.Id
        changed           = $false
    }
}

$ls = Get-RdslLicenseServer
$missing = Get-RdslEmptyContact -Server $ls -Names @('FirstName', 'LastName')
if ($missing.Count -gt 0) {
    Fail -Kind invalid_input -Message ('cannot deactivate the license server on {0} automatically: the Microsoft Clearinghouse requires the contact properties FirstName and LastName; empty: {1}; set them first' -f $env:COMPUTERNAME, ($missing -join ', '))
}
$r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName DeactivateServerAutomatic
$context = 'deactivating the license server on {0}' -f $env:COMPUTERNAME
if ([long]$r.ReturnValue -eq [long]2147749897) {
    $context = 'the license server {0} could not reach the Microsoft Clearinghouse, which it must reach over outbound TCP 443 (HTTPS); without Internet access, deactivate it by telephone with RD Licensing Manager' -f $env:COMPUTERNAME
}
# 2147749897 = 0x80041009 WBEM_E_NOT_AVAILABLE
Assert-RdslReturn -Result $r -Method 'DeactivateServerAutomatic' -Kinds @{ [long]2147749897 = 'clearinghouse_unreachable' } -Context $context

$after = Get-RdslActivation
[ordered]@{
    activation_status = [int]$after.Status
    license_server_id = [string]$after.Id
    changed           = $true
}
