# RD Licensing on the license server, with RD Licensing Manager and
# RD Licensing Diagnoser. The provider never restarts the server on its own:
# when Windows asks for a restart, restart_pending is true and a warning says so.
resource "rdslicensing_role" "ls01" {
  host                     = "ls01.contoso.com"
  include_management_tools = true

  # Let the provider restart the server when the install needs it, and wait
  # for WinRM to come back.
  restart = true

  timeouts = {
    create = "45m"
  }
}

# On Server Core there is no RD Licensing Manager: leave the tools out.
resource "rdslicensing_role" "core" {
  host                     = "ls02.contoso.com"
  include_management_tools = false
}
