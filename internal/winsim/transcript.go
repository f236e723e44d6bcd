package winsim

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TranscriptHostName is the name of the host a transcript becomes: the
// probe's placeholder for the server's own name.
const TranscriptHostName = "HOST"

// ScenarioFromTranscript reads a conformance probe transcript (cmd/winsim
// probe -out) and returns a scenario of one host that answers like the
// server did: its release, domain, features, services, activation, key
// packs, session host settings, and the quirks its key packs reveal.
// Only the observations are read; the rest of the transcript is for people.
func ScenarioFromTranscript(r io.Reader, timing Realism) (Scenario, error) {
	var t struct {
		Observations map[string]string `json:"observations"`
	}
	if err := json.NewDecoder(r).Decode(&t); err != nil {
		return Scenario{}, fmt.Errorf("transcript: %w", err)
	}
	st, err := HostFromObservations(TranscriptHostName, t.Observations)
	if err != nil {
		return Scenario{}, fmt.Errorf("transcript: %w", err)
	}
	st.Realism = timing
	return Scenario{Hosts: []HostState{st}, Clearinghouse: ClearinghouseState{Reachable: true}}, nil
}

// ScenarioFromTranscriptFile is ScenarioFromTranscript on a file.
func ScenarioFromTranscriptFile(path string, timing Realism) (Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return Scenario{}, err
	}
	defer func() { _ = f.Close() }()
	return ScenarioFromTranscript(f, timing)
}

// HostFromObservations builds a host from get_windows_facts observations.
func HostFromObservations(name string, obs map[string]string) (HostState, error) {
	release := obs["os.release"]
	if _, ok := OSBuilds[release]; !ok {
		return HostState{}, fmt.Errorf("os.release %q is not a release winsim models", release)
	}
	domain := ""
	if obs["computer.part_of_domain"] == "true" {
		domain = obs["computer.domain"]
	}
	st := NewHost(name, release, domain)
	if domain == "" && obs["computer.domain"] != "" {
		st.Workgroup = obs["computer.domain"]
	}
	if role := atoi(obs["computer.domain_role"]); role >= 4 {
		st.DomainController = true
	}
	var packIDs []int64
	packs := map[int64]*KeyPackState{}
	for k, v := range obs {
		switch {
		case strings.HasPrefix(k, "feature."):
			st.Features[strings.TrimPrefix(k, "feature.")] = v
		case strings.HasPrefix(k, "service.") && strings.HasSuffix(k, ".status"):
			svc := strings.TrimSuffix(strings.TrimPrefix(k, "service."), ".status")
			st.Services[svc] = Service{Status: v, StartType: obs["service."+svc+".start_type"]}
		case strings.HasPrefix(k, "keypack."):
			idText, prop, ok := strings.Cut(strings.TrimPrefix(k, "keypack."), ".")
			id, err := strconv.ParseInt(idText, 10, 64)
			if !ok || err != nil {
				continue // keypack.builtin.* and keypack.version_id[...] summarise the packs
			}
			kp := packs[id]
			if kp == nil {
				kp = &KeyPackState{KeyPackID: id, ExpirationDate: time.Date(2038, 1, 19, 3, 14, 7, 0, time.UTC)}
				packs[id] = kp
				packIDs = append(packIDs, id)
			}
			setKeyPackProperty(kp, prop, v)
		}
	}
	sort.Slice(packIDs, func(i, j int) bool { return packIDs[i] < packIDs[j] })
	for _, id := range packIDs {
		st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks, *packs[id])
		if id >= st.LicenseServer.NextKeyPackID {
			st.LicenseServer.NextKeyPackID = id + 1
		}
	}
	// The CAL version numbers of 2022 and 2025 are quirks: take them from
	// the server's own packs.
	if v, ok := obs["keypack.version_id[Windows Server 2022]"]; ok {
		st.Quirks.ProductVersion2022 = atoi(v)
	}
	if v, ok := obs["keypack.version_id[Windows Server 2025]"]; ok {
		st.Quirks.ProductVersion2025 = atoi(v)
	}
	st.LicenseServer.Activated = obs["ls.activation_status"] == "0"
	if st.LicenseServer.Activated {
		st.LicenseServer.LicenseServerID = LicenseServerIDFor(st.LicenseServer.ProductID)
	}
	st.LicenseServer.ServerRole = atoi(obs["ls.ServerRole"])

	sh := &st.SessionHost
	if v, ok := obs["reg.policy.LicensingMode"]; ok {
		m := atoi(v)
		sh.PolicyLicensingMode = &m
	}
	if v, ok := obs["reg.policy.LicenseServers.count"]; ok {
		s := strings.Join(placeholderServers(atoi(v)), ",")
		sh.PolicyLicenseServers = &s
	}
	if v, ok := obs["reg.rcm.LicensingMode"]; ok {
		sh.ConfigLicensingMode = atoi(v)
	}
	if v, ok := obs["reg.config.SpecifiedLicenseServers.count"]; ok {
		sh.ConfigLicenseServers = placeholderServers(atoi(v))
	}
	if st.FeatureInstalled(FeatureSessionHost) {
		// The grace period is not observed; a running one is the common case.
		ends := time.Now().Add(100 * 24 * time.Hour).UTC().Truncate(time.Hour)
		sh.GracePeriodEnds = &ends
	}
	return st, nil
}

func setKeyPackProperty(kp *KeyPackState, prop, v string) {
	switch prop {
	case "KeyPackType":
		kp.KeyPackType = atoi(v)
	case "ProductType":
		kp.ProductType = atoi(v)
	case "ProductVersionID":
		kp.ProductVersionID = atoi(v)
	case "TypeAndModel":
		kp.TypeAndModel = v
	case "Description":
		kp.Description = v
	case "TotalLicenses":
		kp.TotalLicenses, _ = strconv.ParseInt(v, 10, 64)
	case "IssuedLicenses":
		kp.IssuedLicenses, _ = strconv.ParseInt(v, 10, 64)
	}
}

// placeholderServers stands in for license server names the transcript
// only counts.
func placeholderServers(n int) []string {
	out := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprintf("LICENSESERVER%d", i))
	}
	return out
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
