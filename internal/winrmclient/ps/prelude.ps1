# rdslicensing-prelude 1
# Runs each request the bootstrap reads: decodes it, runs the operation's
# script with its input as $In, and writes exactly one response line,
# "#rdsl:<id>:<base64 of the UTF-8 JSON envelope>", on stdout. Base64 keeps
# the envelope intact whatever the console code page is.

$WarningPreference = 'SilentlyContinue'
$VerbosePreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'

# The error kinds any script may report (winrmclient.ScriptKinds); the
# library adds those of its domain (winrmclient.Library.Kinds).
$RdslKinds = @(
    'not_found', 'invalid_input', 'access_denied', 'not_supported',
    'wmi_error', 'script_error', 'conflict', 'busy'
)

# The kind of a CimException by its NativeErrorCode (wmi_error for the
# others); the library may give a code a meaning of its domain.
$RdslCimKinds = @{
    'AccessDenied'     = 'access_denied'
    'NotFound'         = 'not_found'
    'InvalidParameter' = 'invalid_input'
    'NotSupported'     = 'not_supported'
}

# Why an operation needs an administrator, as the refusal says it; the
# library may say it in its domain's words.
$RdslAdminReason = 'the operations require an administrator'

function Fail {
    # Ends the operation with a classified error.
    param(
        [Parameter(Mandatory = $true)][string]$Kind,
        [Parameter(Mandatory = $true)][string]$Message,
        [long]$Code = 0
    )
    $ex = New-Object System.Exception $Message
    $ex.Data['rdsl.kind'] = $Kind
    $ex.Data['rdsl.code'] = $Code
    throw $ex
}

function Test-RdslAdministrator {
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal $identity
    $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Get-RdslCimErrorCode {
    # The WBEM code of a CimException (0 for any other exception): the
    # provider's own code when it gave one, else the code of its category.
    param($Exception)
    if ($null -eq $Exception -or $Exception.GetType().FullName -ne 'Microsoft.Management.Infrastructure.CimException') { return [long]0 }
    if ($null -ne $Exception.ErrorData -and $null -ne $Exception.ErrorData.CimInstanceProperties['error_Code']) {
        return [long]$Exception.ErrorData.CimInstanceProperties['error_Code'].Value
    }
    switch ([string]$Exception.NativeErrorCode) {
        'AccessDenied' { return [long]2147749891 }
        'NotFound' { return [long]2147749890 }
        'InvalidParameter' { return [long]2147749896 }
        'NotSupported' { return [long]2147749900 }
        'InvalidClass' { return [long]2147749904 }
        default { return [long]2147749889 }
    }
}

function ConvertTo-RdslError {
    param($Record)
    $ex = $Record.Exception
    # PowerShell wraps exceptions thrown inside method calls.
    while ($null -ne $ex.InnerException -and -not $ex.Data.Contains('rdsl.kind') -and
        $ex.GetType().FullName -eq 'System.Management.Automation.MethodInvocationException') {
        $ex = $ex.InnerException
    }
    $kind = 'script_error'
    $code = [long]0
    $message = $ex.Message
    if ($ex.Data.Contains('rdsl.kind')) {
        $kind = [string]$ex.Data['rdsl.kind']
        $code = [long]$ex.Data['rdsl.code']
    } elseif ($ex.GetType().FullName -eq 'Microsoft.Management.Infrastructure.CimException') {
        $code = Get-RdslCimErrorCode -Exception $ex
        $kind = $RdslCimKinds[[string]$ex.NativeErrorCode]
        if ($null -eq $kind) { $kind = 'wmi_error' }
    } elseif ($ex -is [System.UnauthorizedAccessException] -or $ex -is [System.Security.SecurityException]) {
        $kind = 'access_denied'
    }
    if ($RdslKinds -notcontains $kind) {
        $message = "unknown error kind '$kind': $message"
        $kind = 'script_error'
    }
    if ($kind -eq 'script_error' -and $null -ne $Record.InvocationInfo) {
        $message = '{0} (script line {1})' -f $message, $Record.InvocationInfo.ScriptLineNumber
    }
    @{ kind = $kind; message = $message; code = $code }
}

function Write-RdslResponse {
    param([string]$Id, $Envelope)
    $json = ConvertTo-Json -InputObject $Envelope -Depth 16 -Compress
    $b64 = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json))
    [Console]::Out.WriteLine('#rdsl:' + $Id + ':' + $b64)
    [Console]::Out.Flush()
}

function Invoke-RdslRequest {
    param([string]$Line)
    $id = '0'
    try {
        $request = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Line)) | ConvertFrom-Json
        $id = [string]$request.id
        if (-not (Test-RdslAdministrator)) {
            $who = [Security.Principal.WindowsIdentity]::GetCurrent().Name
            Fail -Kind access_denied -Message ("the account {0} is not a member of the local Administrators group on {1}; {2}" -f $who, $env:COMPUTERNAME, $RdslAdminReason)
        }
        $body = [ScriptBlock]::Create([string]$request.script)
        $output = @(& $body $request.input)
        $result = $null
        if ($output.Count -gt 0) { $result = $output[$output.Count - 1] }
        Write-RdslResponse -Id $id -Envelope @{ ok = $true; result = $result }
    } catch {
        Write-RdslResponse -Id $id -Envelope @{ ok = $false; error = (ConvertTo-RdslError $_) }
    }
}
