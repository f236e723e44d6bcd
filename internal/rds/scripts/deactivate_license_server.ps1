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
    return New-RdslActivationResult -Activation $before -Changed $false
}

$ls = Get-RdslLicenseServer
Assert-RdslClearinghouseContact -Server $ls -Verb 'deactivate' -Names @('FirstName', 'LastName')
try {
    $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName DeactivateServerAutomatic
} catch {
    $r = Get-RdslCimErrorResult -ErrorRecord $_
}
Assert-RdslClearinghouseReturn -Result $r -Method 'DeactivateServerAutomatic' -Doing 'deactivating' -Offline 'without Internet access, deactivate it by telephone with RD Licensing Manager'

New-RdslActivationResult -Activation (Get-RdslActivation) -Changed $true
