# operation: activate_license_server
# Activates the license server with the Microsoft Clearinghouse, either over
# the Internet (method "automatic": ActivateServerAutomatic, which needs the
# contact FirstName, LastName, Company and CountryRegion and outbound TCP 443)
# or with a license server ID obtained from the Clearinghouse web site or by
# telephone (method "license_server_id": ActivateServer, no Internet needed).
# An activated server is left as it is.
param($In)

$method = [string]$In.method
if ($method -ne 'automatic' -and $method -ne 'license_server_id') {
    Fail -Kind invalid_input -Message ('cannot activate the license server on {0}: method must be "automatic" or "license_server_id", not "{1}"' -f $env:COMPUTERNAME, $method)
}
# The ID is a secret of sorts: checked here, never echoed.
$id = [string]$In.license_server_id
if ($method -eq 'license_server_id' -and $id -cnotmatch '^[A-Za-z0-9]{35}\z') {
    Fail -Kind invalid_input -Message ('cannot activate the license server on {0}: license_server_id must be the 35 letters and digits of a license server ID, without hyphens or spaces' -f $env:COMPUTERNAME)
}

Assert-RdslLicensingRole
$before = Get-RdslActivation
if ($before.Status -eq 0) {
    return [ordered]@{
        activation_status = [int]$before.Status
        license_server_id = [string]$before.Id
        changed           = $false
    }
}

$ls = Get-RdslLicenseServer
$productId = [string]$ls.ProductId
if ($method -eq 'automatic') {
    $missing = Get-RdslEmptyContact -Server $ls -Names @('FirstName', 'LastName', 'Company', 'CountryRegion')
    if ($missing.Count -gt 0) {
        Fail -Kind invalid_input -Message ('cannot activate the license server on {0} automatically: the Microsoft Clearinghouse requires the contact properties FirstName, LastName, Company and CountryRegion; empty: {1}; set them first' -f $env:COMPUTERNAME, ($missing -join ', '))
    }
    $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName ActivateServerAutomatic
    $context = 'activating the license server on {0}' -f $env:COMPUTERNAME
    if ([long]$r.ReturnValue -eq [long]2147749897) {
        $context = 'the license server {0} could not reach the Microsoft Clearinghouse, which it must reach over outbound TCP 443 (HTTPS); a server without Internet access can be activated with method = "license_server_id" and a license server ID obtained from the Clearinghouse web site or by telephone with this server''s product ID {1}' -f $env:COMPUTERNAME, $productId
    }
    # 2147749897 = 0x80041009 WBEM_E_NOT_AVAILABLE
    Assert-RdslReturn -Result $r -Method 'ActivateServerAutomatic' -Kinds @{ [long]2147749897 = 'clearinghouse_unreachable' } -Context $context
} else {
    $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName ActivateServer -Arguments @{ sLicenseServerId = $id }
    $context = 'activating the license server on {0}' -f $env:COMPUTERNAME
    if ([long]$r.ReturnValue -eq [long]2147749896) {
        $context = 'the license server on {0} was not activated: the Clearinghouse did not accept the license server ID for product ID {1}; check that it was issued for this server''s product ID' -f $env:COMPUTERNAME, $productId
    }
    # 2147749896 = 0x80041008 WBEM_E_INVALID_PARAMETER
    Assert-RdslReturn -Result $r -Method 'ActivateServer' -Kinds @{ [long]2147749896 = 'invalid_code' } -Context $context
}

$after = Get-RdslActivation
[ordered]@{
    activation_status = [int]$after.Status
    license_server_id = [string]$after.Id
    changed           = $true
}
