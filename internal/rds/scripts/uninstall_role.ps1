# operation: uninstall_role
# Removes the RD Licensing role service (RDS-Licensing) and, when asked, its
# management tools; with tools_only, only the tools. The licensing database stays on disk, so activation and
# key packs come back with a reinstall (unverified). Says whether Windows
# wants a restart to finish; a second run changes nothing.
param($In)

$names = Get-RdslLicensingFeatureNames -IncludeTools ([bool]$In.include_management_tools) -ToolsOnly ([bool]$In.tools_only)

# Errors are collected, not thrown, so the failure can name every message.
$featureErrors = @()
$r = Uninstall-WindowsFeature -Name $names -ErrorAction SilentlyContinue -ErrorVariable featureErrors
if ($null -eq $r -or -not $r.Success) {
    $exit = 'Failed'
    if ($null -ne $r) { $exit = [string]$r.ExitCode }
    $text = Get-RdslFeatureFailure -Result $r -Errors $featureErrors
    Fail -Kind script_error -Message ('Uninstall-WindowsFeature could not remove {0} from {1} (exit code {2}): {3}' -f ($names -join ', '), $env:COMPUTERNAME, $exit, $text)
}

$exitCode = [string]$r.ExitCode
[ordered]@{
    state          = Get-RdslRoleState
    changed        = [bool]($exitCode -ne 'NoChangeNeeded')
    restart_needed = [bool]([string]$r.RestartNeeded -ne 'No')
    exit_code      = $exitCode
}
