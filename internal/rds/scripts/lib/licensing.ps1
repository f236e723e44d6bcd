# rdslicensing-library licensing 1
# Helpers of the host, role and activation operations: feature, service and
# restart probes, the license server singleton and its activation state.

function Get-RdslLicensingFeatureNames {
    # The RD Licensing role service, then (with -IncludeTools) its tools,
    # named one by one: whether Install-WindowsFeature
    # -IncludeManagementTools pulls them in is not verified.
    param([bool]$IncludeTools)
    $names = @('RDS-Licensing')
    if ($IncludeTools) { $names += @('RDS-Licensing-UI', 'RSAT-RDS-Licensing-Diagnosis-UI') }
    , $names
}

function Get-RdslServiceState {
    # Status and start type of a service as strings; '' for both when the
    # service does not exist (RD Licensing not installed).
    param([Parameter(Mandatory = $true)][string]$Name)
    $svc = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $svc) { return @{ Status = ''; StartType = '' } }
    @{ Status = [string]$svc.Status; StartType = [string]$svc.StartType }
}

function Test-RdslLicensingWmi {
    # True once the licensing WMI provider (TlsWmiProv.mof) is registered.
    $class = Get-CimClass -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -ErrorAction SilentlyContinue
    [bool]($null -ne $class)
}

function Test-RdslRebootPending {
    # Windows servicing or Windows Update waits for a restart, or a feature
    # waits for one to finish installing or removing.
    $keys = @(
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending',
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
    )
    foreach ($key in $keys) {
        if (Test-Path -LiteralPath $key) { return $true }
    }
    $pending = @(Get-WindowsFeature | Where-Object {
            [string]$_.InstallState -eq 'InstallPending' -or [string]$_.InstallState -eq 'UninstallPending'
        })
    [bool]($pending.Count -gt 0)
}

function Get-RdslFeatureFailure {
    # The messages of a failed Install/Uninstall-WindowsFeature: its
    # per-feature messages and its error records, as one line.
    param($Result, $Errors)
    $parts = @()
    if ($null -ne $Result) {
        foreach ($fr in @($Result.FeatureResult)) {
            foreach ($m in @($fr.Message)) {
                if ($null -ne $m -and [string]$m.Text) { $parts += ('{0}: {1}' -f $fr.DisplayName, $m.Text) }
            }
        }
    }
    foreach ($e in @($Errors)) {
        if ($null -ne $e) { $parts += ([string]$e.Exception.Message -replace '\s*\r?\n\s*', ' ').Trim() }
    }
    if ($parts.Count -eq 0) { return 'Windows gave no details' }
    $parts -join '; '
}

function Get-RdslDnsName {
    # The host's DNS name: the host name plus the domain when joined.
    param([Parameter(Mandatory = $true)]$Computer)
    $name = [string]$Computer.DNSHostName
    if (-not $name) { $name = [string]$Computer.Name }
    if ($Computer.PartOfDomain) { return ('{0}.{1}' -f $name, $Computer.Domain) }
    $name
}

function Get-RdslLicenseServer {
    # The Win32_TSLicenseServer singleton.
    Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSLicenseServer
}

function Get-RdslActivation {
    # Activation status (0 activated, 1 not, 2 unknown) and, when
    # activated, the license server ID.
    $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName GetActivationStatus
    Assert-RdslReturn -Result $r -Method 'GetActivationStatus'
    $status = [int]$r.ActivationStatus
    $id = ''
    if ($status -eq 0) {
        $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName GetLicenseServerId
        Assert-RdslReturn -Result $r -Method 'GetLicenseServerId'
        $id = [string]$r.sLicenseServerId
    }
    @{ Status = $status; Id = $id }
}

function Get-RdslEmptyContact {
    # The names among $Names whose Win32_TSLicenseServer property is empty.
    param([Parameter(Mandatory = $true)]$Server, [Parameter(Mandatory = $true)][string[]]$Names)
    $empty = @()
    foreach ($name in $Names) {
        if ([string]::IsNullOrWhiteSpace([string]$Server.CimInstanceProperties[$name].Value)) { $empty += $name }
    }
    , $empty
}

function Get-RdslCimErrorCode {
    # The WBEM code of a CimException (0 for any other exception): the
    # provider's own code when it gave one, else the code of its category.
    param($Exception)
    if ($null -eq $Exception -or $Exception.GetType().FullName -ne 'Microsoft.Management.Infrastructure.CimException') { return [long]0 }
    if ($null -ne $Exception.ErrorData -and $null -ne $Exception.ErrorData.CimInstanceProperties['error_Code']) {
        return [long]$Exception.ErrorData.CimInstanceProperties['error_Code'].Value
    }
    switch ([string]$Exception.NativeErrorCode) {
        'AccessDenied' { return [long]2147749891 }
        'NotFound' { return [long]2147749890 }
        'InvalidParameter' { return [long]2147749896 }
        'NotSupported' { return [long]2147749900 }
        'InvalidClass' { return [long]2147749904 }
        default { return [long]2147749889 }
    }
}
