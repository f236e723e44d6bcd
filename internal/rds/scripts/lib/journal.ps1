# rdslicensing-library journal 1
# The key pack install journal (docs/design/key-pack-journal.md): the
# host-wide lock, reading the entries and writing them durably. Used by
# install_key_pack, write_key_pack_journal and list_key_packs.
#
# One subkey per request ID under
#   HKLM\SOFTWARE\rdslicensing\KeyPackJournal\<request id>
#   State, Program, CodeTag, Owner, Started, Updated   REG_SZ
#   ProductVersion, ProductType, LicenseCount,
#   AgreementType, KeyPackId, ReturnValue              REG_QWORD
#   Before                                             REG_MULTI_SZ (decimal KeyPackIds)
# State is written last: a subkey without it is an entry whose first write
# was cut short (before any install method ran); it counts as no entry.
#
# The same lock guards the reactivation marker
# (docs/design/reactivation-marker.md):
#   HKLM\SOFTWARE\rdslicensing\Reactivation
#   Started   REG_SZ         the last attempt that went on to its WMI method
#   Fenced    REG_MULTI_SZ   attempts given up by the provider (newest 16)

function Enter-RdslJournalLock {
    # Takes the named mutex that serialises journal writers across processes
    # and sessions, waiting up to $TimeoutSeconds; fails with busy after
    # that, having done nothing. Returns the mutex for Exit-RdslJournalLock.
    param([Parameter(Mandatory = $true)][int]$TimeoutSeconds)
    # Administrators get full access explicitly: the default DACL of the
    # creator's token might shut out another administrator account.
    $security = New-Object System.Security.AccessControl.MutexSecurity
    $security.AddAccessRule((New-Object System.Security.AccessControl.MutexAccessRule (
                (New-Object System.Security.Principal.SecurityIdentifier 'S-1-5-32-544'),
                [System.Security.AccessControl.MutexRights]::FullControl,
                [System.Security.AccessControl.AccessControlType]::Allow)))
    $created = $false
    $mutex = [System.Threading.Mutex]::new($false, 'Global\rdslicensing-keypack-journal', [ref]$created, $security)
    $owned = $false
    try {
        $owned = $mutex.WaitOne($TimeoutSeconds * 1000)
    } catch {
        # The previous owner died holding it (a killed powershell.exe): the
        # wait still gave us ownership. Each journal write is flushed as a
        # whole entry state, so there is nothing to repair: carry on.
        if ($null -eq (Get-RdslInnerException -ErrorRecord $_ -TypeName 'System.Threading.AbandonedMutexException')) {
            $mutex.Close()
            throw
        }
        $owned = $true
    }
    if (-not $owned) {
        $mutex.Close()
        Fail -Kind busy -Message ('another key pack install or journal write on {0} held the key pack journal lock (Global\rdslicensing-keypack-journal) for {1} seconds; nothing was done; try again later' -f $env:COMPUTERNAME, $TimeoutSeconds)
    }
    $mutex
}

function Exit-RdslJournalLock {
    # Releases the mutex Enter-RdslJournalLock took (in a finally block).
    param($Mutex)
    if ($null -eq $Mutex) { return }
    try { $Mutex.ReleaseMutex() } finally { $Mutex.Close() }
}

function Get-RdslInnerException {
    # The exception of $ErrorRecord, or one it wraps (PowerShell wraps
    # exceptions of .NET method calls), whose type is $TypeName; $null if none.
    param([Parameter(Mandatory = $true)]$ErrorRecord, [Parameter(Mandatory = $true)][string]$TypeName)
    $ex = $ErrorRecord.Exception
    while ($null -ne $ex) {
        if ($ex.GetType().FullName -eq $TypeName) { return $ex }
        $ex = $ex.InnerException
    }
    $null
}

function Open-RdslJournalKey {
    # The KeyPackJournal key: read-only, or $null when it does not exist;
    # with -Create writable, created when missing. The 64-bit view: a
    # 32-bit PowerShell must see the same journal.
    param([switch]$Create)
    $hklm = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
    try {
        if ($Create) { return $hklm.CreateSubKey('SOFTWARE\rdslicensing\KeyPackJournal') }
        $hklm.OpenSubKey('SOFTWARE\rdslicensing\KeyPackJournal')
    } finally {
        $hklm.Close()
    }
}

function Open-RdslReactivationKey {
    # The Reactivation key, writable, created when missing; the 64-bit view
    # as the journal.
    $hklm = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
    try {
        $hklm.CreateSubKey('SOFTWARE\rdslicensing\Reactivation')
    } finally {
        $hklm.Close()
    }
}

function Start-RdslReactivationAttempt {
    # Under the journal lock: fails with conflict, having done nothing, when
    # the provider fenced $Attempt off; else records it as Started, flushed,
    # so that the WMI method the caller runs next is never called unseen.
    param([Parameter(Mandatory = $true)][string]$Attempt)
    $lock = Enter-RdslJournalLock -TimeoutSeconds 60
    try {
        $key = Open-RdslReactivationKey
        try {
            if ([string[]]$key.GetValue('Fenced', [string[]]@()) -ccontains $Attempt) {
                Fail -Kind conflict -Message ('the reactivation attempt {0} on {1} was given up by the provider after its answer was lost; nothing was done; apply again' -f $Attempt, $env:COMPUTERNAME)
            }
            $key.SetValue('Started', $Attempt, [Microsoft.Win32.RegistryValueKind]::String)
            $key.Flush()
        } finally {
            $key.Close()
        }
    } finally {
        Exit-RdslJournalLock -Mutex $lock
    }
}

function Stop-RdslReactivationAttempt {
    # Under the journal lock: $true when $Attempt was Started (it went on
    # to its WMI method); else fences it off, flushed, so that it never
    # will, and returns $false.
    param([Parameter(Mandatory = $true)][string]$Attempt)
    $lock = Enter-RdslJournalLock -TimeoutSeconds 60
    try {
        $key = Open-RdslReactivationKey
        try {
            if ([string]$key.GetValue('Started', '') -ceq $Attempt) { return $true }
            $fenced = @($Attempt) + @([string[]]$key.GetValue('Fenced', [string[]]@()) | Where-Object { $_ -cne $Attempt } | Select-Object -First 15)
            $key.SetValue('Fenced', [string[]]$fenced, [Microsoft.Win32.RegistryValueKind]::MultiString)
            $key.Flush()
            $false
        } finally {
            $key.Close()
        }
    } finally {
        Exit-RdslJournalLock -Mutex $lock
    }
}

function Read-RdslJournalEntry {
    # The entry in the subkey $Key as the provider's rds.JournalEntry;
    # $null when it has no State (a first write cut short).
    param([Parameter(Mandatory = $true)]$Key, [Parameter(Mandatory = $true)][string]$RequestId)
    $state = [string]$Key.GetValue('State', '')
    if (-not $state) { return $null }
    [ordered]@{
        request_id      = $RequestId
        state           = $state
        program         = [string]$Key.GetValue('Program', '')
        product_version = [long]$Key.GetValue('ProductVersion', 0)
        product_type    = [long]$Key.GetValue('ProductType', 0)
        license_count   = [long]$Key.GetValue('LicenseCount', 0)
        agreement_type  = [long]$Key.GetValue('AgreementType', 0)
        code_tag        = [string]$Key.GetValue('CodeTag', '')
        owner           = [string]$Key.GetValue('Owner', '')
        before          = @(foreach ($id in @($Key.GetValue('Before', [string[]]@()))) { [long]$id })
        key_pack_id     = [long]$Key.GetValue('KeyPackId', 0)
        return_value    = [long]$Key.GetValue('ReturnValue', 0)
        started         = [string]$Key.GetValue('Started', '')
        updated         = [string]$Key.GetValue('Updated', '')
    }
}

function Get-RdslJournalEntry {
    # The entry of $RequestId; $null when there is none.
    param([Parameter(Mandatory = $true)][string]$RequestId)
    $journal = Open-RdslJournalKey
    if ($null -eq $journal) { return $null }
    try {
        $key = $journal.OpenSubKey($RequestId)
        if ($null -eq $key) { return $null }
        try { Read-RdslJournalEntry -Key $key -RequestId $RequestId } finally { $key.Close() }
    } finally {
        $journal.Close()
    }
}

function Get-RdslJournal {
    # Every entry, oldest first (by Started, then request ID); none when
    # the journal key does not exist. Reading needs no lock: each value
    # write is atomic, and an entry without State is skipped.
    $journal = Open-RdslJournalKey
    if ($null -eq $journal) { return }
    try {
        $entries = @(foreach ($name in $journal.GetSubKeyNames()) {
                $key = $journal.OpenSubKey($name)
                if ($null -ne $key) {
                    try { Read-RdslJournalEntry -Key $key -RequestId $name } finally { $key.Close() }
                }
            })
    } finally {
        $journal.Close()
    }
    $entries | Sort-Object -Property @{ Expression = { $_.started } }, @{ Expression = { $_.request_id } }
}

function Set-RdslJournalEntry {
    # Writes $Values (value name -> value) into the entry of $RequestId,
    # creating it, State last, then flushes the key to disk (RegFlushKey):
    # the entry must survive a power loss right after.
    param([Parameter(Mandatory = $true)][string]$RequestId, [Parameter(Mandatory = $true)][hashtable]$Values)
    $journal = Open-RdslJournalKey -Create
    try {
        $key = $journal.CreateSubKey($RequestId)
        try {
            $names = @($Values.Keys | Where-Object { $_ -ne 'State' } | Sort-Object)
            if ($Values.ContainsKey('State')) { $names += 'State' }
            foreach ($name in $names) {
                $value = $Values[$name]
                switch -CaseSensitive ($name) {
                    'Before' {
                        $key.SetValue($name, [string[]]@(foreach ($id in @($value)) { [string][long]$id }), [Microsoft.Win32.RegistryValueKind]::MultiString)
                    }
                    { @('ProductVersion', 'ProductType', 'LicenseCount', 'AgreementType', 'KeyPackId', 'ReturnValue') -ccontains $_ } {
                        $key.SetValue($name, [long]$value, [Microsoft.Win32.RegistryValueKind]::QWord)
                    }
                    default {
                        $key.SetValue($name, [string]$value, [Microsoft.Win32.RegistryValueKind]::String)
                    }
                }
            }
            $key.Flush()
        } finally {
            $key.Close()
        }
    } finally {
        $journal.Close()
    }
}

function Get-RdslHostTime {
    # The host's clock, as journal times and host_time are written.
    Format-RdslDate -Value ([DateTime]::UtcNow)
}

function Assert-RdslJournalId {
    # Fails unless $Value is 32 lower-case hex digits (a UUID without its
    # hyphens): request IDs and owner tokens. -AllowEmpty also takes "".
    param([Parameter(Mandatory = $true)][string]$Name, [string]$Value, [switch]$AllowEmpty)
    if ($AllowEmpty -and $Value -eq '') { return }
    if ($Value -cnotmatch '^[0-9a-f]{32}\z') {
        Fail -Kind invalid_input -Message ('{0} must be 32 lower-case hexadecimal digits; got {1} characters' -f $Name, $Value.Length)
    }
}

function Assert-RdslCodeTag {
    # Fails unless $Value has the form of a code tag, "<16 hex>:<4 hex>".
    # -AllowEmpty also takes "" (an entry for a pack whose codes are unknown).
    param([string]$Value, [switch]$AllowEmpty)
    if ($AllowEmpty -and $Value -eq '') { return }
    if ($Value -cnotmatch '^[0-9a-f]{16}:[0-9a-f]{4}\z') {
        Fail -Kind invalid_input -Message ('code_tag must be 16 lower-case hexadecimal digits, a colon and 4 more; got {0} characters' -f $Value.Length)
    }
}
