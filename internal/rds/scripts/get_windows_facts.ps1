# operation: get_windows_facts
# What this Windows release shows of the things the provider relies on, as
# raw values keyed by the probe keys of the facts catalog: the release, the
# role features and services, the licensing WMI classes and the parameters
# of their methods (how a real server confirms the method signatures the
# reference could not), Win32_TerminalServiceSetting, the licensing
# registry values, and the key packs. Only reads. For the conformance probe
# (cmd/winsim probe): no code, no license server ID, no product ID and no
# name is observed; the domain alone is, and the probe's transcript
# replaces it.
param($In)

$obs = @{}
function Add-Fact {
    # Every observation is a string; booleans as true/false, as in Go.
    param([Parameter(Mandatory = $true)][string]$Key, $Value)
    if ($Value -is [bool]) { $Value = ([string]$Value).ToLowerInvariant() }
    $obs[$Key] = [string]$Value
}

function Format-RdslNames {
    # Names as the catalog writes them: comma-separated, or 'none'.
    param([string[]]$Names)
    if ($Names.Count -eq 0) { return 'none' }
    return ($Names -join ', ')
}

function Add-ClassFacts {
    # A WMI class's namespace, each property's access and each method's
    # calling convention and parameters, keyed as the catalog's probe keys
    # (wmi_class.C, wmi_property.C.P, wmi_method.C.M). The values take the
    # catalog's form: 'read-only' or 'read/write';
    # 'static(in: A, B; out: C)' or 'instance(in: none; out: none)'.
    # Parameters in Get-CimClass's order: the probe compares them as sets.
    # Nothing when the class is absent.
    param([string]$Namespace, [string]$Name, $Class)
    if ($null -eq $Class) { return }
    Add-Fact -Key ('wmi_class.{0}' -f $Name) -Value $Namespace
    foreach ($property in @($Class.CimClassProperties)) {
        $qualifiers = @($property.Qualifiers | ForEach-Object { [string]$_.Name })
        $access = 'read-only'
        if ($qualifiers -contains 'write') { $access = 'read/write' }
        Add-Fact -Key ('wmi_property.{0}.{1}' -f $Name, $property.Name) -Value $access
    }
    foreach ($method in @($Class.CimClassMethods)) {
        $inParams = @(); $outParams = @()
        foreach ($p in @($method.Parameters)) {
            $qualifiers = @($p.Qualifiers | ForEach-Object { [string]$_.Name })
            if ($qualifiers -contains 'In') { $inParams += [string]$p.Name }
            if ($qualifiers -contains 'Out') { $outParams += [string]$p.Name }
        }
        $kind = 'instance'
        if (@($method.Qualifiers | ForEach-Object { [string]$_.Name }) -contains 'static') { $kind = 'static' }
        $signature = '{0}(in: {1}; out: {2})' -f $kind, (Format-RdslNames -Names $inParams), (Format-RdslNames -Names $outParams)
        Add-Fact -Key ('wmi_method.{0}.{1}' -f $Name, $method.Name) -Value $signature
    }
}

Add-Fact -Key 'probe.format' -Value '1'

$os = Get-CimInstance -Namespace root/cimv2 -ClassName Win32_OperatingSystem
Add-Fact -Key 'os.caption' -Value $os.Caption
Add-Fact -Key 'os.build' -Value $os.Version
Add-Fact -Key 'os.release' -Value (Get-RdslOSVersion -Build ([string]$os.BuildNumber))
$cs = Get-RdslComputer
Add-Fact -Key 'computer.part_of_domain' -Value ([bool]$cs.PartOfDomain)
Add-Fact -Key 'computer.domain_role' -Value ([int]$cs.DomainRole)
Add-Fact -Key 'computer.domain' -Value $cs.Domain

# Features and services by name: a name Windows does not know is absent.
$all = @(Get-WindowsFeature)
foreach ($feature in @('RDS-Licensing', 'RDS-Licensing-UI', 'RSAT-RDS-Licensing-Diagnosis-UI', 'RDS-RD-Server', 'RSAT-RDS-Tools')) {
    $f = $all | Where-Object { $_.Name -eq $feature } | Select-Object -First 1
    if ($null -ne $f) { Add-Fact -Key ('feature.{0}' -f $feature) -Value $f.InstallState }
}
foreach ($service in @('TermServLicensing', 'TermService')) {
    $svc = Get-RdslServiceState -Name $service
    if ($svc.Status) {
        Add-Fact -Key ('service.{0}.status' -f $service) -Value $svc.Status
        Add-Fact -Key ('service.{0}.start_type' -f $service) -Value $svc.StartType
    }
}
$licensingRole = (Get-RdslFeatureState -Name 'RDS-Licensing') -eq 'Installed'
$sessionHostRole = (Get-RdslFeatureState -Name 'RDS-RD-Server') -eq 'Installed'
if ($licensingRole) {
    # Which service the role runs, so that the name itself is checked.
    Add-Fact -Key 'role.licensing.service' -Value ([string](Get-Service -Name TermServLicensing -ErrorAction SilentlyContinue).Name)
}

# One literal call per class: the contract tests check each name.
Add-ClassFacts -Namespace 'root/cimv2' -Name 'Win32_TSLicenseServer' -Class (Get-CimClass -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -ErrorAction SilentlyContinue)
Add-ClassFacts -Namespace 'root/cimv2' -Name 'Win32_TSLicenseKeyPack' -Class (Get-CimClass -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack -ErrorAction SilentlyContinue)
Add-ClassFacts -Namespace 'root/cimv2' -Name 'Win32_TSIssuedLicense' -Class (Get-CimClass -Namespace root/cimv2 -ClassName Win32_TSIssuedLicense -ErrorAction SilentlyContinue)
Add-ClassFacts -Namespace 'root/cimv2' -Name 'Win32_TSLicenseReport' -Class (Get-CimClass -Namespace root/cimv2 -ClassName Win32_TSLicenseReport -ErrorAction SilentlyContinue)
Add-ClassFacts -Namespace 'root/cimv2/TerminalServices' -Name 'Win32_TerminalServiceSetting' -Class (Get-CimClass -Namespace root/cimv2/TerminalServices -ClassName Win32_TerminalServiceSetting -ErrorAction SilentlyContinue)

$ts = Get-RdslTSSetting
Add-Fact -Key 'ts.TerminalServerMode' -Value ([int]$ts.TerminalServerMode)
Add-Fact -Key 'ts.LicensingType' -Value ([int]$ts.LicensingType)
Add-Fact -Key 'ts.LicensingName' -Value $ts.LicensingName
Add-Fact -Key 'ts.PolicySourceLicensingType' -Value ([int]$ts.PolicySourceLicensingType)
Add-Fact -Key 'ts.PolicySourceConfiguredLicenseServers' -Value ([int]$ts.PolicySourceConfiguredLicenseServers)
Add-Fact -Key ('ts.licensing_name[{0}]' -f [int]$ts.LicensingType) -Value $ts.LicensingName

$policyPath = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
$policyMode = Get-RdslRegistryDword -Path $policyPath -Name 'LicensingMode'
$policyServers = Get-RdslRegistryString -Path $policyPath -Name 'LicenseServers'
$configMode = Get-RdslRegistryDword -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core' -Name 'LicensingMode'
$configEntry = Get-RdslRegistryEntry -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\TermService\Parameters\LicenseServers' -Name 'SpecifiedLicenseServers'
if ($null -ne $policyMode) { Add-Fact -Key 'reg.policy.LicensingMode' -Value $policyMode }
# Server lists only by their length: they hold names.
if ($null -ne $policyServers) {
    # Both helpers return their array whole (a leading comma): assigned, it
    # is the list itself, not a list of one list.
    $names = Split-RdslServerList $policyServers
    Add-Fact -Key 'reg.policy.LicenseServers.count' -Value $names.Length
}
if ($null -ne $configMode) { Add-Fact -Key 'reg.rcm.LicensingMode' -Value $configMode }
if ($null -ne $configEntry) {
    Add-Fact -Key 'reg.config.SpecifiedLicenseServers.kind' -Value $configEntry.Kind
    $names = ConvertTo-RdslStringArray $configEntry.Value
    Add-Fact -Key 'reg.config.SpecifiedLicenseServers.count' -Value $names.Length
}
if (-not $sessionHostRole -and $null -eq $policyMode) {
    # What a server without the RD Session Host role shows, whatever the
    # registry holds.
    Add-Fact -Key 'ts.without_rdsh.TerminalServerMode' -Value ([int]$ts.TerminalServerMode)
    Add-Fact -Key 'ts.without_rdsh.LicensingType' -Value ([int]$ts.LicensingType)
}

if (Test-RdslLicensingWmi) {
    try {
        $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName GetActivationStatus
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    Assert-RdslReturn -Result $r -Method 'GetActivationStatus'
    Add-Fact -Key 'ls.activation_status' -Value ([int]$r.ActivationStatus)
    $ls = Get-RdslLicenseServer
    Add-Fact -Key 'ls.ServerRole' -Value ([int]$ls.ServerRole)
    $packs = @(Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack | Sort-Object -Property KeyPackId)
    $builtIn = $false
    foreach ($pack in $packs) {
        $id = [long]$pack.KeyPackId
        Add-Fact -Key ('keypack.{0}.Description' -f $id) -Value $pack.Description
        Add-Fact -Key ('keypack.{0}.KeyPackType' -f $id) -Value ([int]$pack.KeyPackType)
        Add-Fact -Key ('keypack.{0}.ProductType' -f $id) -Value ([int]$pack.ProductType)
        Add-Fact -Key ('keypack.{0}.ProductVersion' -f $id) -Value $pack.ProductVersion
        Add-Fact -Key ('keypack.{0}.ProductVersionID' -f $id) -Value ([int]$pack.ProductVersionID)
        Add-Fact -Key ('keypack.{0}.TypeAndModel' -f $id) -Value $pack.TypeAndModel
        Add-Fact -Key ('keypack.{0}.TotalLicenses' -f $id) -Value ([long]$pack.TotalLicenses)
        Add-Fact -Key ('keypack.{0}.IssuedLicenses' -f $id) -Value ([long]$pack.IssuedLicenses)
        if (Test-RdslBuiltInKeyPack -Pack $pack) {
            if (-not $builtIn) {
                $builtIn = $true
                Add-Fact -Key 'keypack.builtin.KeyPackId' -Value $id
                Add-Fact -Key 'keypack.builtin.Description' -Value $pack.Description
                Add-Fact -Key 'keypack.builtin.KeyPackType' -Value ([int]$pack.KeyPackType)
                Add-Fact -Key 'keypack.builtin.ProductType' -Value ([int]$pack.ProductType)
                Add-Fact -Key 'keypack.builtin.ProductVersion' -Value $pack.ProductVersion
                Add-Fact -Key 'keypack.builtin.ProductVersionID' -Value ([int]$pack.ProductVersionID)
                Add-Fact -Key 'keypack.builtin.TotalLicenses' -Value ([long]$pack.TotalLicenses)
                Add-Fact -Key 'keypack.builtin.TypeAndModel' -Value $pack.TypeAndModel
            }
        } else {
            # Which ProductVersionID a release's CALs carry (unverified for 2022 and 2025).
            Add-Fact -Key ('keypack.version_id[{0}]' -f $pack.ProductVersion) -Value ([int]$pack.ProductVersionID)
        }
    }
}

[ordered]@{
    observations = $obs
}
