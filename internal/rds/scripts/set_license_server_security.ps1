# operation: set_license_server_security
# Sets the license server's "License server security group" policy value
# (1 or 0; null removes it: not configured), adds accounts to its local
# group RDS Endpoint Servers and removes members, as the provider decided
# (internal/endpointservers). Every account to add is looked up before
# anything changes; members already there (or already gone) are left, so
# that running it again changes nothing. TermServLicensing reads both when it starts, so a
# change is followed by its restart when asked (a few seconds in which no
# CAL is issued). Returns what get_license_server_security reads.
param($In)

$policy = $In.policy
$add = ConvertTo-RdslStringArray $In.add
$remove = ConvertTo-RdslStringArray $In.remove
$restart = [bool]$In.restart_service

# Pre-checks: nothing is changed unless all pass.
Assert-RdslLicensingRole
if ($null -ne $policy -and (($policy -isnot [int] -and $policy -isnot [long]) -or ($policy -ne 0 -and $policy -ne 1))) {
    Fail -Kind invalid_input -Message ('policy must be 1 (on), 0 (off) or null (not configured) on {0}, not {1}' -f $env:COMPUTERNAME, $policy)
}
$cs = Get-RdslComputer
if ($add.Count -gt 0 -and -not $cs.PartOfDomain) {
    Fail -Kind invalid_input -Message ('the license server on {0} is not in a domain (workgroup {1}): only domain computer accounts can be added to RDS Endpoint Servers' -f $env:COMPUTERNAME, $cs.Domain)
}
$sids = @{}
foreach ($name in $add) {
    try {
        $sids[$name] = ([System.Security.Principal.NTAccount]$name).Translate([System.Security.Principal.SecurityIdentifier]).Value
    } catch {
        Fail -Kind not_found -Message ('no account {0} is known to {1} (its domain and the domains it trusts): check the session host''s name, or that its computer account exists; nothing was changed' -f $name, $env:COMPUTERNAME)
    }
}
if ($restart) {
    $svc = Get-RdslServiceState -Name 'TermServLicensing'
    if ($svc.StartType -eq 'Disabled') {
        Fail -Kind not_supported -Message ('the Remote Desktop Licensing service (TermServLicensing) is disabled on {0}, so restart_service cannot restart it; enable the service or set restart_service = false; nothing was changed' -f $env:COMPUTERNAME)
    }
}

$changed = $false
$path = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
$current = Get-RdslRegistryEntry -Path $path -Name 'fSecureLicensing'
if ($null -eq $policy) {
    if ($null -ne $current) {
        Remove-ItemProperty -LiteralPath $path -Name 'fSecureLicensing'
        $changed = $true
    }
} elseif ($null -eq $current -or $current.Kind -ne 'DWord' -or [int]$current.Value -ne [int]$policy) {
    if (-not (Test-Path -LiteralPath $path)) {
        # Only when missing: New-Item -Force on an existing key empties it.
        New-Item -Path $path -Force | Out-Null
    }
    New-ItemProperty -LiteralPath $path -Name 'fSecureLicensing' -PropertyType DWord -Value ([int]$policy) -Force | Out-Null
    $changed = $true
}
# Only what the group lacks is added, and only what it holds removed: the
# same input run again (after a lost answer) changes nothing.
$current = @(Get-LocalGroupMember -SID 'S-1-5-32-576' -ErrorAction Stop)
foreach ($name in $add) {
    if (@($current | Where-Object { [string]$_.SID -eq $sids[$name] }).Count -gt 0) { continue }
    # By SID: the lookup above already found the account.
    Add-LocalGroupMember -SID 'S-1-5-32-576' -Member $sids[$name] -ErrorAction Stop
    $changed = $true
}
foreach ($name in $remove) {
    if (@($current | Where-Object { [string]$_.Name -eq $name }).Count -eq 0) { continue }
    Remove-LocalGroupMember -SID 'S-1-5-32-576' -Member $name -ErrorAction Stop
    $changed = $true
}
$restarted = $false
if ($changed -and $restart) {
    Restart-Service -Name 'TermServLicensing' -Force
    $restarted = $true
}
Get-RdslLicenseServerSecurity -Changed $changed -Restarted $restarted
