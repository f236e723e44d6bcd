# The ID is "<host>/<key_pack_id>": the license server as the provider
# reaches it, and the KeyPackId RD Licensing Manager shows (or
# Get-CimInstance Win32_TSLicenseKeyPack | Select-Object KeyPackId, TypeAndModel, TotalLicenses).
terraform import rdslicensing_key_pack.retail_users ls01.contoso.com/5

# The packs of one Open License or agreement, installed in several steps,
# import together: "<host>/<key_pack_id>,<key_pack_id>".
terraform import rdslicensing_key_pack.enterprise_users ls01.contoso.com/6,9
