# operation: install_key_pack
# Installs CALs on this license server with one of the Win32_TSLicenseKeyPack
# install methods (retail code, Open License, volume agreement, or a license
# key pack ID obtained offline) and returns the new pack. Not idempotent:
# every install adds a pack, so the provider looks before it installs.
# It first checks what Windows would refuse (input formats, activation, CAL
# version, per-user CALs in a workgroup), so that a refusal explains itself.
# Then, under the key pack journal's lock, it records the request before the
# install method runs and its outcome right after, so that the provider can
# tell what an install whose answer was lost did; one request ID installs at
# most once (docs/design/key-pack-journal.md).
# Codes and numbers from $In are secrets: they go to the WMI call only.
param($In)

function Assert-CodeFormat {
    # Fails unless $Value is $Length (to $MaxLength) ASCII letters and digits
    # (or digits). The message gives the length only, never the value.
    param([string]$Name, [string]$Value, [int]$Length, [int]$MaxLength = 0, [switch]$DigitsOnly)
    if ($MaxLength -lt $Length) { $MaxLength = $Length }
    $what = 'letters and digits'
    $pattern = '^[A-Za-z0-9]+\z'
    if ($DigitsOnly) {
        $what = 'digits'
        $pattern = '^[0-9]+\z'
    }
    $size = [string]$Length
    if ($MaxLength -gt $Length) { $size = '{0} to {1}' -f $Length, $MaxLength }
    $rule = '{0} must be {1} {2} without hyphens or spaces' -f $Name, $size, $what
    if ($Value.Length -lt $Length -or $Value.Length -gt $MaxLength) {
        Fail -Kind invalid_input -Message ('{0}; got {1} characters' -f $rule, $Value.Length)
    }
    # -cnotmatch: a case-insensitive match lets some non-ASCII letters (the Kelvin sign) pass as A-Z.
    if ($Value -cnotmatch $pattern) {
        Fail -Kind invalid_input -Message ('{0}; got {1} characters, not all of them {2}' -f $rule, $Value.Length, $what)
    }
}

# (1) The licensing WMI provider must be there.
Assert-RdslLicensingRole

# (2) Input, per program. Numbers as [long] so that no value overflows a cast.
$program = [string]$In.program
$version = [long]$In.product_version
$type = [long]$In.product_type
$count = [long]$In.license_count
$agreementType = [long]$In.agreement_type
switch -CaseSensitive ($program) {
    'retail' {
        Assert-CodeFormat -Name license_code -Value $In.license_code -Length 25
    }
    'open_license' {
        Assert-CodeFormat -Name license_number -Value $In.license_number -Length 8 -DigitsOnly
        Assert-CodeFormat -Name authorization_number -Value $In.authorization_number -Length 15
    }
    'agreement' {
        if ($agreementType -lt 0 -or $agreementType -gt 5) {
            Fail -Kind invalid_input -Message ('agreement_type must be 0 (Select), 1 (Enterprise Agreement), 2 (Campus Agreement), 3 (School Agreement), 4 (Service Provider License Agreement) or 5 (other agreements); got {0}' -f $agreementType)
        }
        # Enrollment numbers of Select, Enterprise, Campus and School are
        # "seven numeric digits" (InstallAgreementLicenseKeyPack); SPLA
        # numbers have been installed with 8 digits by a public provisioning
        # script, and other agreements use "the agreement number provided
        # with your program information": 7 to 8 digits there.
        $maxDigits = 7
        if ($agreementType -ge 4) { $maxDigits = 8 }
        Assert-CodeFormat -Name agreement_number -Value $In.agreement_number -Length 7 -MaxLength $maxDigits -DigitsOnly
    }
    'license_key_pack_id' {
        Assert-CodeFormat -Name license_key_pack_id -Value $In.license_key_pack_id -Length 35
    }
    default {
        Fail -Kind invalid_input -Message ('program must be "retail", "open_license", "agreement" or "license_key_pack_id"; got "{0}"' -f $program)
    }
}
# The CAL ProductVersion numbers this script knows; the provider sends the
# number, the script never maps a name. This table, $lsMax below and the
# numbers accepted here are copies of the facts catalog's (internal/winfacts,
# the table's one home); TestInstallKeyPackTablesAreTheCatalogs holds them
# equal. UNVERIFIED: the install methods'
# docs list ProductVersion 2, 4, 5 and 6 only; 7 (2022) is documented for
# Win32_TSLicenseKeyPack.ProductVersionID alone, 8 (2025) nowhere (a guess
# by sequence). Windows answers a number it does not know with
# WBEM_E_INVALID_PARAMETER; the message below says so.
$releases = @{ 5 = '2016'; 6 = '2019'; 7 = '2022'; 8 = '2025' }
if (@(5, 6, 7, 8) -notcontains $version) {
    Fail -Kind invalid_input -Message ('product_version must be 5 (Windows Server 2016), 6 (2019), 7 (2022) or 8 (2025); got {0}' -f $version)
}
if ($type -ne 0 -and $type -ne 1) {
    Fail -Kind invalid_input -Message ('product_type must be 0 (per device) or 1 (per user); got {0}' -f $type)
}
$counted = ($program -ceq 'open_license') -or ($program -ceq 'agreement')
if ($counted -and ($count -lt 1 -or $count -gt 9999)) {
    Fail -Kind invalid_input -Message ('license_count must be between 1 and 9999; got {0}' -f $count)
}
# The journal's fields: request_id and owner are UUIDs without hyphens.
$requestId = [string]$In.request_id
$owner = [string]$In.owner
$codeTag = [string]$In.code_tag
Assert-RdslJournalId -Name request_id -Value $requestId
Assert-RdslJournalId -Name owner -Value $owner
Assert-RdslCodeTag -Value $codeTag

# (3) Windows installs CALs only on an activated license server.
try {
    $status = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseServer -MethodName GetActivationStatus
} catch {
    $status = Get-RdslCimErrorResult -ErrorRecord $_
}
Assert-RdslReturn -Result $status -Method 'GetActivationStatus' -Context ('reading the activation status of {0}' -f $env:COMPUTERNAME)
if ([int]$status.ActivationStatus -ne 0) {
    Fail -Kind not_activated -Message ('the license server on {0} is not activated: Windows refuses to install CALs on a license server that is not activated; activate it first (rdslicensing_server_activation)' -f $env:COMPUTERNAME)
}

# (4) A license server holds CALs of its own version or older. The declared
# version is checked for every program (a retail code or key pack ID carries
# its own; Windows then checks that one).
$calRelease = $releases[[int]$version]
$lsMax = @{ '2016' = 5; '2019' = 6; '2022' = 7; '2025' = 8 }
$os = Get-RdslOSVersion
$lsName = 'pre-2016 Windows Server'
$tooNew = $true
if ($lsMax.ContainsKey($os)) {
    $lsName = 'Windows Server ' + $os
    $tooNew = $version -gt $lsMax[$os]
}
if ($tooNew) {
    Fail -Kind version_unsupported -Message ('Windows Server {0} CALs cannot be installed on {1}, a {2} license server: a license server holds CALs of its own version or older; install them on a Windows Server {0} license server' -f $calRelease, $env:COMPUTERNAME, $lsName)
}

# (5) Per-user CALs are tracked in Active Directory.
if ($type -eq 1 -and -not [bool]$In.allow_per_user_in_workgroup) {
    $computer = Get-RdslComputer
    if (-not $computer.PartOfDomain) {
        Fail -Kind workgroup_unsupported -Message ('per-user CALs need Active Directory: {0} is in workgroup {1}, where per-user CALs cannot be tracked or reported; use per-device CALs, join the license server to a domain, or set allow_per_user_in_workgroup' -f $env:COMPUTERNAME, [string]$computer.Workgroup)
    }
}

# (6) Under the journal's lock (waiting up to 5 minutes: another install may
# be talking to the Clearinghouse), refuse a request ID the journal knows,
# tombstones included, then record the request with the KeyPackIds there
# are now: a pack not among them is new.
$lock = Enter-RdslJournalLock -TimeoutSeconds 300
try {
    $entry = Get-RdslJournalEntry -RequestId $requestId
    if ($null -ne $entry) {
        Fail -Kind conflict -Message ('install request {0} was already made on {1} (its key pack journal entry is {2}): a request installs at most once; nothing was installed' -f $requestId, $env:COMPUTERNAME, $entry.state)
    }
    $now = Get-RdslHostTime
    Set-RdslJournalEntry -RequestId $requestId -Values @{
        State          = 'started'
        Program        = $program
        ProductVersion = $version
        ProductType    = $type
        LicenseCount   = $count
        AgreementType  = $agreementType
        CodeTag        = $codeTag
        Owner          = $owner
        Before         = @(Get-RdslKeyPackIdList)
        KeyPackId      = 0
        ReturnValue    = 0
        Started        = $now
        Updated        = $now
    }

    # (7) Install. Named, typed arguments (positional order is ambiguous).
    try {
        switch -CaseSensitive ($program) {
            'retail' {
                $method = 'InstallRetailPurchaseLicenseKeyPack'
                $what = 'license code'
                $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack -MethodName InstallRetailPurchaseLicenseKeyPack -Arguments @{
                    sLicenseCode = [string]$In.license_code
                }
            }
            'open_license' {
                $method = 'InstallOpenLicenseKeyPack'
                $what = 'license and authorization numbers'
                $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack -MethodName InstallOpenLicenseKeyPack -Arguments @{
                    sLicenseNumber       = [string]$In.license_number
                    sAuthorizationNumber = [string]$In.authorization_number
                    ProductVersion       = [uint32]$version
                    ProductType          = [uint32]$type
                    LicenseCount         = [uint32]$count
                }
            }
            'agreement' {
                $method = 'InstallAgreementLicenseKeyPack'
                $what = 'agreement number'
                $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack -MethodName InstallAgreementLicenseKeyPack -Arguments @{
                    AgreementType    = [uint32]$agreementType
                    sAgreementNumber = [string]$In.agreement_number
                    ProductVersion   = [uint32]$version
                    ProductType      = [uint32]$type
                    LicenseCount     = [uint32]$count
                }
            }
            'license_key_pack_id' {
                $method = 'InstallLicenseKeyPack'
                $what = 'license key pack ID'
                $r = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack -MethodName InstallLicenseKeyPack -Arguments @{
                    sLicenseKeyPackId = [string]$In.license_key_pack_id
                }
            }
        }
    } catch {
        $r = Get-RdslCimErrorResult -ErrorRecord $_
    }

    # (8) The outcome into the journal, before anything can fail.
    if ([long]$r.ReturnValue -eq 0) {
        Set-RdslJournalEntry -RequestId $requestId -Values @{ State = 'installed'; KeyPackId = [long]$r.KeyPackId; Updated = (Get-RdslHostTime) }
    } else {
        Set-RdslJournalEntry -RequestId $requestId -Values @{ State = 'failed'; ReturnValue = [long]$r.ReturnValue; Updated = (Get-RdslHostTime) }
    }
} finally {
    Exit-RdslJournalLock -Mutex $lock
}

# The code table. Keys carry the L suffix: a bare 0x80041009 is a negative
# Int32 in PowerShell and would never equal the uint32 ReturnValue.
$kinds = @{
    [long]0x80041009L = 'clearinghouse_unreachable'
    [long]0x80041008L = 'invalid_code'
    [long]0x80041019L = 'code_already_used'
    [long]0x80041003L = 'access_denied'
}
$typeName = 'per-device'
if ($type -eq 1) { $typeName = 'per-user' }
$covers = 'Windows Server {0} {1} CALs' -f $calRelease, $typeName
if ($counted) { $covers = '{0} more {1}' -f $count, $covers }
$code = [long]$r.ReturnValue
$context = 'installing CALs on {0}' -f $env:COMPUTERNAME
if ($code -eq 0x80041009L) {
    $hint = 'the license server could not reach the Microsoft Clearinghouse to validate the {0}; allow outbound TCP 443 from {1} to the Internet' -f $what, $env:COMPUTERNAME
    if ($program -cne 'license_key_pack_id') {
        $hint += ', or install with program "license_key_pack_id" and a license key pack ID obtained from the Clearinghouse web site or by phone'
    }
    $context += ': ' + $hint
} elseif ($code -eq 0x80041008L) {
    $context += ': the Microsoft Clearinghouse did not accept the {0}; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers {1}' -f $what, $covers
    if ($counted -and $version -ge 7) {
        # The number is a method parameter here, and an undocumented one.
        $context += '; or Windows does not know ProductVersion {0} for Windows Server {1} CALs (the install methods document 2, 4, 5 and 6 only)' -f $version, $calRelease
    }
} elseif ($code -eq 0x80041019L) {
    if ($program -ceq 'retail') {
        $used = 'this retail license code has already been used: retail codes are single-use, even on the same server'
    } elseif ($program -ceq 'license_key_pack_id') {
        $used = 'this license key pack ID has already been used: key pack IDs are single-use, even on the same server'
    } else {
        $used = 'the Microsoft Clearinghouse reports the {0} as already used' -f $what
    }
    $context += ': ' + $used + '; if its CALs are on this license server they are in its key pack list, otherwise have the Microsoft Clearinghouse reissue them (by phone) or migrate them from the license server that holds them'
} elseif ($code -eq 0x80041003L) {
    $context += ': Windows denied the install; run it as a local administrator with a full token (the built-in Administrator, a domain account, or LocalAccountTokenFilterPolicy = 1)'
}
Assert-RdslReturn -Result $r -Method $method -Kinds $kinds -Context $context

# (9) The new pack. Nothing fails from here on: the CALs are installed.
$id = [long]$r.KeyPackId
$pack = Get-RdslKeyPack -Id $id
if ($null -eq $pack) {
    # Installed but not readable back: report what was asked for.
    $pack = [pscustomobject]@{ KeyPackId = $id; ProductType = $type; ProductVersionID = $version }
}
# A retail code or key pack ID carries its own version and type. When they
# differ from the declared ones the CALs are installed all the same, so that
# is no error here: the result shows the pack's real version and type, and
# the provider compares them with what it declared and decides.
[ordered]@{
    key_pack = (ConvertTo-RdslKeyPack -Pack $pack)
}
