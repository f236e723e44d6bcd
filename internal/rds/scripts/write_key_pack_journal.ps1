# operation: write_key_pack_journal
# Placeholder: replaced by the journal implementation.
param($In)
Fail -Kind not_supported -Message 'write_key_pack_journal is not implemented yet'
