# operation: clear_session_host_licensing
# Returns an RD Session Host's licensing to "not configured": method
# "group_policy" removes the two local policy values (the key stays);
# method "wmi" sets the non-policy mode back to 5 and empties the license
# server list (refused while a policy value is set). Idempotent; works
# without the RD Session Host role so that a removed host can be cleaned
# up. Restarts TermService on request when something changed, and returns
# the session host as get_session_host reads it.
param($In)

$method = [string]$In.method
$restart = [bool]$In.restart_service

# Pre-checks: nothing is changed unless all pass.
Assert-RdslSessionHostMethod -Method $method
if ($restart) { Assert-RdslTermService }

$changed = $false
if ($method -ceq 'group_policy') {
    $path = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
    foreach ($name in @('LicensingMode', 'LicenseServers')) {
        if ($null -ne (Get-RdslRegistryEntry -Path $path -Name $name)) {
            Remove-ItemProperty -LiteralPath $path -Name $name
            $changed = $true
        }
    }
} else {
    $ts = Get-RdslTSSetting
    Assert-RdslNoLicensingPolicy -Setting $ts
    # ChangeMode takes 0, 1, 2 and 4 only, so "not configured" goes straight
    # into the value ChangeMode writes. That 5 means not configured there (as
    # it does for LicensingType) is UNVERIFIED. Without the RD Session Host
    # role (TerminalServerMode 0) LicensingType shows 1, Remote Desktop for
    # Administration, whatever is configured (a real Get-CimInstance dump):
    # only the registry value tells then.
    $corePath = 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core'
    $core = Get-RdslRegistryEntry -Path $corePath -Name 'LicensingMode'
    $appServer = [int]$ts.TerminalServerMode -eq 1
    if (($appServer -and [int]$ts.LicensingType -ne 5) -or ($null -ne $core -and ($core.Kind -ne 'DWord' -or [int]$core.Value -ne 5))) {
        if (-not (Test-Path -LiteralPath $corePath)) {
            # Only when missing: New-Item -Force on an existing key empties it.
            New-Item -Path $corePath -Force | Out-Null
        }
        New-ItemProperty -LiteralPath $corePath -Name 'LicensingMode' -PropertyType DWord -Value 5 -Force | Out-Null
        $changed = $true
    }
    try {
        $list = Invoke-CimMethod -InputObject $ts -MethodName GetSpecifiedLicenseServerList
    } catch {
        $list = Get-RdslCimErrorResult -ErrorRecord $_
    }
    Assert-RdslReturn -Result $list -Method 'GetSpecifiedLicenseServerList'
    $current = ConvertTo-RdslStringArray $list.SpecifiedLSList
    if ($current.Count -gt 0) {
        # 0x80041016 (WBEM_E_INVALID_OPERATION): a policy controls the list.
        # The L suffix keeps the literal positive in Windows PowerShell.
        try {
            $r = Invoke-CimMethod -InputObject $ts -MethodName EmptySpecifiedLicenseServerList
        } catch {
            $r = Get-RdslCimErrorResult -ErrorRecord $_
        }
        Assert-RdslReturn -Result $r -Method 'EmptySpecifiedLicenseServerList' -Kinds @{ [long]0x80041016L = 'policy_controlled' }
        $changed = $true
    }
}

# The session host reads its licensing settings when TermService starts.
if ($restart -and $changed) { Restart-RdslTermService }

Get-RdslSessionHost
