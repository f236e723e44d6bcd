package provider

import (
	"fmt"
	"sync"
	"testing"
)

func TestPlanNotes(t *testing.T) {
	d := &providerData{}
	if d.activationPlanned("ls01.contoso.com") {
		t.Fatal("an empty notebook answers true")
	}
	d.notePlannedActivation("LS01.Contoso.com")
	for _, h := range []string{"ls01.contoso.com", "LS01.CONTOSO.COM", " ls01.contoso.com "} {
		if !d.activationPlanned(h) {
			t.Errorf("activationPlanned(%q) = false after noting LS01.Contoso.com", h)
		}
	}
	for _, h := range []string{"ls02.contoso.com", "ls01", ""} {
		if d.activationPlanned(h) {
			t.Errorf("activationPlanned(%q) = true, only LS01.Contoso.com was noted", h)
		}
	}
	// No host, nothing noted: a blank host is never "planned".
	d.notePlannedActivation("  ")
	if d.activationPlanned("") {
		t.Error("a blank host was noted")
	}
	// Resources of an unconfigured provider have no data.
	var none *providerData
	none.notePlannedActivation("ls01")
	if none.activationPlanned("ls01") {
		t.Error("a nil providerData answers true")
	}
	// Each provider instance (each Configure) has its own notebook.
	if (&providerData{}).activationPlanned("ls01.contoso.com") {
		t.Error("a note leaked into another provider instance")
	}
}

// Terraform plans independent resources concurrently.
func TestPlanNotesConcurrent(t *testing.T) {
	d := &providerData{}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(2)
		go func() { defer wg.Done(); d.notePlannedActivation(fmt.Sprintf("LS%02d", i)) }()
		go func() { defer wg.Done(); _ = d.activationPlanned(fmt.Sprintf("ls%02d", i)) }()
	}
	wg.Wait()
	for i := range 50 {
		if !d.activationPlanned(fmt.Sprintf("ls%02d", i)) {
			t.Errorf("ls%02d: note lost", i)
		}
	}
}
