# operation: constructs
# Exercises the PowerShell constructs our scripts use.
#requires -Version 5.1
<#
.SYNOPSIS
    A script with every construct psparse must accept.
.PARAMETER In
    The operation's input.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    $In,
    [int]$Retries = 3
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Get-Thing {
    <#
    .SYNOPSIS
        Comment-based help inside a function.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][ValidateNotNullOrEmpty()][string]$Name,
        [ValidateSet('a', 'b')][string]$Mode = 'a',
        [switch]$Force
    )
    begin { $count = 0 }
    process {
        $count++
        @{ Name = $Name; Mode = $Mode; Force = [bool]$Force }
    }
    end { Write-Verbose ('{0} things' -f $count) }
}

function ConvertTo-Text([string]$Value, [int]$Width = 10) {
    return $Value.PadRight($Width)
}

filter Select-Even { if ($_ % 2 -eq 0) { $_ } }

try {
    $thing = Get-Thing -Name 'x' -Force
}
catch [System.Management.Automation.RuntimeException], [System.ArgumentException] {
    Write-Error -Message $_.Exception.Message
}
catch {
    throw
}
finally {
    Remove-Variable -Name thing -ErrorAction SilentlyContinue
}

$splat = @{
    Namespace   = 'root/cimv2'
    ClassName   = 'Win32_OperatingSystem'
    ErrorAction = 'Stop'
}
$os = Get-CimInstance @splat
$here = @"
Computer: $env:COMPUTERNAME
Build:    $($os.BuildNumber)
Quoted:   "yes"
"@
$literal = @'
No $expansion here: $(nothing)
'@
$message = 'Build {0} on {1}' -f $os.BuildNumber, $env:COMPUTERNAME
$padded = "{0,-10}|{1:N2}" -f 'a', 3.14159
switch ($os.ProductType) {
    1 { $role = 'workstation' }
    2 { $role = 'domain_controller'; break }
    { $_ -ge 3 } { $role = 'server' }
    default { $role = 'unknown' }
}
switch -Regex -CaseSensitive ($message) {
    '^Build (\d+)' { $build = [int]$Matches[1] }
}
$total = 0
foreach ($n in 1..10) {
    if ($n -eq 5) { continue }
    $total += $n
}
for ($i = 0; $i -lt 3; $i++) { $total-- }
while ($total -gt 100) { $total = [math]::Floor($total / 2) }
do { $total++ } until ($total -ge 10)
$even = 1..10 | Select-Even
$ints = [int[]]@(1, 2, 3)
$big = [uint32]'42'
$isString = $message -is [string]
$list = New-Object -TypeName 'System.Collections.Generic.List[string]'
[void]$list.Add('a')
$null = $list.Add('b')
$sb = { param($x) $x * 2 }
$doubled = & $sb 21
$filtered = $list | Where-Object { $_ -ne 'a' } | ForEach-Object { $_.ToUpper() }
$summary = "Role: $($role.ToUpper()), total $($total + 1), list $($list -join ',')"
$escaped = "tab`tquote`"dollar`$"
$json = $os | Select-Object -Property Caption, Version | ConvertTo-Json -Compress -Depth 3
$exists = Test-Path -Path "HKLM:\SOFTWARE\Microsoft" -PathType Container
if (-not $exists) { Write-Warning 'missing' } elseif ($null -eq $os) { exit 1 } else { Write-Verbose 'ok' }
$out = [ordered]@{
    role     = $role
    total    = $total
    summary  = $summary
    nested   = [ordered]@{ a = 1; b = @('x', 'y') }
    items    = @($filtered)
    computer = $env:COMPUTERNAME
}
$out
