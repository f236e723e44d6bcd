# Give back the per-device CALs of retired laptops, as RD Licensing
# Manager's "Revoke License" does. The plan lists the CALs in `revoked`;
# Windows revokes at most 20% of a version's per-device CALs at a time.
resource "rdslicensing_cal_revocation" "retired" {
  host    = "ls01.contoso.com"
  devices = ["LAPTOP-0042", "LAPTOP-0057"]

  # Change it to revoke again the CALs these devices hold then.
  revocation_trigger = "2026-12"
}
