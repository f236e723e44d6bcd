# operation: revoke_licenses
# Revokes per-device CALs (Win32_TSIssuedLicense.Revoke), as RD Licensing
# Manager's "Revoke License" does: each goes back to its key pack. The
# provider chose them (internal/calrevocation); every one is looked up
# before the first is revoked, and one already revoked is skipped, so that
# running again after a lost answer revokes only what is left. Windows
# revokes only a share of a version's per-device CALs: past it, Revoke
# fails and says when the next revocation is allowed (NextRevokeAllowedOn).
param($In)

Assert-RdslLicensingRole

$targets = New-Object System.Collections.Generic.List[object]
foreach ($ref in @($In.licenses)) {
    # Numbers only reach the filter: [long] refuses anything else.
    $licenseId = [long]$ref.license_id
    $keyPackId = [long]$ref.key_pack_id
    $license = Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSIssuedLicense -Filter ('LicenseId = {0} AND KeyPackId = {1}' -f $licenseId, $keyPackId) |
        Select-Object -First 1
    if ($null -eq $license) {
        Fail -Kind not_found -Message ('no per-device CAL {0} of key pack {1} is issued on {2} (it expired or was revoked and reissued meanwhile); nothing was revoked' -f $licenseId, $keyPackId, $env:COMPUTERNAME)
    }
    $targets.Add($license)
}

$revoked = New-Object System.Collections.Generic.List[long]
$already = New-Object System.Collections.Generic.List[long]
$revokable = -1
foreach ($license in $targets) {
    if ([int]$license.LicenseStatus -eq 4) {
        $already.Add([long]$license.LicenseId)
        continue
    }
    try {
        $r = Invoke-CimMethod -InputObject $license -MethodName Revoke
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    if ([long]$r.ReturnValue -ne 0) {
        $next = ''
        if ($null -ne $r.NextRevokeAllowedOn) { $next = Format-RdslDate -Value $r.NextRevokeAllowedOn }
        $done = 'none'
        if ($revoked.Count -gt 0) { $done = $revoked -join ', ' }
        $kind = 'wmi_error'
        if ($next -ne '') { $kind = 'revoke_limit' }
        Fail -Kind $kind -Code ([long]$r.ReturnValue) -Message ('Revoke of per-device CAL {0} (issued to {1}) on {2} returned {3} (0x{4:X}); Windows allows {5} more revocations of this kind now, and the next on {6}. Revoked before it: {7}' -f $license.LicenseId, $license.sIssuedToComputer, $env:COMPUTERNAME, (Get-RdslWbemName -Code ([long]$r.ReturnValue)), [long]$r.ReturnValue, [long]$r.RevokableCals, $next, $done)
    }
    $revoked.Add([long]$license.LicenseId)
    $revokable = [long]$r.RevokableCals
}
[ordered]@{
    revoked         = @($revoked)
    already_revoked = @($already)
    revokable_cals  = $revokable
}
