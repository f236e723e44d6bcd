# rdslicensing-library sessionhost 1
# Helpers of the session host operations (get_session_host,
# set_session_host_licensing, clear_session_host_licensing): registry reads,
# input checks and Get-RdslSessionHost, the read-back all three return.
#
# Registry values behind the settings (each a fact of docs/design/windows-facts.md):
#   policy (wins):  HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services
#                   LicensingMode (REG_DWORD), LicenseServers (REG_SZ, comma-separated)
#   non-policy:     HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core
#                   LicensingMode (REG_DWORD, 5 = not configured)
#                   HKLM:\SYSTEM\CurrentControlSet\Services\TermService\Parameters\LicenseServers
#                   SpecifiedLicenseServers (REG_MULTI_SZ)

function Get-RdslRegistryEntry {
    # One registry value as @{ Kind; Value }, or $null when the key or the
    # value does not exist. Reads through RegistryKey so that absence is not
    # an error and the value kind is known (policy values of the wrong kind
    # are ignored by Windows).
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$Name)
    $key = Get-Item -LiteralPath $Path -ErrorAction SilentlyContinue
    if ($null -eq $key) { return $null }
    if (@($key.GetValueNames()) -notcontains $Name) { return $null }
    @{
        Kind  = [string]$key.GetValueKind($Name)
        Value = $key.GetValue($Name, $null, 'DoNotExpandEnvironmentNames')
    }
}

function Get-RdslRegistryDword {
    # A REG_DWORD value as [int]; $null when absent or of another kind.
    param([string]$Path, [string]$Name)
    $entry = Get-RdslRegistryEntry -Path $Path -Name $Name
    if ($null -eq $entry -or $entry.Kind -ne 'DWord') { return $null }
    [int]$entry.Value
}

function Get-RdslRegistryString {
    # A REG_SZ value; $null when absent or of another kind.
    param([string]$Path, [string]$Name)
    $entry = Get-RdslRegistryEntry -Path $Path -Name $Name
    if ($null -eq $entry -or ($entry.Kind -ne 'String' -and $entry.Kind -ne 'ExpandString')) { return $null }
    [string]$entry.Value
}

function ConvertTo-RdslStringArray {
    # $null, one value or many as a [string[]] (never $null). The leading
    # comma keeps an empty or one-element array whole on the way out.
    param($Value)
    $list = New-Object System.Collections.Generic.List[string]
    if ($null -ne $Value) {
        foreach ($item in @($Value)) { $list.Add([string]$item) }
    }
    , $list.ToArray()
}

function Split-RdslServerList {
    # The policy LicenseServers REG_SZ as a list: split on commas, trimmed,
    # empty parts dropped (how the session host reads it).
    param([string]$Value)
    $parts = New-Object System.Collections.Generic.List[string]
    if ($Value) {
        foreach ($part in ($Value -split ',')) {
            $name = $part.Trim()
            if ($name) { $parts.Add($name) }
        }
    }
    , $parts.ToArray()
}

function Test-RdslSameServers {
    # Same license servers in the same order (the order is a preference),
    # names compared case-insensitively.
    param([string[]]$A = @(), [string[]]$B = @())
    if (@($A).Count -ne @($B).Count) { return $false }
    for ($i = 0; $i -lt @($A).Count; $i++) {
        if ([string]$A[$i] -ne [string]$B[$i]) { return $false }
    }
    $true
}

function Test-RdslServerName {
    # A host name, FQDN or IP address: the policy value joins names with
    # commas, so a comma or a space inside a name would change the list
    # Windows reads back.
    param([string]$Name)
    $Name.Length -le 255 -and $Name -cmatch '^[A-Za-z0-9._:-]+\z'
}

function Assert-RdslServerNames {
    # License server names must pass Test-RdslServerName, once each.
    param([string[]]$Names = @(), [Parameter(Mandatory = $true)][string]$Field)
    $seen = @{}
    foreach ($name in $Names) {
        if (-not $name) {
            Fail -Kind invalid_input -Message ("{0} holds an empty license server name; name each license server of {1} by host name, FQDN or IP address" -f $Field, $env:COMPUTERNAME)
        }
        if (-not (Test-RdslServerName -Name $name)) {
            Fail -Kind invalid_input -Message ("{0}: `"{1}`" is not a valid license server name for {2}: use a host name, FQDN or IP address (letters, digits, '.', '-', '_' and ':' only, at most 255 characters)" -f $Field, $name, $env:COMPUTERNAME)
        }
        $key = $name.ToLowerInvariant()
        if ($seen.ContainsKey($key)) {
            Fail -Kind invalid_input -Message ("{0}: license server `"{1}`" is listed twice; each server appears once in the list of {2}" -f $Field, $name, $env:COMPUTERNAME)
        }
        $seen[$key] = $true
    }
}

function Assert-RdslSessionHostMethod {
    # The two ways to configure a session host.
    param([string]$Method)
    if (@('group_policy', 'wmi') -cnotcontains $Method) {
        Fail -Kind invalid_input -Message ("method must be `"group_policy`" (local policy values, which win over everything else) or `"wmi`" (Win32_TerminalServiceSetting), not `"{0}`"; nothing was changed on {1}" -f $Method, $env:COMPUTERNAME)
    }
}

function Assert-RdslSessionHostRole {
    # Licensing settings only matter on a session host. A role service that
    # waits for its post-install restart is fine for the policy values:
    # admins configure licensing before that restart. Not for "wmi": ChangeMode
    # 2 and 4 are "Valid for application servers" (learn.microsoft.com,
    # ChangeMode method of the Win32_TerminalServiceSetting class), which the
    # host becomes only with that restart.
    param([string]$Method)
    $state = Get-RdslFeatureState -Name 'RDS-RD-Server'
    if ($state -eq 'Installed') { return }
    if ($state -eq 'InstallPending') {
        if ($Method -cne 'wmi') { return }
        Fail -Kind reboot_pending -Message ("the RD Session Host role service (RDS-RD-Server) on {0} waits for the restart that completes its installation, and method `"wmi`" (ChangeMode) only works on an RD Session Host: restart {0} first, or use method = `"group_policy`"" -f $env:COMPUTERNAME)
    }
    if ($state -eq 'UninstallPending') {
        Fail -Kind reboot_pending -Message ("the RD Session Host role service (RDS-RD-Server) on {0} is being removed and waits for a restart: licensing mode and license servers only matter on a session host" -f $env:COMPUTERNAME)
    }
    Fail -Kind role_missing -Message ("the RD Session Host role service (RDS-RD-Server) is not installed on {0}: licensing mode and license servers only matter on a session host" -f $env:COMPUTERNAME)
}

function Assert-RdslTermService {
    # restart_service restarts TermService: check it can before changing
    # anything, so that a failed restart cannot leave Remote Desktop down.
    $svc = Get-Service -Name TermService -ErrorAction SilentlyContinue
    if ($null -eq $svc) {
        Fail -Kind not_found -Message ("the Remote Desktop Services service (TermService) does not exist on {0}, so restart_service cannot restart it; nothing was changed" -f $env:COMPUTERNAME)
    }
    if ([string]$svc.StartType -eq 'Disabled') {
        Fail -Kind not_supported -Message ("the Remote Desktop Services service (TermService) is disabled on {0}, so restart_service cannot restart it; enable the service or set restart_service = false; nothing was changed" -f $env:COMPUTERNAME)
    }
}

function Restart-RdslTermService {
    # Restarting TermService disconnects every user session on the session
    # host (the guides do net stop / net start TermService); it runs only
    # when the caller asked for it and something changed. -Force also stops
    # the services that depend on it.
    Restart-Service -Name TermService -Force
}

function Get-RdslTSSetting {
    # The single Win32_TerminalServiceSetting instance (present on every
    # Windows Server, with or without the RD Session Host role).
    $all = @(Get-CimInstance -Namespace root/cimv2/TerminalServices -ClassName Win32_TerminalServiceSetting)
    if ($all.Count -eq 0) {
        Fail -Kind wmi_error -Message ("Win32_TerminalServiceSetting has no instance on {0}" -f $env:COMPUTERNAME)
    }
    $all[0]
}

function Assert-RdslNoLicensingPolicy {
    # WMI writes the non-policy values, which Windows ignores while a policy
    # value is set (and refuses to change, WBEM_E_INVALID_OPERATION). Name
    # the policy values in the way and what they hold.
    param([Parameter(Mandatory = $true)]$Setting)
    $modeByPolicy = [int]$Setting.PolicySourceLicensingType -eq 1
    $serversByPolicy = [int]$Setting.PolicySourceConfiguredLicenseServers -eq 1
    if (-not $modeByPolicy -and -not $serversByPolicy) { return }
    $key = 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
    $path = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
    $values = @()
    if ($modeByPolicy) {
        $policyMode = Get-RdslRegistryDword -Path $path -Name 'LicensingMode'
        if ($null -eq $policyMode) { $policyMode = 'unreadable' }
        $values += ('{0}\LicensingMode = {1}' -f $key, $policyMode)
    }
    if ($serversByPolicy) {
        $policyServers = Get-RdslRegistryString -Path $path -Name 'LicenseServers'
        if ($null -eq $policyServers) { $policyServers = 'unreadable' }
        $values += ('{0}\LicenseServers = "{1}"' -f $key, $policyServers)
    }
    if ($modeByPolicy -and $serversByPolicy) {
        $what = 'the licensing mode and the license server list of {0} are' -f $env:COMPUTERNAME
        $tail = 'WMI cannot change them. Remove the policy settings'
    } elseif ($modeByPolicy) {
        $what = 'the licensing mode of {0} is' -f $env:COMPUTERNAME
        $tail = 'WMI cannot change it. Remove the policy setting'
    } else {
        $what = 'the license server list of {0} is' -f $env:COMPUTERNAME
        $tail = 'WMI cannot change it. Remove the policy setting'
    }
    Fail -Kind policy_controlled -Message ('{0} set by Group Policy ({1}); {2}, or use method = "group_policy"' -f $what, ($values -join ', '), $tail)
}

function Get-RdslConnectivity {
    # GetTStoLSConnectivityStatus for one license server: 11 VALID_LS,
    # 4 LOWER_VERSION, 6 NOT_CONNECTABLE, 8 CONNECTABLE_BUT_ACCESS_DENIED, ...
    param([Parameter(Mandatory = $true)]$Setting, [string]$Server)
    try {
        $r = Invoke-CimMethod -InputObject $Setting -MethodName GetTStoLSConnectivityStatus -Arguments @{ ServerName = $Server }
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    Assert-RdslReturn -Result $r -Method 'GetTStoLSConnectivityStatus' -Context ('license server {0}' -f $Server)
    [ordered]@{
        server = $Server
        status = [int]$r.TStoLSConnectivityStatus
    }
}

function Get-RdslPolicyGpo {
    # Which domain GPO set each licensing policy value, as the policy
    # engine's RSoP logging data (root/rsop/computer) records it: the
    # winning (precedence 1) RSOP_RegistryPolicySetting of the value, and
    # the name of its RSOP_GPO. '' for local policy (GPOID LocalGPO), or
    # when RSoP has no record (the read is best effort: it never fails the
    # session host's read).
    $out = @{ LicensingMode = ''; LicenseServers = '' }
    try {
        $settings = @(Get-CimInstance -Namespace 'root/rsop/computer' -ClassName RSOP_RegistryPolicySetting -Filter 'precedence = 1' -ErrorAction Stop |
            Where-Object { [string]$_.registryKey -like '*Software\Policies\Microsoft\Windows NT\Terminal Services' })
        if ($settings.Count -eq 0) { return $out }
        $gpos = @{}
        foreach ($g in @(Get-CimInstance -Namespace 'root/rsop/computer' -ClassName RSOP_GPO -ErrorAction Stop)) { $gpos[[string]$g.id] = [string]$g.name }
        foreach ($setting in $settings) {
            $value = [string]$setting.valueName
            $id = [string]$setting.GPOID
            if ($out.ContainsKey($value) -and $id -ne 'LocalGPO' -and $gpos.ContainsKey($id)) { $out[$value] = $gpos[$id] }
        }
    } catch {
        return @{ LicensingMode = ''; LicenseServers = '' }
    }
    $out
}

function Get-RdslSessionHost {
    # The licensing configuration of this session host: the effective values
    # Win32_TerminalServiceSetting reports, the policy and non-policy
    # registry values behind them, the grace period, and the connectivity
    # to each of CheckServers and, with CheckSpecified, to each server in
    # effect.
    param([string[]]$CheckServers = @(), [switch]$CheckSpecified)
    $ts = Get-RdslTSSetting

    try {
        $list = Invoke-CimMethod -InputObject $ts -MethodName GetSpecifiedLicenseServerList
    } catch {
        $list = Get-RdslCimErrorResult -ErrorRecord $_
    }
    Assert-RdslReturn -Result $list -Method 'GetSpecifiedLicenseServerList'
    $specified = ConvertTo-RdslStringArray $list.SpecifiedLSList
    if ($CheckSpecified) {
        # Windows' own list may hold what no one should write (a hand-typed
        # "ls01;ls02", a name twice): such names stay unchecked rather than
        # failing the read.
        $seen = @{}
        foreach ($name in $CheckServers) { $seen[$name.ToLowerInvariant()] = $true }
        foreach ($name in $specified) {
            if ((Test-RdslServerName -Name $name) -and -not $seen.ContainsKey($name.ToLowerInvariant())) {
                $seen[$name.ToLowerInvariant()] = $true
                $CheckServers += $name
            }
        }
    }

    # GetGracePeriodDays throws where no grace period runs (no RD Session
    # Host role); report why instead of failing the read.
    $graceDays = $null
    $graceError = ''
    try {
        # A code thrown reads as the same code returned; other errors
        # (no such method) are reported by their message.
        try {
            $grace = Invoke-CimMethod -InputObject $ts -MethodName GetGracePeriodDays
        } catch {
            $grace = Get-RdslCimErrorResult -ErrorRecord $_
        }
        if ([long]$grace.ReturnValue -eq 0) {
            $graceDays = [int]$grace.DaysLeft
        } else {
            $graceError = 'returned 0x{0:X8} ({1})' -f [long]$grace.ReturnValue, (Get-RdslWbemName ([long]$grace.ReturnValue))
        }
    } catch {
        $graceError = ([string]$_.Exception.Message).Trim()
    }
    if ($graceError) { $graceError = 'GetGracePeriodDays failed on {0}: {1}' -f $env:COMPUTERNAME, $graceError }

    $connectivity = @(foreach ($server in $CheckServers) { Get-RdslConnectivity -Setting $ts -Server $server })

    $policyPath = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
    $policyMode = Get-RdslRegistryDword -Path $policyPath -Name 'LicensingMode'
    $policyServers = Get-RdslRegistryString -Path $policyPath -Name 'LicenseServers'
    $configMode = Get-RdslRegistryDword -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core' -Name 'LicensingMode'
    $configEntry = Get-RdslRegistryEntry -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\TermService\Parameters\LicenseServers' -Name 'SpecifiedLicenseServers'
    $configServers = ConvertTo-RdslStringArray $null
    if ($null -ne $configEntry -and ($configEntry.Kind -eq 'MultiString' -or $configEntry.Kind -eq 'String')) {
        $configServers = ConvertTo-RdslStringArray $configEntry.Value
    }

    $computer = Get-RdslComputer
    # RSoP only where a domain GPO can have set a policy value.
    $gpo = @{ LicensingMode = ''; LicenseServers = '' }
    if (($null -ne $policyMode -or $null -ne $policyServers) -and $computer.PartOfDomain) { $gpo = Get-RdslPolicyGpo }
    $svcStatus = (Get-RdslServiceState -Name TermService).Status

    [ordered]@{
        rdsh_installed                = [bool]((Get-RdslFeatureState -Name 'RDS-RD-Server') -eq 'Installed')
        terminal_server_mode          = [int]$ts.TerminalServerMode
        licensing_type                = [int]$ts.LicensingType
        licensing_name                = [string]$ts.LicensingName
        policy_source_licensing_type  = [int]$ts.PolicySourceLicensingType
        policy_source_license_servers = [int]$ts.PolicySourceConfiguredLicenseServers
        specified_license_servers     = @($specified)
        policy_licensing_mode         = $policyMode
        policy_license_servers        = $policyServers
        policy_licensing_mode_gpo     = [string]$gpo.LicensingMode
        policy_license_servers_gpo    = [string]$gpo.LicenseServers
        config_licensing_mode         = $configMode
        config_license_servers        = @($configServers)
        grace_period_days             = $graceDays
        grace_period_error            = [string]$graceError
        connectivity                  = @($connectivity)
        part_of_domain                = [bool]$computer.PartOfDomain
        domain                        = [string]$computer.Domain
        os_version                    = [string](Get-RdslOSVersion)
        computer_name                 = [string]$env:COMPUTERNAME
        termservice_status            = [string]$svcStatus
    }
}
