# rdslicensing-library rds 1
# Helpers shared by the RDS licensing operations. Sent once per PowerShell
# process, after the prelude.

function Get-RdslOSVersion {
    # The Windows Server release of this host, from its build number:
    # Win32_OperatingSystem.BuildNumber unless given. Not .NET's
    # Environment.OSVersion, which "may be incorrect when an application
    # runs under Windows compatibility mode" (its docs).
    param([string]$Build = '')
    if (-not $Build) {
        $Build = [string](Get-CimInstance -Namespace root/cimv2 -ClassName Win32_OperatingSystem).BuildNumber
    }
    switch ([int]$Build) {
        { $_ -ge 26100 } { return '2025' }
        { $_ -ge 20348 } { return '2022' }
        { $_ -ge 17763 } { return '2019' }
        { $_ -ge 14393 } { return '2016' }
        default { return 'unsupported' }
    }
}

function Get-RdslComputer {
    Get-CimInstance -Namespace root/cimv2 -ClassName Win32_ComputerSystem
}

function Get-RdslBootTime {
    # When the host last started (Win32_OperatingSystem.LastBootUpTime), RFC 3339 UTC.
    Format-RdslDate -Value (Get-CimInstance -Namespace root/cimv2 -ClassName Win32_OperatingSystem).LastBootUpTime
}

function Get-RdslFeatureState {
    # Install state of one Windows feature as a string ('' when unknown).
    param([Parameter(Mandatory = $true)][string]$Name)
    $feature = Get-WindowsFeature -Name $Name
    if ($null -eq $feature) { return '' }
    [string]$feature.InstallState
}

function Assert-RdslLicensingRole {
    # Fails unless the RD Licensing WMI provider is present and usable.
    if (Test-RdslLicensingWmi) { return }
    $state = Get-RdslFeatureState -Name 'RDS-Licensing'
    if ($state -eq 'InstallPending') {
        Fail -Kind reboot_pending -Message ("the RD Licensing role service (RDS-Licensing) on {0} is installed but waits for a restart" -f $env:COMPUTERNAME)
    }
    Fail -Kind role_missing -Message ("the RD Licensing role service (RDS-Licensing) is not installed on {0}" -f $env:COMPUTERNAME) -Code 2147749904
}

function Get-RdslCimErrorResult {
    # A WMI method's failure thrown as a CimException, as a result whose
    # ReturnValue is the exception's code (MSFT_WmiError error_Code), for
    # Assert-RdslReturn and the scripts' code tables. Whether the licensing
    # provider reports a failure as a non-zero ReturnValue or throws is
    # unverified, so every method that can fail is called
    #   try { $r = Invoke-CimMethod ... } catch { $r = Get-RdslCimErrorResult -ErrorRecord $_ }
    # and both ways give the same error. Other errors are thrown on.
    param([Parameter(Mandatory = $true)]$ErrorRecord)
    $ex = $ErrorRecord.Exception
    if ($ex.GetType().FullName -ne 'Microsoft.Management.Infrastructure.CimException') { throw $ErrorRecord }
    $code = [long]0
    if ($null -ne $ex.ErrorData -and $null -ne $ex.ErrorData.CimInstanceProperties['error_Code']) {
        $code = [long]$ex.ErrorData.CimInstanceProperties['error_Code'].Value
    }
    if ($code -eq 0) { throw $ErrorRecord }
    [pscustomobject]@{ ReturnValue = $code }
}

function Assert-RdslReturn {
    # Turns a non-zero ReturnValue of a WMI method into a classified error.
    # $Kinds maps return codes to error kinds; others become wmi_error.
    param(
        [Parameter(Mandatory = $true)]$Result,
        [Parameter(Mandatory = $true)][string]$Method,
        [hashtable]$Kinds = @{},
        [string]$Context = ''
    )
    $code = [long]$Result.ReturnValue
    if ($code -eq 0) { return }
    $kind = 'wmi_error'
    if ($Kinds.ContainsKey($code)) { $kind = $Kinds[$code] }
    $text = '{0} failed with 0x{1:X8} ({2})' -f $Method, $code, (Get-RdslWbemName $code)
    if ($Context) { $text = $Context + ': ' + $text }
    Fail -Kind $kind -Message $text -Code $code
}

function Get-RdslWbemName {
    param([long]$Code)
    switch ($Code) {
        2147749889 { 'WBEM_E_FAILED' }
        2147749890 { 'WBEM_E_NOT_FOUND' }
        2147749891 { 'WBEM_E_ACCESS_DENIED' }
        2147749892 { 'WBEM_E_PROVIDER_FAILURE' }
        2147749893 { 'WBEM_E_TYPE_MISMATCH' }
        2147749896 { 'WBEM_E_INVALID_PARAMETER' }
        2147749897 { 'WBEM_E_NOT_AVAILABLE' }
        2147749900 { 'WBEM_E_NOT_SUPPORTED' }
        2147749904 { 'WBEM_E_INVALID_CLASS' }
        2147749910 { 'WBEM_E_INVALID_OPERATION' }
        2147749913 { 'WBEM_E_ALREADY_EXISTS' }
        2147749931 { 'WBEM_E_VALUE_OUT_OF_RANGE' }
        2147749935 { 'WBEM_E_INVALID_METHOD_PARAMETERS' }
        default { 'unknown code' }
    }
}

function Format-RdslDate {
    # CIM DATETIME values as RFC 3339 UTC; '' for none. The invariant
    # culture: under the current one, ':' becomes the culture's time
    # separator and yyyy counts in its calendar (Buddhist years in Thai).
    param($Value)
    if ($null -eq $Value) { return '' }
    ([datetime]$Value).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [Globalization.CultureInfo]::InvariantCulture)
}
