# MIT Kerberos' GSS-API (python3-gssapi) as the other side of a context,
# driven line by line in hex: the independent check of package gsskrb5.
#   mitgss.py initiate PRINCIPAL   (credential cache from KRB5CCNAME)
#   mitgss.py accept               (keytab from KRB5_KTNAME)
# MITGSS_BINDINGS (hex), when set, is the channel bindings' application data.
# Then: "wrap HEX" answers "HEADER DATA"; "unwrap HEADER DATA" answers the
# plaintext in hex, or "error ...".
import binascii
import os
import sys

import gssapi
import gssapi.raw as raw


def out(*parts):
    sys.stdout.write(" ".join(binascii.hexlify(p).decode() for p in parts) + "\n")
    sys.stdout.flush()


def read():
    return binascii.unhexlify(sys.stdin.readline().strip())


F = gssapi.RequirementFlag
cb = None
if os.environ.get("MITGSS_BINDINGS"):
    cb = raw.ChannelBindings(application_data=binascii.unhexlify(os.environ["MITGSS_BINDINGS"]))
if sys.argv[1] == "initiate":
    name = gssapi.Name(sys.argv[2], gssapi.NameType.kerberos_principal)
    ctx = gssapi.SecurityContext(name=name, usage="initiate", mech=gssapi.MechType.kerberos, channel_bindings=cb,
                                 flags=F.mutual_authentication | F.out_of_sequence_detection | F.confidentiality | F.integrity)
    out(ctx.step())
    ctx.step(read())
else:
    ctx = gssapi.SecurityContext(usage="accept", creds=gssapi.Credentials(usage="accept"), channel_bindings=cb)
    try:
        tok = ctx.step(read())
        if not ctx.complete:
            raise ValueError("context not complete, MIT answered a KRB-ERROR")
        out(tok or b"")
    except (gssapi.exceptions.GSSError, ValueError) as e:
        sys.stdout.write("error %s\n" % str(e).replace("\n", " "))
        sys.stdout.flush()
        sys.exit(0)
    sys.stdout.write("client %s\n" % raw.display_name(ctx.initiator_name, name_type=False).name.decode())
    sys.stdout.flush()
if not ctx.complete:
    sys.exit("context not complete")

for line in sys.stdin:
    cmd, *args = line.split()
    try:
        if cmd == "wrap":
            iov = raw.IOV(raw.IOVBufferType.header, binascii.unhexlify(args[0]), raw.IOVBufferType.padding, std_layout=False)
            raw.wrap_iov(ctx, iov, confidential=True)
            out(iov[0].value, iov[1].value + (iov[2].value or b""))
        elif cmd == "unwrap":
            res = ctx.unwrap(binascii.unhexlify(args[0]) + binascii.unhexlify(args[1]))
            if not res.encrypted:
                raise ValueError("not encrypted")
            out(res.message)
    except Exception as e:  # the Go test reads the failure
        sys.stdout.write("error %s\n" % str(e).replace("\n", " "))
        sys.stdout.flush()
