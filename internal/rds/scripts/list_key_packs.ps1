# operation: list_key_packs
# Lists every CAL key pack of this license server (Win32_TSLicenseKeyPack),
# the built-in per-device pack included, sorted by KeyPackId. The provider
# reads installed CALs from it, and looks here before it installs more,
# because every install adds a new pack. With the packs come the key pack
# journal (oldest first), the last boot time and the host's clock: what the
# provider needs to tell what an interrupted install did.
param($In)

Assert-RdslLicensingRole

# @() keeps "no pack" and "one pack" arrays. The journal is read without
# its lock: each registry value is written whole, and an entry counts only
# once its State, written last, is there.
$packs = @(Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack | Sort-Object -Property KeyPackId)
[ordered]@{
    key_packs = @(foreach ($pack in $packs) { ConvertTo-RdslKeyPack -Pack $pack })
    journal   = @(Get-RdslJournal)
    boot_time = (Get-RdslBootTime)
    host_time = (Get-RdslHostTime)
}
