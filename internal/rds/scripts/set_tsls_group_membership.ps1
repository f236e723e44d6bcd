# operation: set_tsls_group_membership
# Adds the license server to the Active Directory group "Terminal Server
# License Servers" of its domain, or removes it (AddLStoTSLSGroup /
# RemoveLSfromTSLSGroup; the caller must be a Domain Admin). Without it,
# per-user CAL tracking and reporting do not work. Domain members and
# domain controllers only; an equal membership is left as it is.
param($In)

function Test-GroupMember {
    # The computer's own domain, as public callers pass one: the documented
    # default for "no domain name" may not cover ''.
    param([Parameter(Mandatory = $true)][string]$Domain)
    try {
        $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName IsLSinTSLSGroup -Arguments @{ Domain = $Domain }
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    Assert-RdslReturn -Result $r -Method 'IsLSinTSLSGroup' -Context ('reading the membership of the license server on {0} in the group "Terminal Server License Servers"' -f $env:COMPUTERNAME)
    [bool]$r.IsMember
}

function Get-ChangeContext {
    # What the change was, and for WBEM_E_ACCESS_DENIED (2147749891 =
    # 0x80041003) the right it needs.
    param($Result, [string]$Text, [string]$Domain)
    if ([long]$Result.ReturnValue -eq [long]2147749891) {
        return ('{0} needs an account that is a Domain Admin of {1}' -f $Text, $Domain)
    }
    $Text
}

$member = [bool]$In.member

Assert-RdslLicensingRole
$cs = Get-RdslComputer
if (-not $cs.PartOfDomain) {
    Fail -Kind invalid_input -Message ('the license server on {0} is not in a domain (workgroup {1}): the Active Directory group "Terminal Server License Servers" exists only in a domain' -f $env:COMPUTERNAME, $cs.Domain)
}

if ((Test-GroupMember -Domain $cs.Domain) -eq $member) {
    return [ordered]@{
        member  = $member
        changed = $false
    }
}

if ($member) {
    try {
        $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName AddLStoTSLSGroup
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    $context = Get-ChangeContext -Result $r -Text ('adding the license server {0} to the group "Terminal Server License Servers" of {1}' -f $env:COMPUTERNAME, $cs.Domain) -Domain $cs.Domain
    Assert-RdslReturn -Result $r -Method 'AddLStoTSLSGroup' -Kinds @{ [long]2147749891 = 'access_denied' } -Context $context
} else {
    try {
        $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName RemoveLSfromTSLSGroup
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }
    $context = Get-ChangeContext -Result $r -Text ('removing the license server {0} from the group "Terminal Server License Servers" of {1}' -f $env:COMPUTERNAME, $cs.Domain) -Domain $cs.Domain
    Assert-RdslReturn -Result $r -Method 'RemoveLSfromTSLSGroup' -Kinds @{ [long]2147749891 = 'access_denied' } -Context $context
}

[ordered]@{
    member  = [bool](Test-GroupMember -Domain $cs.Domain)
    changed = $true
}
