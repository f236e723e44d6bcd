package winsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ControlHandler is winsim's control API, for tests and demos: read and
// replace host state, inject faults, read logs. JSON in and out. Its
// answers never hold a password, license code, agreement or license
// number (Redacted stands for them; a state sent back with it keeps the
// host's value); POST /v1/save writes them to the state file only. Serve
// it on loopback, or behind RequireToken.
//
//	GET    /v1/info                          ports and hosts
//	GET    /v1/hosts                         every host (summary)
//	POST   /v1/hosts                         add a host (HostState JSON)
//	GET    /v1/hosts/{host}                  a host's state
//	PUT    /v1/hosts/{host}                  replace it
//	PATCH  /v1/hosts/{host}                  JSON merge patch (RFC 7386)
//	GET    /v1/hosts/{host}/log?since=N      log entries after N
//	GET    /v1/hosts/{host}/shells           open shells
//	GET    /v1/hosts/{host}/faults           injected faults
//	POST   /v1/hosts/{host}/faults           inject a fault (Fault JSON; crash_at and reboot_at take a step)
//	DELETE /v1/hosts/{host}/faults           clear faults
//	POST   /v1/hosts/{host}/reboot?ms=N      restart the host
//	POST   /v1/hosts/{host}/gpupdate         a policy refresh: the domain's GPOs apply to it
//	GET    /v1/domains                       the domains' Group Policy objects and links
//	GET    /v1/clearinghouse                 the Clearinghouse
//	PUT    /v1/clearinghouse                 replace it
//	GET    /v1/clearinghouse/license-server-id?product_id=P
//	GET    /v1/scenario                      the whole fleet
//	POST   /v1/save                          save the fleet (calls save)
//	GET    /v1/ca.pem                        the CA of the HTTPS listeners
//
// {host} is a name, FQDN or address. Added hosts get timing unless their
// JSON sets realism; save is what POST /v1/save calls (nil: no state file).
func (s *Sim) ControlHandler(timing Realism, save func() error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/info", func(w http.ResponseWriter, r *http.Request) {
		hp, sp := s.Ports()
		writeJSON(w, http.StatusOK, map[string]any{"http_port": hp, "https_port": sp, "hosts": s.summaries()})
	})
	mux.HandleFunc("GET /v1/hosts", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.summaries())
	})
	mux.HandleFunc("POST /v1/hosts", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		st, err := DecodeHost(b, timing)
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		h, err := s.AddHost(st)
		if err != nil {
			writeError(w, http.StatusConflict, err)
			return
		}
		writeJSON(w, http.StatusCreated, redactHost(*h.view()))
	})
	host := func(fn func(w http.ResponseWriter, r *http.Request, h *Host)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			h := s.Host(r.PathValue("host"))
			if h == nil {
				writeError(w, http.StatusNotFound, fmt.Errorf("no host %q", r.PathValue("host")))
				return
			}
			fn(w, r, h)
		}
	}
	mux.HandleFunc("GET /v1/hosts/{host}", host(func(w http.ResponseWriter, r *http.Request, h *Host) {
		writeJSON(w, http.StatusOK, redactHost(*h.view()))
	}))
	mux.HandleFunc("PUT /v1/hosts/{host}", host(func(w http.ResponseWriter, r *http.Request, h *Host) {
		b, err := io.ReadAll(r.Body)
		if err == nil {
			var st HostState
			if st, err = DecodeHost(b, h.view().Realism); err == nil {
				if st, err = unredactHost(st, h.view()); err == nil {
					err = h.Replace(st)
				}
			}
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		writeJSON(w, http.StatusOK, redactHost(*h.view()))
	}))
	mux.HandleFunc("PATCH /v1/hosts/{host}", host(func(w http.ResponseWriter, r *http.Request, h *Host) {
		b, err := io.ReadAll(r.Body)
		if err == nil {
			err = h.Patch(b)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		writeJSON(w, http.StatusOK, redactHost(*h.view()))
	}))
	mux.HandleFunc("GET /v1/hosts/{host}/log", host(func(w http.ResponseWriter, r *http.Request, h *Host) {
		since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		writeJSON(w, http.StatusOK, h.Log(since))
	}))
	mux.HandleFunc("GET /v1/hosts/{host}/shells", host(func(w http.ResponseWriter, r *http.Request, h *Host) {
		writeJSON(w, http.StatusOK, h.Shells())
	}))
	mux.HandleFunc("GET /v1/hosts/{host}/faults", host(func(w http.ResponseWriter, r *http.Request, h *Host) {
		writeJSON(w, http.StatusOK, h.Faults())
	}))
	mux.HandleFunc("POST /v1/hosts/{host}/faults", host(func(w http.ResponseWriter, r *http.Request, h *Host) {
		var f Fault
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		err := dec.Decode(&f)
		var id int
		if err == nil {
			id, err = h.AddFault(f)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]int{"id": id})
	}))
	mux.HandleFunc("DELETE /v1/hosts/{host}/faults", host(func(w http.ResponseWriter, r *http.Request, h *Host) {
		h.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("POST /v1/hosts/{host}/reboot", host(func(w http.ResponseWriter, r *http.Request, h *Host) {
		n, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		h.Reboot(time.Duration(n) * time.Millisecond)
		w.WriteHeader(http.StatusAccepted)
	}))
	mux.HandleFunc("POST /v1/hosts/{host}/gpupdate", host(func(w http.ResponseWriter, r *http.Request, h *Host) {
		if err := s.RefreshPolicy(h.Name()); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("GET /v1/domains", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Domains())
	})
	mux.HandleFunc("GET /v1/clearinghouse", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, redactClearinghouse(s.Clearinghouse()))
	})
	mux.HandleFunc("PUT /v1/clearinghouse", func(w http.ResponseWriter, r *http.Request) {
		var ch ClearinghouseState
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ch); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		if hasRedacted(ch) {
			writeError(w, http.StatusBadRequest, fmt.Errorf("a code or number is %s: the control API never returns them, send the real ones", Redacted))
			return
		}
		s.UpdateClearinghouse(func(c *ClearinghouseState) { *c = ch })
		writeJSON(w, http.StatusOK, redactClearinghouse(s.Clearinghouse()))
	})
	mux.HandleFunc("GET /v1/clearinghouse/license-server-id", func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimSpace(r.URL.Query().Get("product_id"))
		if p == "" {
			writeError(w, http.StatusBadRequest, fmt.Errorf("product_id is required"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"product_id": p, "license_server_id": LicenseServerIDFor(p)})
	})
	mux.HandleFunc("GET /v1/scenario", func(w http.ResponseWriter, r *http.Request) {
		sc := s.Scenario()
		for i := range sc.Hosts {
			sc.Hosts[i] = redactHost(sc.Hosts[i])
		}
		sc.Clearinghouse = redactClearinghouse(sc.Clearinghouse)
		writeJSON(w, http.StatusOK, sc)
	})
	mux.HandleFunc("POST /v1/save", func(w http.ResponseWriter, r *http.Request) {
		if save == nil {
			writeError(w, http.StatusNotImplemented, fmt.Errorf("no state file"))
			return
		}
		if err := save(); err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /v1/ca.pem", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(s.CACertPEM())
	})
	return mux
}

// HostSummary is one line of GET /v1/hosts.
type HostSummary struct {
	Name    string `json:"name"`
	FQDN    string `json:"fqdn"`
	Address string `json:"address"`
	OS      string `json:"os"`
	Online  bool   `json:"online"`
	Shells  int    `json:"shells"`
}

func (s *Sim) summaries() []HostSummary {
	var out []HostSummary
	for _, h := range s.Hosts() {
		st := h.view()
		out = append(out, HostSummary{Name: st.Name, FQDN: st.FQDN(), Address: st.Address, OS: st.OS, Online: h.online(), Shells: len(h.Shells())})
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // Redacted reads as itself
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
