# operation: fence_reactivation
# After a reactivation whose answer was lost (reactivate_license_server with
# an attempt ID): tells whether the attempt went on to its WMI method
# (started), and if it did not, fences it off, so that a copy still running
# on the host never calls it (docs/design/reactivation-marker.md).
param($In)

$attempt = [string]$In.attempt
Assert-RdslJournalId -Name attempt -Value $attempt
$started = Stop-RdslReactivationAttempt -Attempt $attempt
[ordered]@{
    started = [bool]$started
}
