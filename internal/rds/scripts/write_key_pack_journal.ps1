# operation: write_key_pack_journal
# Changes one entry of the key pack journal with a compare-and-set under the
# journal's lock (docs/design/key-pack-journal.md): when the entry's state
# and owner are expect_state and expect_owner (expect_state "": there is no
# entry, and expect_owner is not looked at), it gets state, owner and
# key_pack_id; a new entry also takes the intent fields. An entry that
# already is what the write asks for answers changed = false, so a retried
# write is harmless; any other entry fails with kind conflict. The script
# decides nothing: the provider chooses every write.
param($In)

function Get-RdslOwnership {
    # "owned" or "free": whether an entry has an owner, without the token.
    param([string]$Owner)
    if ($Owner) { return 'owned' }
    'free'
}

# (1) Input, checked without the lock.
$states = @('started', 'installed', 'failed', 'not_installed', 'abandoned', 'removed', 'adopted')
$requestId = [string]$In.request_id
$expectState = [string]$In.expect_state
$expectOwner = [string]$In.expect_owner
$state = [string]$In.state
$owner = [string]$In.owner
$program = [string]$In.program
Assert-RdslJournalId -Name request_id -Value $requestId
Assert-RdslJournalId -Name expect_owner -Value $expectOwner -AllowEmpty
Assert-RdslJournalId -Name owner -Value $owner -AllowEmpty
if ($expectState -ne '' -and $states -cnotcontains $expectState) {
    Fail -Kind invalid_input -Message ('expect_state must be "" (no entry) or one of {0}; got "{1}"' -f ($states -join ', '), $expectState)
}
if ($states -cnotcontains $state) {
    Fail -Kind invalid_input -Message ('state must be one of {0}; got "{1}"' -f ($states -join ', '), $state)
}
$keyPackId = Get-RdslKeyPackId -Value $In.key_pack_id
if ($expectState -eq '') {
    if ($program -ne '' -and @('retail', 'open_license', 'agreement', 'license_key_pack_id') -cnotcontains $program) {
        Fail -Kind invalid_input -Message ('program must be "", "retail", "open_license", "agreement" or "license_key_pack_id"; got "{0}"' -f $program)
    }
    Assert-RdslCodeTag -Value ([string]$In.code_tag) -AllowEmpty
}

# (2) The compare-and-set, under the lock (waiting up to a minute).
$lock = Enter-RdslJournalLock -TimeoutSeconds 60
try {
    $entry = Get-RdslJournalEntry -RequestId $requestId
    $changed = $true
    if ($null -ne $entry -and $entry.state -ceq $state -and $entry.owner -ceq $owner -and $entry.key_pack_id -eq $keyPackId) {
        # Already what is asked: a replay of a write that was applied.
        $changed = $false
    } elseif ($null -eq $entry -and $expectState -eq '') {
        $now = Get-RdslHostTime
        Set-RdslJournalEntry -RequestId $requestId -Values @{
            State          = $state
            Program        = $program
            ProductVersion = [long]$In.product_version
            ProductType    = [long]$In.product_type
            LicenseCount   = [long]$In.license_count
            AgreementType  = [long]$In.agreement_type
            CodeTag        = [string]$In.code_tag
            Owner          = $owner
            Before         = @()
            KeyPackId      = $keyPackId
            ReturnValue    = 0
            Started        = $now
            Updated        = $now
        }
    } elseif ($null -ne $entry -and $expectState -ne '' -and $entry.state -ceq $expectState -and $entry.owner -ceq $expectOwner) {
        Set-RdslJournalEntry -RequestId $requestId -Values @{ Owner = $owner; KeyPackId = $keyPackId; State = $state; Updated = (Get-RdslHostTime) }
    } else {
        # Owner tokens stay out of the message: whether there is one is enough.
        $want = 'no entry'
        if ($expectState -ne '') { $want = '{0} and {1}' -f $expectState, (Get-RdslOwnership -Owner $expectOwner) }
        $found = 'there is none'
        if ($null -ne $entry) { $found = 'it is {0} and {1}' -f $entry.state, (Get-RdslOwnership -Owner $entry.owner) }
        Fail -Kind conflict -Message ('the key pack journal entry of request {0} on {1} does not match the write: it expected {2}, but {3}; read the journal again' -f $requestId, $env:COMPUTERNAME, $want, $found)
    }
    $entry = Get-RdslJournalEntry -RequestId $requestId
} finally {
    Exit-RdslJournalLock -Mutex $lock
}
[ordered]@{
    entry   = $entry
    changed = $changed
}
