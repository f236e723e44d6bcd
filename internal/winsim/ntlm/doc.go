// Package ntlm is the server side of NTLM authentication (NTLMv2 only,
// MS-NLMP) and of WS-Man message encryption (MS-WSMV 2.2.9.1) as the
// WinRM service of a Windows Server answers it. It is meant for winsim,
// and works with github.com/bodgit/ntlmssp (masterzen/winrm), with
// github.com/Azure/go-ntlmssp and with pywinrm's ntlm-auth.
//
// Challenge and Authenticate take raw NTLMSSP, which these clients send
// under the "Negotiate" scheme. Windows' Negotiate also takes NTLM wrapped
// in SPNEGO (SSPI, pyspnego): ParseSPNEGO unwraps such tokens,
// SPNEGOChallenge and SPNEGOAccept wrap the answers, and Session.VerifyMIC
// and SignMIC handle the mechListMIC (which moves the sequence numbers and
// restarts the RC4 state, as MS-SPNG requires). Kerberos is not simulated.
//
// NTLMv1, LM and anonymous logons are refused, as is sealing without
// extended session security.
//
// A handler keeps one Handshake and then one Session per TCP connection,
// for example in a value stored by http.Server.ConnContext (the test file
// e2e_test.go has a working version of this):
//
//	func (c *conn) serve(w http.ResponseWriter, r *http.Request) {
//		encrypted := ntlm.IsEncrypted(r.Header.Get("Content-Type"))
//		authenticated := false
//		if scheme, token, ok := ntlm.ParseAuthorization(r.Header.Get("Authorization")); ok {
//			switch ntlm.MessageType(token) {
//			case 1:
//				challenge, h, err := srv.Challenge(token)
//				if err != nil {
//					log.Printf("ntlm: %v", err)
//					unauthorized(w) // 401, WWW-Authenticate: Negotiate
//					return
//				}
//				c.handshake, c.session = h, nil
//				w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(challenge))
//				w.WriteHeader(http.StatusUnauthorized)
//				return
//			case 3:
//				if c.handshake == nil {
//					unauthorized(w)
//					return
//				}
//				s, err := c.handshake.Authenticate(token, lookupPassword)
//				c.handshake = nil
//				if err != nil {
//					log.Printf("ntlm: %v", err) // never contains the password
//					unauthorized(w)
//					return
//				}
//				c.session, authenticated = s, true
//			}
//		}
//		// An authenticated connection carries encrypted bodies without an
//		// Authorization header. A plaintext request without one gets a 401:
//		// masterzen/winrm re-authenticates before every SOAP message and
//		// relies on that.
//		if c.session == nil || !(authenticated || encrypted) {
//			unauthorized(w)
//			return
//		}
//		body, _ := io.ReadAll(r.Body)
//		if encrypted {
//			var err error
//			if body, err = c.session.DecodeBody(body); err != nil {
//				log.Printf("ntlm: %v", err)
//				w.WriteHeader(http.StatusBadRequest)
//				return
//			}
//		}
//		if len(body) == 0 {
//			return // 200: the empty POST that completes authentication
//		}
//		reply := handleSOAP(body)
//		if encrypted {
//			framed, _ := c.session.EncodeBody(reply)
//			w.Header().Set("Content-Type", ntlm.EncryptedContentType)
//			w.Write(framed)
//			return
//		}
//		w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
//		w.Write(reply)
//	}
//
// masterzen/winrm and pywinrm authenticate with an empty POST and expect a
// 200 for it; the encrypted SOAP follows on the same connection.
package ntlm
