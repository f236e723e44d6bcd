# operation: activate_license_server
# Activates the license server with the Microsoft Clearinghouse, either over
# the Internet (method "automatic": ActivateServerAutomatic, which needs the
# contact FirstName, LastName, Company and CountryRegion and outbound TCP 443)
# or with a license server ID obtained from the Clearinghouse web site or by
# telephone (method "license_server_id": ActivateServer, no Internet needed).
# An activated server is left as it is.
param($In)

$method = [string]$In.method
Assert-RdslActivationMethod -Method $method -Verb 'activate'
# The ID is a secret of sorts: checked here, never echoed.
$id = [string]$In.license_server_id
Assert-RdslLicenseServerIdFormat -Method $method -Id $id -Verb 'activate'

Assert-RdslLicensingRole
$before = Get-RdslActivation
if ($before.Status -eq 0) {
    return New-RdslActivationResult -Activation $before -Changed $false
}

$ls = Get-RdslLicenseServer
$productId = [string]$ls.ProductId
if ($method -eq 'automatic') {
    Assert-RdslClearinghouseContact -Server $ls -Verb 'activate' -Names @('FirstName', 'LastName', 'Company', 'CountryRegion')
    try {
        $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName ActivateServerAutomatic
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    $offline = 'a server without Internet access can be activated with method = "license_server_id" and a license server ID obtained from the Clearinghouse web site or by telephone with this server''s product ID {0}' -f $productId
    Assert-RdslClearinghouseReturn -Result $r -Method 'ActivateServerAutomatic' -Doing 'activating' -Offline $offline
} else {
    try {
        $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName ActivateServer -Arguments @{ sLicenseServerId = $id }
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    Assert-RdslLicenseServerIdReturn -Result $r -Method 'ActivateServer' -Doing 'activating' -Done 'activated' -ProductId $productId
}

New-RdslActivationResult -Activation (Get-RdslActivation) -Changed $true
