# operation: list_issued_licenses
# Lists the per-device CALs this license server has issued
# (Win32_TSIssuedLicense), revoked and temporary ones included, sorted by
# key pack and license ID. Per-user CALs are not issued this way: the
# CAL usage report (get_cal_usage_report) lists them.
param($In)

function ConvertTo-IssuedLicense {
    param([Parameter(Mandatory = $true)]$License)
    [ordered]@{
        license_id         = [long]$License.LicenseId
        key_pack_id        = [long]$License.KeyPackId
        issued_to_user     = [string]$License.sIssuedToUser
        issued_to_computer = [string]$License.sIssuedToComputer
        hardware_id        = [string]$License.sHardwareId
        issue_date         = (Format-RdslDate -Value $License.IssueDate)
        expiration_date    = (Format-RdslDate -Value $License.ExpirationDate)
        license_status     = [int]$License.LicenseStatus
    }
}

Assert-RdslLicensingRole

# @() keeps "none" and "one" arrays.
$issued = @(Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSIssuedLicense | Sort-Object -Property KeyPackId, LicenseId)
[ordered]@{
    licenses = @(foreach ($license in $issued) { ConvertTo-IssuedLicense -License $license })
}
