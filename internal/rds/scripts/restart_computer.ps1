# operation: restart_computer
# Schedules a restart with shutdown.exe /r /t, at least 5 seconds ahead, so
# this response gets back before the machine goes down (Restart-Computer
# would end the session mid-answer). /d p:4:1 records a planned
# maintenance restart in the event log.
param($In)

$delay = [long]$In.delay_seconds
if ($delay -gt 315360000) {
    Fail -Kind invalid_input -Message ('cannot restart {0}: delay_seconds must be at most 315360000 (the shutdown.exe limit), not {1}' -f $env:COMPUTERNAME, $delay)
}
if ($delay -lt 5) { $delay = 5 }

# Native stderr under 'Stop' would throw before the exit code is read.
$ErrorActionPreference = 'Continue'
$out = & "$env:SystemRoot\System32\shutdown.exe" /r /t $delay /d p:4:1 /c 'Restart requested by the rdslicensing Terraform provider' 2>&1 | Out-String
$code = $LASTEXITCODE
$ErrorActionPreference = 'Stop'
# 1190 (ERROR_SHUTDOWN_IS_SCHEDULED): a shutdown is already on its way.
if ($code -ne 0 -and $code -ne 1190) {
    Fail -Kind script_error -Message ('shutdown.exe could not schedule a restart of {0} (exit code {1}): {2}' -f $env:COMPUTERNAME, $code, $out.Trim())
}

[ordered]@{}
