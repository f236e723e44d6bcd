$ls = Get-CimInstance -ClassName Win32_TSLicenseServer
$ls | Select-Object -Property FirstName,LastName, Company
Get-CimInstance -ClassName Win32_TSLicenseKeyPack | Sort-Object -Property:KeyPackId,'ProductVersion'
Select-Object Name, Value -InputObject $ls
