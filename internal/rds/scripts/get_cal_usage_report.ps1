# operation: get_cal_usage_report
# The per-user CAL usage report of RD Licensing Manager ("Create Report"):
# generates one (Win32_TSLicenseReport.GenerateReportEx), reads its entries,
# and deletes it again, so that reports made for the provider do not pile up
# in RD Licensing Manager. Per-device CALs come from Win32_TSIssuedLicense
# instead, which also says whether each is active, temporary or revoked, with
# the CAL type and version of its key pack. Sorted by key pack and license ID.
param($In)

function ConvertTo-PerUserUsage {
    # One Win32_TSLicenseReportEntry.
    param([Parameter(Mandatory = $true)]$Entry)
    [ordered]@{
        user               = [string]$Entry.User
        expiration_date    = (Format-RdslDate -Value $Entry.ExpirationDate)
        cal_type           = [string]$Entry.CALType
        product_version    = [string]$Entry.ProductVersion
        product_version_id = [int]$Entry.ProductVersionID
    }
}

Assert-RdslLicensingRole

# Keys carry the L suffix: a bare 0x80041003 is a negative Int32 in PowerShell.
$kinds = @{
    [long]0x80041003L = 'access_denied'
    [long]0x8004100CL = 'not_supported'
}
try {
    $generated = Invoke-CimMethod -Namespace root/cimv2 -ClassName Win32_TSLicenseReport -MethodName GenerateReportEx
} catch {
    $generated = Get-RdslCimErrorResult -ErrorRecord $_
}
Assert-RdslReturn -Result $generated -Method 'GenerateReportEx' -Kinds $kinds -Context ('creating a CAL usage report on {0}' -f $env:COMPUTERNAME)
$fileName = [string]$generated.FileName
# Where-Object rather than -Filter: the file name is a path, and WQL wants its backslashes escaped.
$report = Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSLicenseReport |
    Where-Object { $_.FileName -eq $fileName } | Select-Object -First 1
if ($null -eq $report) {
    Fail -Kind not_found -Message ('the CAL usage report {0} that GenerateReportEx created on {1} is not among its Win32_TSLicenseReport instances' -f $fileName, $env:COMPUTERNAME) -Code 2147749890
}
try {
    $context = 'reading the CAL usage report on {0}' -f $env:COMPUTERNAME
    # Count 0: every entry from StartIndex on.
    try {
        $perUser = Invoke-CimMethod -InputObject $report -MethodName FetchReportEntries -Arguments @{ StartIndex = [uint32]0; Count = [uint32]0 }
    } catch {
        $perUser = Get-RdslCimErrorResult -ErrorRecord $_
    }
    # LSERVER_I_NO_MORE_DATA (0x4001) "indicates that there are no more
    # report entries" (learn.microsoft.com, FetchReportEntries method of the
    # Win32_TSLicenseReport class): a server with no per-user CAL in use.
    $entries = @()
    if ([long]$perUser.ReturnValue -ne 0x4001L) {
        Assert-RdslReturn -Result $perUser -Method 'FetchReportEntries' -Kinds $kinds -Context $context
        $entries = $perUser.ReportEntries
    }
    $packs = @{}
    foreach ($pack in @(Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSLicenseKeyPack)) { $packs[[long]$pack.KeyPackId] = $pack }
    # @() keeps "none" and "one" arrays.
    $issued = @(Get-CimInstance -Namespace root/cimv2 -ClassName Win32_TSIssuedLicense | Sort-Object -Property KeyPackId, LicenseId)
    # foreach over $null runs no iteration: no entries give an empty array.
    [ordered]@{
        generated_at = (Format-RdslDate -Value $report.GenerationDateTime)
        per_user     = @(foreach ($entry in $entries) { ConvertTo-PerUserUsage -Entry $entry })
        per_device   = @(foreach ($license in $issued) { ConvertTo-RdslIssuedLicense -License $license -Packs $packs })
    }
} finally {
    # A report that cannot be deleted must not hide the entries (or the
    # error) already obtained; it only stays visible in RD Licensing Manager.
    try { $null = Invoke-CimMethod -InputObject $report -MethodName DeleteReport } catch { }
}
