// Package keypacks decides how a key pack resource gets, keeps and gives
// back CALs so that each declared key pack is installed exactly once and
// held by exactly one resource, whatever is interrupted.
//
// Installing CALs is not idempotent (every install adds a key pack, and a
// retail code works once). The license server keeps a journal of installs
// (install_key_pack writes it under a host-wide lock, before and after the
// WMI call), and every key pack the provider installed has an owner: the
// token of the resource that holds it, or none when a destroy kept the CALs
// and released them. This package reads that journal and decides; the
// scripts only record. docs/design/key-pack-journal.md is the design, and
// docs/guides/key-pack-failures.md the failure model users read.
//
// Failure model of Installer.Acquire (the tests name these rows):
//
//	F1 install refused before the lock (bad code, not activated, ...)  -> error, nothing installed, no entry
//	F2 answer lost, no entry (crash before the script ran)             -> tombstone written, nothing installed, install again (new request)
//	F3 answer lost, entry started, no new pack (died before WMI)       -> not_installed after a reboot or the settle time, install again
//	F4 answer lost, entry started, the new pack exists (died after WMI)-> installed: that pack, journal completed
//	F5 answer lost, entry installed (died after the journal)           -> installed: that pack
//	F6 answer lost, entry failed                                       -> the install's error, nothing installed
//	F7 host unreachable until the deadline                             -> PendingError: the request ID goes to the resource's private state, and the next read resolves it
//	F8 several new packs match a started entry (hand installs)         -> AmbiguousError: nothing more installed, import asked for
//	F9 a free entry with the same CALs exists                          -> claimed (compare-and-set), nothing installed
//	F10 the claim's answer is lost                                     -> the journal is read again: owned by us means claimed
package keypacks
