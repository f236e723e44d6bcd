# operation: install_agreement_pack
# input: agreement_type, agreement_number
#requires -Version 5.1
param($In)

$r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack -MethodName InstallAgreementLicenseKeyPack -Arguments @{ AgreementType = [uint32]$In.agreement_type; sAgreementNumber = $In.agreement_number }
if ($r.ReturnValue -ne 0) {
    throw ('InstallAgreementLicenseKeyPack failed: {0}' -f $r.ReturnValue)
}
$ts = Get-CimInstance -Namespace root/cimv2/TerminalServices -ClassName Win32_TerminalServiceSetting
$days = (Invoke-CimMethod -InputObject $ts -MethodName GetGracePeriodDays).DaysLeft
$ls = Get-CimInstance -ClassName Win32_TSLicenseServer -ErrorAction SilentlyContinue
$v = [string]$In.first_name
Set-CimInstance -InputObject $ls -Property @{ FirstName = $v }
$names = Get-CimInstance -ClassName Win32_TSLicenseServer | Select-Object -Property FirstName,LastName
[ordered]@{
    grace_days = [int]$days
    'first_name' = $ls.FirstName
    "company" = $ls.Company.Trim()
}
