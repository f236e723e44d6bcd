$h = [ordered]@{
    a = 1
    A = 2
}
