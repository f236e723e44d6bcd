# operation: set_license_server_contact
# Makes the license server's contact (Win32_TSLicenseServer properties) equal
# to the input, where an empty string clears a property. Writes only the
# properties that differ, one per Set-CimInstance call (the provider is
# reported to reject several at once), CountryRegion first: it is the one
# Windows checks, so a rejected country changes nothing.
param($In)

function Set-ContactProperty {
    # Writes one property on a fresh copy of the singleton; returns the
    # WBEM code (0 on success) so that the caller classifies failures.
    param([string]$Name, [string]$Value)
    $ls = Get-RdslLicenseServer
    try {
        switch ($Name) {
            'CountryRegion' { Set-CimInstance -InputObject $ls -Property @{ CountryRegion = $Value } }
            'FirstName' { Set-CimInstance -InputObject $ls -Property @{ FirstName = $Value } }
            'LastName' { Set-CimInstance -InputObject $ls -Property @{ LastName = $Value } }
            'Company' { Set-CimInstance -InputObject $ls -Property @{ Company = $Value } }
            'eMail' { Set-CimInstance -InputObject $ls -Property @{ eMail = $Value } }
            'OrgUnit' { Set-CimInstance -InputObject $ls -Property @{ OrgUnit = $Value } }
            'Address' { Set-CimInstance -InputObject $ls -Property @{ Address = $Value } }
            'City' { Set-CimInstance -InputObject $ls -Property @{ City = $Value } }
            'State' { Set-CimInstance -InputObject $ls -Property @{ State = $Value } }
            'PostalCode' { Set-CimInstance -InputObject $ls -Property @{ PostalCode = $Value } }
        }
    } catch {
        $code = Get-RdslCimErrorCode -Exception $_.Exception
        if ($code -eq 0) { throw }
        return $code
    }
    [long]0
}

Assert-RdslLicensingRole

# Win32 property name, then the desired value from the input.
$wanted = @(
    @('CountryRegion', [string]$In.country_region),
    @('FirstName', [string]$In.first_name),
    @('LastName', [string]$In.last_name),
    @('Company', [string]$In.company),
    @('eMail', [string]$In.email),
    @('OrgUnit', [string]$In.org_unit),
    @('Address', [string]$In.address),
    @('City', [string]$In.city),
    @('State', [string]$In.state),
    @('PostalCode', [string]$In.postal_code)
)

$ls = Get-RdslLicenseServer
$changed = @()
foreach ($pair in $wanted) {
    $name = $pair[0]
    $value = $pair[1]
    if ([string]$ls.CimInstanceProperties[$name].Value -ceq $value) { continue }
    $code = Set-ContactProperty -Name $name -Value $value
    if ($name -eq 'CountryRegion' -and $code -eq [long]2147749896) {
        # WBEM_E_INVALID_PARAMETER: not a name of the provider's country list.
        Fail -Kind invalid_input -Code $code -Message ("CountryRegion '{0}' is not a country/region name the license server on {1} accepts; use the English name as RD Licensing Manager lists it, e.g. 'United States', 'United Kingdom', 'Germany'" -f $value, $env:COMPUTERNAME)
    }
    Assert-RdslReturn -Result @{ ReturnValue = $code } -Method ('Set-CimInstance Win32_TSLicenseServer.' + $name) -Context ('setting the contact of the license server on {0}' -f $env:COMPUTERNAME)
    $changed += $name
}

[ordered]@{
    changed = @($changed)
    contact = New-RdslContact -Server (Get-RdslLicenseServer)
}
