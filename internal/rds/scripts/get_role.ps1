# operation: get_role
# Reads the RD Licensing role service on this host: the install state of
# RDS-Licensing and its two management tools, the TermServLicensing service,
# whether the licensing WMI provider answers and whether a restart is
# pending. Works whether or not the role is installed.
param($In)

function New-RoleState {
    $features = @(foreach ($name in (Get-RdslLicensingFeatureNames -IncludeTools $true)) {
            $f = Get-WindowsFeature -Name $name
            [ordered]@{
                name          = $name
                display_name  = [string]$f.DisplayName
                install_state = [string]$f.InstallState
            }
        })
    $svc = Get-RdslServiceState -Name TermServLicensing
    [ordered]@{
        features           = $features
        service_status     = $svc.Status
        service_start_type = $svc.StartType
        wmi_ready          = [bool](Test-RdslLicensingWmi)
        restart_pending    = [bool](Test-RdslRebootPending)
        os_version         = [string](Get-RdslOSVersion)
    }
}

New-RoleState
