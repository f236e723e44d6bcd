# function keyword without a name
function {
    $x = 1
}
