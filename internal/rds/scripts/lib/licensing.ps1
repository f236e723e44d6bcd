# rdslicensing-library licensing 1
# Helpers of the host, role and license server operations: feature, service
# and restart probes, the role state, the license server singleton, its
# contact, and its activation state with the checks around (re/de)activation.

function Get-RdslLicensingFeatureNames {
    # The RD Licensing role service, then (with -IncludeTools) its tools,
    # named one by one: whether Install-WindowsFeature
    # -IncludeManagementTools pulls them in is not verified.
    # -ToolsOnly names the tools alone.
    param([bool]$IncludeTools, [bool]$ToolsOnly)
    $tools = @('RDS-Licensing-UI', 'RSAT-RDS-Licensing-Diagnosis-UI')
    if ($ToolsOnly) { return , $tools }
    $names = @('RDS-Licensing')
    if ($IncludeTools) { $names += $tools }
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
    # waits for one to finish installing or removing. $Features: every
    # feature, when the caller already listed them (Get-WindowsFeature takes
    # seconds).
    param($Features = $null)
    $keys = @(
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending',
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
    )
    foreach ($key in $keys) {
        if (Test-Path -LiteralPath $key) { return $true }
    }
    if ($null -eq $Features) { $Features = @(Get-WindowsFeature) }
    $pending = @($Features | Where-Object {
            [string]$_.InstallState -eq 'InstallPending' -or [string]$_.InstallState -eq 'UninstallPending'
        })
    [bool]($pending.Count -gt 0)
}

function Get-RdslRoleState {
    # The RD Licensing role on this host (get_role, and the state after
    # install_role and uninstall_role): the install state of RDS-Licensing
    # and its two management tools, the TermServLicensing service, whether
    # the licensing WMI provider answers and whether a restart is pending.
    $all = @(Get-WindowsFeature)
    $features = @(foreach ($name in (Get-RdslLicensingFeatureNames -IncludeTools $true)) {
            $f = $all | Where-Object { $_.Name -eq $name } | Select-Object -First 1
            [ordered]@{
                name          = $name
                display_name  = [string]$f.DisplayName
                install_state = [string]$f.InstallState
            }
        })
    $svc = Get-RdslServiceState -Name TermServLicensing
    [ordered]@{
        features           = $features
        service_status     = $svc.Status
        service_start_type = $svc.StartType
        wmi_ready          = [bool](Test-RdslLicensingWmi)
        restart_pending    = [bool](Test-RdslRebootPending -Features $all)
        os_version         = [string](Get-RdslOSVersion)
        boot_time          = (Get-RdslBootTime)
    }
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
    try {
        $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName GetActivationStatus
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    Assert-RdslReturn -Result $r -Method 'GetActivationStatus'
    $status = [int]$r.ActivationStatus
    $id = ''
    if ($status -eq 0) {
        try {
            $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName GetLicenseServerId
        } catch {
            $r = Get-RdslCimErrorResult -ErrorRecord $_
        }
        Assert-RdslReturn -Result $r -Method 'GetLicenseServerId'
        $id = [string]$r.sLicenseServerId
    }
    @{ Status = $status; Id = $id }
}

function New-RdslContact {
    # The contact properties of the Win32_TSLicenseServer instance $Server.
    param($Server)
    [ordered]@{
        first_name     = [string]$Server.FirstName
        last_name      = [string]$Server.LastName
        company        = [string]$Server.Company
        country_region = [string]$Server.CountryRegion
        email          = [string]$Server.eMail
        org_unit       = [string]$Server.OrgUnit
        address        = [string]$Server.Address
        city           = [string]$Server.City
        state          = [string]$Server.State
        postal_code    = [string]$Server.PostalCode
    }
}

function New-RdslActivationResult {
    # The result of activate, reactivate and deactivate_license_server: the
    # activation $Activation (from Get-RdslActivation) and whether the
    # operation changed it.
    param([Parameter(Mandatory = $true)]$Activation, [bool]$Changed)
    [ordered]@{
        activation_status = [int]$Activation.Status
        license_server_id = [string]$Activation.Id
        changed           = $Changed
    }
}

function Assert-RdslActivationMethod {
    # Fails unless $Method is one of the two ways to activate or reactivate
    # ($Verb) the license server.
    param([string]$Method, [Parameter(Mandatory = $true)][string]$Verb)
    if ($Method -ne 'automatic' -and $Method -ne 'license_server_id') {
        Fail -Kind invalid_input -Message ('cannot {0} the license server on {1}: method must be "automatic" or "license_server_id", not "{2}"' -f $Verb, $env:COMPUTERNAME, $Method)
    }
}

function Assert-RdslLicenseServerIdFormat {
    # With method "license_server_id", fails unless $Id has the form of a
    # license server ID. The ID is a secret of sorts: checked here, never
    # echoed.
    param([string]$Method, [string]$Id, [Parameter(Mandatory = $true)][string]$Verb)
    if ($Method -eq 'license_server_id' -and $Id -cnotmatch '^[A-Za-z0-9]{35}\z') {
        Fail -Kind invalid_input -Message ('cannot {0} the license server on {1}: license_server_id must be the 35 letters and digits of a license server ID, without hyphens or spaces' -f $Verb, $env:COMPUTERNAME)
    }
}

function Assert-RdslClearinghouseContact {
    # Fails unless the contact properties $Names of the license server
    # $Server are set: the Microsoft Clearinghouse requires them to
    # activate, reactivate or deactivate ($Verb) it automatically.
    param(
        [Parameter(Mandatory = $true)]$Server,
        [Parameter(Mandatory = $true)][string]$Verb,
        [Parameter(Mandatory = $true)][string[]]$Names
    )
    $missing = Get-RdslEmptyContact -Server $Server -Names $Names
    if ($missing.Count -eq 0) { return }
    # The names as "A, B and C".
    $required = $Names[-1]
    if ($Names.Count -gt 1) { $required = ($Names[0..($Names.Count - 2)] -join ', ') + ' and ' + $required }
    Fail -Kind invalid_input -Message ('cannot {0} the license server on {1} automatically: the Microsoft Clearinghouse requires the contact properties {2}; empty: {3}; set them first' -f $Verb, $env:COMPUTERNAME, $required, ($missing -join ', '))
}

function Assert-RdslClearinghouseReturn {
    # Checks the result of ActivateServerAutomatic, ReactivateServerAutomatic
    # or DeactivateServerAutomatic, which reach the Microsoft Clearinghouse
    # over the Internet: WBEM_E_NOT_AVAILABLE (2147749897 = 0x80041009) says
    # it could not, and $Offline what to do without Internet access. $Doing
    # names the operation in the context of any other failure.
    param(
        $Result,
        [Parameter(Mandatory = $true)][string]$Method,
        [Parameter(Mandatory = $true)][string]$Doing,
        [Parameter(Mandatory = $true)][string]$Offline
    )
    $context = '{0} the license server on {1}' -f $Doing, $env:COMPUTERNAME
    if ([long]$Result.ReturnValue -eq [long]2147749897) {
        $context = 'the license server {0} could not reach the Microsoft Clearinghouse, which it must reach over outbound TCP 443 (HTTPS); {1}' -f $env:COMPUTERNAME, $Offline
    }
    Assert-RdslReturn -Result $Result -Method $Method -Kinds @{ [long]2147749897 = 'clearinghouse_unreachable' } -Context $context
}

function Assert-RdslLicenseServerIdReturn {
    # Checks the result of ActivateServer or ReactivateServer, which take a
    # license server ID: WBEM_E_INVALID_PARAMETER (2147749896 = 0x80041008)
    # says the Clearinghouse did not issue it for this server's product ID
    # $ProductId. $Doing and $Done name the operation in the messages.
    param(
        $Result,
        [Parameter(Mandatory = $true)][string]$Method,
        [Parameter(Mandatory = $true)][string]$Doing,
        [Parameter(Mandatory = $true)][string]$Done,
        [string]$ProductId
    )
    $context = '{0} the license server on {1}' -f $Doing, $env:COMPUTERNAME
    if ([long]$Result.ReturnValue -eq [long]2147749896) {
        $context = 'the license server on {0} was not {1}: the Clearinghouse did not accept the license server ID for product ID {2}; check that it was issued for this server''s product ID' -f $env:COMPUTERNAME, $Done, $ProductId
    }
    Assert-RdslReturn -Result $Result -Method $Method -Kinds @{ [long]2147749896 = 'invalid_code' } -Context $context
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
