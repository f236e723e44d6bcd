$kinds = @{
    [long]0x80041016L = 'policy_controlled'
    [long]0x8004100CL = 'not_found'
}
if ($code -eq 0x80041009L) { $max = 1GB }
$range = 1..10
$n = 0..($count - 1) | ForEach-Object { $_ * 2 }
