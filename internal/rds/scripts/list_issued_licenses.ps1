# operation: list_issued_licenses
# Lists the per-device CALs this license server issued
# (Win32_TSIssuedLicense: active, temporary and revoked), each with its key
# pack's CAL type and version, sorted by key pack and license ID: what a
# revocation chooses from.
param($In)

Assert-RdslLicensingRole

$packs = @{}
foreach ($pack in @(Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack)) { $packs[[long]$pack.KeyPackId] = $pack }
# @() keeps "none" and "one" arrays.
$issued = @(Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSIssuedLicense | Sort-Object -Property KeyPackId, LicenseId)
[ordered]@{
    licenses = @(foreach ($license in $issued) { ConvertTo-RdslIssuedLicense -License $license -Packs $packs })
}
