# rdslicensing-library grouppolicy 1
# Helpers of get_gpo_licensing and set_gpo_licensing: the two Remote
# Desktop licensing settings of a domain GPO ("Set the Remote Desktop
# licensing mode", "Use the specified Remote Desktop license servers"),
# under HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services, and
# the GPO's links, through the GroupPolicy module (GPMC).

function Assert-RdslGroupPolicyModule {
    if ($null -eq (Get-Module -ListAvailable -Name GroupPolicy)) {
        Fail -Kind not_supported -Message ('the GroupPolicy module (Group Policy Management, feature GPMC) is not installed on {0}: run this resource on a domain controller or a management server that has it' -f $env:COMPUTERNAME)
    }
    Import-Module -Name GroupPolicy -ErrorAction Stop
    $cs = Get-RdslComputer
    if (-not $cs.PartOfDomain) {
        Fail -Kind invalid_input -Message ('{0} is not in a domain (workgroup {1}): domain Group Policy is managed from a domain member' -f $env:COMPUTERNAME, $cs.Domain)
    }
}

function Get-RdslGpoValue {
    # A licensing value the GPO sets; $null when it does not. Get-GPRegistryValue
    # fails for a setting the GPO does not configure; a value the GPO deletes
    # on clients (PolicyState Delete) configures nothing here either.
    param([Parameter(Mandatory = $true)][string]$Name, [Parameter(Mandatory = $true)][string]$ValueName)
    try {
        $v = Get-GPRegistryValue -Name $Name -Key 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' -ValueName $ValueName -ErrorAction Stop
    } catch {
        if ([string]$_.FullyQualifiedErrorId -like 'UnableToRetrievePolicyRegistryItem*') { return $null }
        throw
    }
    if ([string]$v.PolicyState -ne 'Set') { return $null }
    $v.Value
}

function Get-RdslGpoLinks {
    # The links of GPO Name among those of each target (Get-GPInheritance).
    param([Parameter(Mandatory = $true)][string]$Name, [string[]]$Targets)
    @(foreach ($target in $Targets) {
        $inheritance = Get-GPInheritance -Target $target -ErrorAction Stop
        foreach ($link in @($inheritance.GpoLinks)) {
            if ([string]$link.DisplayName -eq $Name) {
                [ordered]@{ target = $target; enabled = [bool]$link.Enabled; enforced = [bool]$link.Enforced }
            }
        }
    })
}

function Get-RdslGpoLicensing {
    # What both operations return.
    param([Parameter(Mandatory = $true)][string]$Name, [string[]]$Targets, [bool]$Changed = $false, [bool]$Created = $false)
    $cs = Get-RdslComputer
    $gpo = Get-GPO -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $gpo) {
        return [ordered]@{ exists = $false; id = ''; licensing_mode = $null; license_servers = $null; links = @(); domain = [string]$cs.Domain; changed = $Changed; created = $Created }
    }
    $mode = Get-RdslGpoValue -Name $Name -ValueName 'LicensingMode'
    if ($null -ne $mode) { $mode = [int]$mode }
    $servers = Get-RdslGpoValue -Name $Name -ValueName 'LicenseServers'
    if ($null -ne $servers) { $servers = [string]$servers }
    [ordered]@{
        exists          = $true
        id              = [string]$gpo.Id
        licensing_mode  = $mode
        license_servers = $servers
        links           = @(Get-RdslGpoLinks -Name $Name -Targets $Targets)
        domain          = [string]$cs.Domain
        changed         = $Changed
        created         = $Created
    }
}
