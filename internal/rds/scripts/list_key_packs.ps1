# operation: list_key_packs
# Lists every CAL key pack of this license server (Win32_TSLicenseKeyPack),
# the built-in per-device pack included, sorted by KeyPackId. The provider
# reads installed CALs from it, and looks here before it installs more,
# because every install adds a new pack.
param($In)

Assert-RdslLicensingRole

# @() keeps "no pack" and "one pack" arrays.
$packs = @(Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack | Sort-Object -Property KeyPackId)
[ordered]@{
    key_packs = @(foreach ($pack in $packs) { ConvertTo-RdslKeyPack -Pack $pack })
}
