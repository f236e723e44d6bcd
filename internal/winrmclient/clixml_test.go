package winrmclient_test

import (
	"testing"
	"unicode/utf16"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

func TestDecodeStderr(t *testing.T) {
	const clixml = "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><S S=\"Error\">Write-Error \"Error\" : Error_x000D__x000A_</S><S S=\"Error\">    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorExcep _x000D__x000A_</S><S S=\"Error\">   tion_x000D__x000A_</S></Objs>"
	const progress = "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><Obj S=\"progress\" RefId=\"0\"><TN RefId=\"0\"><T>System.Management.Automation.PSCustomObject</T></TN><MS><I64 N=\"SourceId\">1</I64><PR N=\"Record\"><AV>Preparing modules for first use.</AV></PR></MS></Obj></Objs>"
	utf16le := func(s string) []byte {
		u := utf16.Encode([]rune(s))
		b := []byte{0xff, 0xfe}
		for _, r := range u {
			b = append(b, byte(r), byte(r>>8))
		}
		return b
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"error record", []byte(clixml), "Write-Error \"Error\" : Error\n    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorExcep\n   tion"},
		{"progress only", []byte(progress), ""},
		{"progress then error, BOM", append([]byte("\xef\xbb\xbf"+progress), []byte("<Objs><S S=\"Error\">boom_x000D__x000A_</S></Objs>")...), "boom"},
		{"escaped underscore", []byte("#< CLIXML\r\n<Objs><S S=\"Error\">a_x005F_x000D_b</S></Objs>"), "a_x000D_b"},
		{"plain text", []byte("The command line is too long.\r\n"), "The command line is too long."},
		{"UTF-16 with BOM", utf16le("Zugriff verweigert"), "Zugriff verweigert"},
		{"Windows-1252", []byte("Fehler: M\xfcller"), "Fehler: Müller"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := winrmclient.DecodeStderr(tc.in); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
