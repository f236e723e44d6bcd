package winsim

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
)

// Redacted stands for a secret the control API never returns: a user's
// password, a license code, an agreement or license number. Sent back
// unchanged (a GET then a PUT), it keeps the value the host has.
const Redacted = "<redacted>"

// redactHost is a host's state as the control API shows it.
func redactHost(st HostState) HostState {
	st = st.Clone()
	for i := range st.Users {
		if st.Users[i].Password != "" {
			st.Users[i].Password = Redacted
		}
	}
	for i := range st.LicenseServer.KeyPacks {
		st.LicenseServer.KeyPacks[i].Source = redactSource(st.LicenseServer.KeyPacks[i].Source)
	}
	for i := range st.CertMappings {
		if st.CertMappings[i].Password != "" {
			st.CertMappings[i].Password = Redacted
		}
	}
	return st
}

// redactSource keeps a key pack source's program ("retail:", "agreement:1:")
// and hides the code or number.
func redactSource(s string) string {
	if s == "" {
		return ""
	}
	i := strings.LastIndex(s, ":")
	return s[:i+1] + Redacted
}

// unredactHost gives st back the secrets of cur that it holds only as
// Redacted: users by name, key packs by ID. A placeholder with nothing to
// stand for is an error, not a password.
func unredactHost(st HostState, cur *HostState) (HostState, error) {
	for i, u := range st.Users {
		if u.Password != Redacted {
			continue
		}
		found := false
		for _, c := range cur.Users {
			if strings.EqualFold(c.Name, u.Name) && c.Domain == u.Domain {
				st.Users[i].Password, found = c.Password, true
				break
			}
		}
		if !found {
			return HostState{}, errors.New("user " + u.Name + ": the password is " + Redacted + " and the host has no such user to keep it from; send the password")
		}
	}
	for i, m := range st.CertMappings {
		if m.Password != Redacted {
			continue
		}
		found := false
		for _, c := range cur.CertMappings {
			if strings.EqualFold(c.Subject, m.Subject) && strings.EqualFold(c.Issuer, m.Issuer) && strings.EqualFold(c.UserName, m.UserName) {
				st.CertMappings[i].Password, found = c.Password, true
				break
			}
		}
		if !found {
			return HostState{}, errors.New("certificate mapping " + m.Subject + ": the password is " + Redacted + " and the host has no such mapping to keep it from; send the password")
		}
	}
	for i, kp := range st.LicenseServer.KeyPacks {
		if !strings.HasSuffix(kp.Source, Redacted) {
			continue
		}
		found := false
		for _, c := range cur.LicenseServer.KeyPacks {
			if c.KeyPackID == kp.KeyPackID && redactSource(c.Source) == kp.Source {
				st.LicenseServer.KeyPacks[i].Source, found = c.Source, true
				break
			}
		}
		if !found {
			return HostState{}, errors.New("key pack source " + kp.Source + " stands for nothing the host has; send the source")
		}
	}
	return st, nil
}

// redactClearinghouse hides every code and number.
func redactClearinghouse(ch ClearinghouseState) ClearinghouseState {
	out := ch
	out.RetailCodes = append([]RetailCode(nil), ch.RetailCodes...)
	for i := range out.RetailCodes {
		out.RetailCodes[i].Code = Redacted
	}
	out.OpenLicenses = append([]OpenLicense(nil), ch.OpenLicenses...)
	for i := range out.OpenLicenses {
		out.OpenLicenses[i].LicenseNumber, out.OpenLicenses[i].AuthorizationNumber = Redacted, Redacted
	}
	out.Agreements = append([]Agreement(nil), ch.Agreements...)
	for i := range out.Agreements {
		out.Agreements[i].Number = Redacted
	}
	out.KeyPackIDs = append([]OfflineKeyPack(nil), ch.KeyPackIDs...)
	for i := range out.KeyPackIDs {
		out.KeyPackIDs[i].ID = Redacted
	}
	return out
}

// hasRedacted: the Clearinghouse sent holds a placeholder, which cannot be
// matched back to a code (codes have no key).
func hasRedacted(ch ClearinghouseState) bool {
	for _, c := range ch.RetailCodes {
		if c.Code == Redacted {
			return true
		}
	}
	for _, o := range ch.OpenLicenses {
		if o.LicenseNumber == Redacted || o.AuthorizationNumber == Redacted {
			return true
		}
	}
	for _, a := range ch.Agreements {
		if a.Number == Redacted {
			return true
		}
	}
	for _, k := range ch.KeyPackIDs {
		if k.ID == Redacted {
			return true
		}
	}
	return false
}

// RequireToken guards the control API with a bearer token ("" lets every
// request through: for a loopback listener).
func RequireToken(h http.Handler, token string) http.Handler {
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="winsim"`)
			writeError(w, http.StatusUnauthorized, errors.New("the control API needs Authorization: Bearer <token> (WINSIM_CONTROL_TOKEN)"))
			return
		}
		h.ServeHTTP(w, r)
	})
}
