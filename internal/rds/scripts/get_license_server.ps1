# operation: get_license_server
# Reads the RD license server (Win32_TSLicenseServer): contact, discovery
# scope, product ID, activation status and license server ID, whether it
# runs on a domain controller and, in a domain, whether it is in the AD
# group "Terminal Server License Servers" (read errors there are reported,
# not fatal: that check needs a domain controller).
param($In)

Assert-RdslLicensingRole
$ls = Get-RdslLicenseServer
$activation = Get-RdslActivation

try {
    $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName IsLSonDC
} catch {
    $r = Get-RdslCimErrorResult -ErrorRecord $_
}
Assert-RdslReturn -Result $r -Method 'IsLSonDC'
$onDC = [bool]$r.OnDC

$cs = Get-RdslComputer
$inGroup = $null
$groupError = ''
if ($cs.PartOfDomain) {
    try {
        # The computer's own domain, as public callers pass one: the
        # documented default for "no domain name" may not cover ''.
        try {
            $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName IsLSinTSLSGroup -Arguments @{ Domain = [string]$cs.Domain }
        } catch {
            $r = Get-RdslCimErrorResult -ErrorRecord $_
        }
        Assert-RdslReturn -Result $r -Method 'IsLSinTSLSGroup'
        $inGroup = [bool]$r.IsMember
    } catch {
        $groupError = [string]$_.Exception.Message
    }
}
$svc = Get-RdslServiceState -Name TermServLicensing

[ordered]@{
    activation_status    = [int]$activation.Status
    license_server_id    = [string]$activation.Id
    product_id           = [string]$ls.ProductId
    contact              = New-RdslContact -Server $ls
    server_role          = [int]$ls.ServerRole
    in_tsls_group        = $inGroup
    tsls_group_error     = $groupError
    on_domain_controller = $onDC
    part_of_domain       = [bool]$cs.PartOfDomain
    domain               = [string]$cs.Domain
    os_version           = [string](Get-RdslOSVersion)
    computer_name        = [string]$cs.Name
    dns_host_name        = [string](Get-RdslDnsName -Computer $cs)
    service_status       = $svc.Status
    database_path        = [string]$ls.DatabasePath
    version              = [string]$ls.Version
}
