& git.exe log --format=oneline -n 1
netsh.exe advfirewall firewall show rule name=all
