:outer foreach ($a in $list) {
    foreach ($b in $a.Items) {
        if ($b -eq 0) { continue outer }
        if ($b -lt 0) { break outer }
    }
}
