# rdslicensing-library keypacks 1
# Helpers of the key pack operations (list_key_packs, install_key_pack,
# remove_key_pack, remove_licenses) and of the issued CALs' (the usage
# report, list_issued_licenses, revoke_licenses): reading
# Win32_TSLicenseKeyPack and Win32_TSIssuedLicense as the provider's types.

function Test-RdslBuiltInKeyPack {
    # The built-in per-device pack every license server starts with:
    # captured as ProductType 3, TotalLicenses 0xFFFFFFFF (-1 where read
    # signed) and TypeAndModel 'Built-in TS Per Device CAL'; public scripts
    # spell it '...Cal', and -eq ignores case.
    param([Parameter(Mandatory = $true)]$Pack)
    ([int]$Pack.ProductType -eq 3) -or ([long]$Pack.TotalLicenses -in 4294967295, -1) -or
        ([string]$Pack.TypeAndModel -eq 'Built-in TS Per Device CAL')
}

function ConvertTo-RdslKeyPack {
    # A Win32_TSLicenseKeyPack instance as the provider's key pack.
    param([Parameter(Mandatory = $true)]$Pack)
    [ordered]@{
        key_pack_id        = [long]$Pack.KeyPackId
        key_pack_type      = [int]$Pack.KeyPackType
        product_type       = [int]$Pack.ProductType
        product_version    = [string]$Pack.ProductVersion
        product_version_id = [int]$Pack.ProductVersionID
        type_and_model     = [string]$Pack.TypeAndModel
        description        = [string]$Pack.Description
        total_licenses     = [long]$Pack.TotalLicenses
        issued_licenses    = [long]$Pack.IssuedLicenses
        available_licenses = [long]$Pack.AvailableLicenses
        expiration_date    = (Format-RdslDate -Value $Pack.ExpirationDate)
        built_in           = [bool](Test-RdslBuiltInKeyPack -Pack $Pack)
    }
}

function Get-RdslKeyPack {
    # The key pack with this KeyPackId; $null when there is none.
    param([Parameter(Mandatory = $true)][long]$Id)
    Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack -Filter ('KeyPackId = {0}' -f $Id) |
        Select-Object -First 1
}

function Get-RdslKeyPackIdList {
    # The KeyPackId of every pack on this license server, ascending.
    Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack |
        Sort-Object -Property KeyPackId | ForEach-Object { [long]$_.KeyPackId }
}

function Get-RdslKeyPackId {
    # key_pack_id from the input, checked against the range of KeyPackId (uint32).
    param($Value)
    $id = [long]$Value
    if ($id -lt 0 -or $id -gt 4294967295) {
        Fail -Kind invalid_input -Message ('key_pack_id must be a KeyPackId between 0 and 4294967295; got {0}' -f $id)
    }
    $id
}

function Get-RdslChangeableKeyPack {
    # The pack remove_key_pack and remove_licenses act on: it must exist and
    # must not be the built-in pack, which lives as long as the license server.
    param([Parameter(Mandatory = $true)][long]$Id)
    $pack = Get-RdslKeyPack -Id $Id
    if ($null -eq $pack) {
        Fail -Kind not_found -Message ('there is no key pack {0} on {1}' -f $Id, $env:COMPUTERNAME) -Code 2147749890
    }
    if (Test-RdslBuiltInKeyPack -Pack $pack) {
        Fail -Kind invalid_input -Message ('key pack {0} on {1} is the built-in per-device pack (Built-in TS Per Device CAL): Windows creates it with the license server, and it cannot be removed or changed' -f $Id, $env:COMPUTERNAME)
    }
    $pack
}

function ConvertTo-RdslIssuedLicense {
    # One Win32_TSIssuedLicense, with its key pack's CAL type and version
    # (Packs: the Win32_TSLicenseKeyPack instances by KeyPackId).
    param([Parameter(Mandatory = $true)]$License, [Parameter(Mandatory = $true)][hashtable]$Packs)
    $pack = $Packs[[long]$License.KeyPackId]
    $calType = ''
    $versionID = 0
    if ($null -ne $pack) {
        $calType = [string]$pack.TypeAndModel
        $versionID = [int]$pack.ProductVersionID
    }
    [ordered]@{
        license_id         = [long]$License.LicenseId
        key_pack_id        = [long]$License.KeyPackId
        issued_to_user     = [string]$License.sIssuedToUser
        issued_to_computer = [string]$License.sIssuedToComputer
        hardware_id        = [string]$License.sHardwareId
        issue_date         = (Format-RdslDate -Value $License.IssueDate)
        expiration_date    = (Format-RdslDate -Value $License.ExpirationDate)
        license_status     = [int]$License.LicenseStatus
        cal_type           = $calType
        product_version_id = $versionID
    }
}
