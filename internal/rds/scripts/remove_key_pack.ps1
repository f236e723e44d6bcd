# operation: remove_key_pack
# Removes one CAL key pack from this license server
# (Win32_TSLicenseKeyPack.UninstallLicenseKeyPackWithId). The built-in
# per-device pack cannot be removed. A pack with issued CALs can: nothing
# documented forbids it (what Windows does with those CALs is unverified).
param($In)

Assert-RdslLicensingRole

$id = Get-RdslKeyPackId -Value $In.key_pack_id
# Fails with not_found or, for the built-in pack, invalid_input.
$null = Get-RdslChangeableKeyPack -Id $id

try {
    $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack -MethodName UninstallLicenseKeyPackWithId -Arguments @{
        KeyPackId = [uint32]$id
    }
} catch {
    $r = Get-RdslCimErrorResult -ErrorRecord $_
}
# Keys carry the L suffix: a bare 0x80041002 is a negative Int32 in PowerShell.
Assert-RdslReturn -Result $r -Method 'UninstallLicenseKeyPackWithId' -Context ('removing key pack {0} from {1}' -f $id, $env:COMPUTERNAME) -Kinds @{
    [long]0x80041002L = 'not_found'
    [long]0x80041008L = 'invalid_input'
    [long]0x80041003L = 'access_denied'
}
[ordered]@{}
