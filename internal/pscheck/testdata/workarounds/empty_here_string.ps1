$empty = @"
"@
$emptyLiteral = @'
'@
