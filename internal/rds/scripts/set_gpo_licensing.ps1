# operation: set_gpo_licensing
# Sets the two Remote Desktop licensing settings of a domain GPO
# (Set-GPRegistryValue; null takes a setting out of the GPO with
# Remove-GPRegistryValue), links it to OUs and unlinks it as the provider
# decided, creating the GPO first when asked and deleting it last when
# asked. Every target is read before anything changes; only what differs is
# written, so the same input run again changes nothing. Clients apply the
# GPO at their next policy refresh.
param($In)

$name = [string]$In.name
$mode = $In.licensing_mode
$servers = $In.license_servers
$link = ConvertTo-RdslStringArray $In.link
$unlink = ConvertTo-RdslStringArray $In.unlink
$targets = ConvertTo-RdslStringArray $In.targets

Assert-RdslGroupPolicyModule
if ($name -eq '') { Fail -Kind invalid_input -Message 'the GPO name is empty' }
if ($null -ne $mode -and (($mode -isnot [int] -and $mode -isnot [long]) -or ($mode -ne 2 -and $mode -ne 4))) {
    Fail -Kind invalid_input -Message ('licensing_mode must be 2 (per device) or 4 (per user), not {0}' -f $mode)
}
# Every target must exist before anything changes.
$links = @{}
foreach ($target in @($link + $unlink)) {
    try {
        $links[$target] = @((Get-GPInheritance -Target $target -ErrorAction Stop).GpoLinks | Where-Object { [string]$_.DisplayName -eq $name }).Count -gt 0
    } catch {
        Fail -Kind not_found -Message ('cannot read the Group Policy links of {0} in the domain of {1}: {2}; nothing was changed' -f $target, $env:COMPUTERNAME, $_.Exception.Message)
    }
}

$changed = $false
$created = $false
$gpo = Get-GPO -Name $name -ErrorAction SilentlyContinue
if ($null -eq $gpo) {
    if ($In.delete) { return Get-RdslGpoLicensing -Name $name -Targets $targets }
    if (-not $In.create) {
        Fail -Kind not_found -Message ('no GPO named {0} exists in the domain of {1}: create it in Group Policy Management, or set create_gpo = true' -f $name, $env:COMPUTERNAME)
    }
    $null = New-GPO -Name $name -ErrorAction Stop
    $changed, $created = $true, $true
}
$key = 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
foreach ($setting in @(@{ Name = 'LicensingMode'; Want = $mode; Type = 'DWord' }, @{ Name = 'LicenseServers'; Want = $servers; Type = 'String' })) {
    $current = Get-RdslGpoValue -Name $name -ValueName $setting.Name
    if ($null -eq $setting.Want) {
        if ($null -ne $current) {
            $null = Remove-GPRegistryValue -Name $name -Key $key -ValueName $setting.Name -ErrorAction Stop
            $changed = $true
        }
        continue
    }
    $want = if ($setting.Type -eq 'DWord') { [int]$setting.Want } else { [string]$setting.Want }
    if ($null -eq $current -or [string]$current -cne [string]$want) {
        $null = Set-GPRegistryValue -Name $name -Key $key -ValueName $setting.Name -Type $setting.Type -Value $want -ErrorAction Stop
        $changed = $true
    }
}
foreach ($target in $link) {
    if (-not $links[$target]) {
        $null = New-GPLink -Name $name -Target $target -ErrorAction Stop
        $changed = $true
    }
}
foreach ($target in $unlink) {
    if ($links[$target]) {
        $null = Remove-GPLink -Name $name -Target $target -ErrorAction Stop
        $changed = $true
    }
}
if ($In.delete) {
    Remove-GPO -Name $name -ErrorAction Stop
    $changed = $true
}
Get-RdslGpoLicensing -Name $name -Targets $targets -Changed $changed -Created $created
