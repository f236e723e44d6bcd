# operation: reactivate_license_server
# Reactivates an activated license server (a new certificate from the
# Clearinghouse), over the Internet (method "automatic":
# ReactivateServerAutomatic with a reason 0-4, needs FirstName and LastName)
# or with a new license server ID from the Clearinghouse web site or phone
# (method "license_server_id": ReactivateServer). With an attempt ID, it
# records the attempt on the server just before calling the method, unless
# the provider fenced it off (fence_reactivation), so that after a lost
# answer the provider can tell "never called" from "maybe".
param($In)

$method = [string]$In.method
Assert-RdslActivationMethod -Method $method -Verb 'reactivate'
$reason = [long]$In.reason
if ($method -eq 'automatic' -and ($reason -lt 0 -or $reason -gt 4)) {
    Fail -Kind invalid_input -Message ('cannot reactivate the license server on {0}: reason must be 0 (redeployed), 1 (certificate corrupt), 2 (private key compromised), 3 (activation key expired) or 4 (server upgraded), not {1}' -f $env:COMPUTERNAME, $reason)
}
$id = [string]$In.license_server_id
Assert-RdslLicenseServerIdFormat -Method $method -Id $id -Verb 'reactivate'
$attempt = [string]$In.attempt
Assert-RdslJournalId -Name attempt -Value $attempt -AllowEmpty

Assert-RdslLicensingRole
$before = Get-RdslActivation
if ($before.Status -ne 0) {
    Fail -Kind not_activated -Message ('the license server on {0} is not activated (activation status {1}); activate it before reactivating it' -f $env:COMPUTERNAME, $before.Status)
}

$ls = Get-RdslLicenseServer
$productId = [string]$ls.ProductId
if ($method -eq 'automatic') {
    Assert-RdslClearinghouseContact -Server $ls -Verb 'reactivate' -Names @('FirstName', 'LastName')
    if ($attempt) { Start-RdslReactivationAttempt -Attempt $attempt }
    try {
        $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName ReactivateServerAutomatic -Arguments @{ Reason = [uint32]$reason }
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    $offline = 'a server without Internet access can be reactivated with method = "license_server_id" and a new license server ID obtained from the Clearinghouse web site or by telephone with this server''s product ID {0}' -f $productId
    Assert-RdslClearinghouseReturn -Result $r -Method 'ReactivateServerAutomatic' -Doing 'reactivating' -Offline $offline
} else {
    if ($attempt) { Start-RdslReactivationAttempt -Attempt $attempt }
    try {
        $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName ReactivateServer -Arguments @{ sNewLicenseServerId = $id }
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    Assert-RdslLicenseServerIdReturn -Result $r -Method 'ReactivateServer' -Doing 'reactivating' -Done 'reactivated' -ProductId $productId
}

New-RdslActivationResult -Activation (Get-RdslActivation) -Changed $true
