# operation: set_session_host_licensing
# Sets the licensing mode (2 per device, 4 per user) and the ordered license
# server list of an RD Session Host, as the local policy values gpedit writes
# (method "group_policy": they win over every other setting) or through
# Win32_TerminalServiceSetting (method "wmi": refused while a policy value is
# set, since Windows would ignore it). Writes only what differs, restarts
# TermService on request so the change takes effect, and returns the session
# host as get_session_host reads it.
param($In)

$method = [string]$In.method
$mode = $In.licensing_mode
$servers = ConvertTo-RdslStringArray $In.license_servers
$restart = [bool]$In.restart_service

# Pre-checks: nothing is changed unless all pass.
Assert-RdslSessionHostRole -Method $method
Assert-RdslSessionHostMethod -Method $method
if (($mode -isnot [int] -and $mode -isnot [long]) -or ($mode -ne 2 -and $mode -ne 4)) {
    Fail -Kind invalid_input -Message ("licensing_mode must be 2 (per device) or 4 (per user) on {0}, not {1}; to return to not configured (5), use clear_session_host_licensing" -f $env:COMPUTERNAME, $mode)
}
Assert-RdslServerNames -Names $servers -Field 'license_servers'
if ($restart) { Assert-RdslTermService }

$changed = $false
if ($method -ceq 'group_policy') {
    # "Set the Remote Desktop licensing mode" and "Use the specified Remote
    # Desktop license servers" of the local policy.
    $path = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
    if (-not (Test-Path -LiteralPath $path)) {
        # Only when missing: New-Item -Force on an existing key empties it.
        New-Item -Path $path -Force | Out-Null
    }
    $currentMode = Get-RdslRegistryDword -Path $path -Name 'LicensingMode'
    if ($null -eq $currentMode -or $currentMode -ne [int]$mode) {
        New-ItemProperty -LiteralPath $path -Name 'LicensingMode' -PropertyType DWord -Value ([int]$mode) -Force | Out-Null
        $changed = $true
    }
    $currentEntry = Get-RdslRegistryEntry -Path $path -Name 'LicenseServers'
    if ($servers.Count -eq 0) {
        # No list: the policy is not configured, so the value goes.
        if ($null -ne $currentEntry) {
            Remove-ItemProperty -LiteralPath $path -Name 'LicenseServers'
            $changed = $true
        }
    } else {
        $same = $false
        if ($null -ne $currentEntry -and $currentEntry.Kind -eq 'String') {
            $same = Test-RdslSameServers -A (Split-RdslServerList ([string]$currentEntry.Value)) -B $servers
        }
        if (-not $same) {
            New-ItemProperty -LiteralPath $path -Name 'LicenseServers' -PropertyType String -Value ($servers -join ',') -Force | Out-Null
            $changed = $true
        }
    }
} else {
    $ts = Get-RdslTSSetting
    Assert-RdslNoLicensingPolicy -Setting $ts
    # WBEM_E_INVALID_OPERATION (0x80041016) is what Windows returns when a
    # policy controls the setting. The L suffix matters: Windows PowerShell
    # reads 0x80041016 without it as a negative Int32.
    if ([int]$ts.LicensingType -ne [int]$mode) {
        try {
            $r = Invoke-CimMethod -InputObject $ts -MethodName ChangeMode -Arguments @{ LicensingType = [uint32]$mode }
        } catch {
            $r = Get-RdslCimErrorResult -ErrorRecord $_
        }
        Assert-RdslReturn -Result $r -Method 'ChangeMode' -Kinds @{ [long]0x80041016L = 'policy_controlled' }
        $changed = $true
    }
    try {
        $list = Invoke-CimMethod -InputObject $ts -MethodName GetSpecifiedLicenseServerList
    } catch {
        $list = Get-RdslCimErrorResult -ErrorRecord $_
    }
    Assert-RdslReturn -Result $list -Method 'GetSpecifiedLicenseServerList'
    $current = ConvertTo-RdslStringArray $list.SpecifiedLSList
    if (-not (Test-RdslSameServers -A $current -B $servers)) {
        if ($servers.Count -eq 0) {
            try {
                $r = Invoke-CimMethod -InputObject $ts -MethodName EmptySpecifiedLicenseServerList
            } catch {
                $r = Get-RdslCimErrorResult -ErrorRecord $_
            }
            Assert-RdslReturn -Result $r -Method 'EmptySpecifiedLicenseServerList' -Kinds @{ [long]0x80041016L = 'policy_controlled' }
        } else {
            try {
                $r = Invoke-CimMethod -InputObject $ts -MethodName SetSpecifiedLicenseServerList -Arguments @{ SpecifiedLSList = [string[]]$servers }
            } catch {
                $r = Get-RdslCimErrorResult -ErrorRecord $_
            }
            Assert-RdslReturn -Result $r -Method 'SetSpecifiedLicenseServerList' -Kinds @{ [long]0x80041016L = 'policy_controlled' }
        }
        $changed = $true
    }
}

# The session host reads its licensing settings when TermService starts.
if ($restart -and $changed) { Restart-RdslTermService }

Get-RdslSessionHost -CheckServers $servers
