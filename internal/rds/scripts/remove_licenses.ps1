# operation: remove_licenses
# Removes license_count CALs that are not issued from one key pack
# (Win32_TSLicenseKeyPack.RemoveLicensesWithIdCount) and returns the pack
# after. Issued CALs cannot be taken back, so the count must fit in
# AvailableLicenses. Removing every available CAL leaves the pack with
# TotalLicenses = IssuedLicenses (unverified: Windows may drop an empty pack).
param($In)

Assert-RdslLicensingRole

$id = Get-RdslKeyPackId -Value $In.key_pack_id
$count = [long]$In.license_count
if ($count -lt 1) {
    Fail -Kind invalid_input -Message ('license_count must be at least 1; got {0}' -f $count)
}
# Fails with not_found or, for the built-in pack, invalid_input.
$pack = Get-RdslChangeableKeyPack -Id $id
$available = [long]$pack.AvailableLicenses
if ($count -gt $available) {
    Fail -Kind invalid_input -Message ('cannot remove {0} licenses from key pack {1} on {2}: only {3} are not issued' -f $count, $id, $env:COMPUTERNAME, $available)
}

try {
    $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack -MethodName RemoveLicensesWithIdCount -Arguments @{
        KeyPackId    = [uint32]$id
        LicenseCount = [uint32]$count
    }
} catch {
    $r = Get-RdslCimErrorResult -ErrorRecord $_
}
# Keys carry the L suffix: a bare 0x80041002 is a negative Int32 in PowerShell.
Assert-RdslReturn -Result $r -Method 'RemoveLicensesWithIdCount' -Context ('removing {0} licenses from key pack {1} on {2}' -f $count, $id, $env:COMPUTERNAME) -Kinds @{
    [long]0x80041002L = 'not_found'
    [long]0x80041008L = 'invalid_input'
    [long]0x80041003L = 'access_denied'
}

# Nothing fails from here on: the licenses are removed.
$after = Get-RdslKeyPack -Id $id
if ($null -ne $after) {
    $keyPack = ConvertTo-RdslKeyPack -Pack $after
} else {
    # Windows dropped the emptied pack: report it as the removal left it.
    $keyPack = ConvertTo-RdslKeyPack -Pack $pack
    $keyPack['total_licenses'] = $keyPack['total_licenses'] - $count
    $keyPack['available_licenses'] = $keyPack['available_licenses'] - $count
}
[ordered]@{
    key_pack = $keyPack
}
