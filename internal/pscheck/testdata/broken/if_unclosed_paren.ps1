if ($x {
    1
}
