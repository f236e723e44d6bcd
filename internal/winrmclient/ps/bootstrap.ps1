# rdslicensing-bootstrap 1
# The constant command behind which every operation travels on stdin: the
# first line is the prelude, then one request per line until stdin closes.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$rdslIn = [Console]::In
. ([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($rdslIn.ReadLine()))))
while ($null -ne ($rdslLine = $rdslIn.ReadLine())) {
    if ($rdslLine.Trim()) { Invoke-RdslRequest -Line $rdslLine }
}
