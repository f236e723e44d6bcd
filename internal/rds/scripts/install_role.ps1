# operation: install_role
# Installs the RD Licensing role service (RDS-Licensing) and, when asked, its
# management tools (named one by one). When Windows needs no restart, it
# makes sure TermServLicensing is automatic and running and waits for the
# licensing WMI provider, so the next operation can use it; when Windows
# wants a restart, it returns at once and says so. A second run changes
# nothing (Install-WindowsFeature answers NoChangeNeeded).
param($In)

$wait = [long]$In.wait_seconds
if ($wait -lt 0 -or $wait -gt 3600) {
    Fail -Kind invalid_input -Message ('cannot install RD Licensing on {0}: wait_seconds must be between 0 and 3600, not {1}' -f $env:COMPUTERNAME, $wait)
}
$names = Get-RdslLicensingFeatureNames -IncludeTools ([bool]$In.include_management_tools)

# Errors are collected, not thrown, so the result object is kept and the
# failure can name every message Windows gave.
$featureErrors = @()
$r = Install-WindowsFeature -Name $names -ErrorAction SilentlyContinue -ErrorVariable featureErrors
if ($null -eq $r -or -not $r.Success) {
    $exit = 'Failed'
    if ($null -ne $r) { $exit = [string]$r.ExitCode }
    $text = Get-RdslFeatureFailure -Result $r -Errors $featureErrors
    $removed = @($names | Where-Object { (Get-RdslFeatureState -Name $_) -eq 'Removed' })
    if ($removed.Count -gt 0) {
        $text += ('; in state Removed (their installation files are not on this server, as on Server Core or after Uninstall-WindowsFeature -Remove): {0}; restore the files (Install-WindowsFeature -Source) or leave the management tools out (include_management_tools = false)' -f ($removed -join ', '))
    }
    Fail -Kind script_error -Message ('Install-WindowsFeature could not install {0} on {1} (exit code {2}): {3}' -f ($names -join ', '), $env:COMPUTERNAME, $exit, $text)
}

$exitCode = [string]$r.ExitCode
$changed = $exitCode -ne 'NoChangeNeeded'
# 'Maybe' counts as a restart: the provider must not wait for a provider
# that may only come after one.
$restart = [string]$r.RestartNeeded -ne 'No'
if (-not $restart) {
    $svc = Get-Service -Name TermServLicensing -ErrorAction SilentlyContinue
    if ($null -ne $svc) {
        if ([string]$svc.StartType -ne 'Automatic') {
            Set-Service -Name TermServLicensing -StartupType Automatic
            $changed = $true
        }
        if ([string]$svc.Status -ne 'Running') {
            Start-Service -Name TermServLicensing
            $changed = $true
        }
    }
    $deadline = (Get-Date).AddSeconds($wait)
    while (-not (Test-RdslLicensingWmi)) {
        if ((Get-Date) -ge $deadline) {
            Fail -Kind reboot_pending -Message ('the RD Licensing role service (RDS-Licensing) was installed on {0} but its WMI provider (Win32_TSLicenseServer) did not appear within {1} seconds; restart the server (restart = true)' -f $env:COMPUTERNAME, $wait)
        }
        Start-Sleep -Seconds 2
    }
}

[ordered]@{
    state          = Get-RdslRoleState
    changed        = [bool]$changed
    restart_needed = [bool]$restart
    exit_code      = $exitCode
}
