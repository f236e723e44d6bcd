package winsim

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Command lines run through cmd.exe (WINRS_SKIP_CMD_SHELL=FALSE), so cmd's
// 8191-character limit applies; past CreateProcess's 32767 the process
// cannot start at all. Both count UTF-16 units, as Windows strings do.
const (
	cmdLineLimit           = 8191
	createProcessLineLimit = 32767
)

// startProcess starts what a command line names, as cmd.exe would.
func startProcess(c *command, args []string) *wsFault {
	line := c.line
	if len(args) > 0 {
		line += " " + strings.Join(args, " ")
	}
	n := len(utf16.Encode([]rune(line)))
	if n > createProcessLineLimit {
		return faultFilenameTooLong()
	}
	sh := c.shell
	st := sh.host.view()
	p := &builtin{c: c}
	c.proc = p
	if n > cmdLineLimit {
		// cmd prints this on stdout, not stderr.
		p.finishWith(1, "The command line is too long.\r\n", "")
		return nil
	}
	name, rest := splitCommand(line)
	switch strings.TrimSuffix(strings.ToLower(name), ".exe") {
	case "hostname":
		p.finishWith(0, st.Name+"\r\n", "")
	case "whoami":
		p.finishWith(0, whoami(st, sh.owner)+"\r\n", "")
	case "echo", "echo.":
		p.finishWith(0, echo(name, rest), "")
	case "ver":
		p.finishWith(0, fmt.Sprintf("\r\nMicrosoft Windows [Version %s.%d]\r\n", OSBuilds[st.OS], 1), "")
	case "exit":
		p.finishWith(exitCode(rest), "", "")
	case "powershell", `c:\windows\system32\windowspowershell\v1.0\powershell`:
		return startPowerShell(c, st, rest)
	case "":
		p.finishWith(0, "", "")
	default:
		p.finishWith(1, "", fmt.Sprintf("'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", name))
	}
	return nil
}

// splitCommand separates the program name (quotes removed) from the rest.
func splitCommand(line string) (name, rest string) {
	line = strings.TrimLeft(line, " \t")
	if strings.HasPrefix(line, `"`) {
		if end := strings.Index(line[1:], `"`); end >= 0 {
			return line[1 : end+1], strings.TrimLeft(line[end+2:], " \t")
		}
	}
	// cmd treats "echo." and "echo," as echo.
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		return line[:i], strings.TrimLeft(line[i+1:], " \t")
	}
	return line, ""
}

// whoami prints the account name in lower case.
func whoami(st *HostState, u User) string { return strings.ToLower(accountName(st, u)) }

func echo(name, rest string) string {
	if strings.EqualFold(name, "echo.") {
		return "\r\n"
	}
	if strings.TrimSpace(rest) == "" {
		return "ECHO is on.\r\n"
	}
	return rest + "\r\n"
}

func exitCode(rest string) int {
	f := strings.Fields(rest)
	if len(f) > 0 && strings.EqualFold(f[0], "/b") {
		f = f[1:]
	}
	if len(f) == 0 {
		return 0
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return 0
	}
	return n
}

// builtin is a cmd.exe built-in or a program that ran to completion at once.
type builtin struct{ c *command }

func (b *builtin) finishWith(code int, stdout, stderr string) {
	b.c.write("stdout", b.encode(stdout))
	b.c.write("stderr", b.encode(stderr))
	b.c.finish(code)
}

// encode writes text in the shell's code page, as console programs do.
func (b *builtin) encode(s string) []byte {
	return encodeCodePage(b.c.shell.codepage, s)
}

func (b *builtin) input([]byte, bool) {}
func (b *builtin) signal(string)      {}

// encodeCodePage encodes console output: UTF-8 for 65001 (what
// masterzen asks for), the OEM code page 437 (pywinrm's default), else 1252.
func encodeCodePage(cp, s string) []byte {
	switch cp {
	case "", "65001":
		return []byte(s)
	case "437":
		out, err := charmap.CodePage437.NewEncoder().String(s)
		if err == nil {
			return []byte(out)
		}
	}
	out, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		return []byte(s)
	}
	return []byte(out)
}

// psArgs reads the -EncodedCommand of a powershell.exe command line. Like
// PowerShell it accepts any unambiguous prefix (-e, -ec, -enc, ...). usage
// is the text powershell.exe prints for a bad command line.
func psArgs(rest string) (script string, ok bool, usage string) {
	f := strings.Fields(rest)
	for i := 0; i < len(f); i++ {
		a := strings.ToLower(strings.TrimLeft(f[i], "-/"))
		if a == "" || !strings.HasPrefix(f[i], "-") && !strings.HasPrefix(f[i], "/") {
			continue
		}
		if strings.HasPrefix("encodedcommand", a) && (a == "e" || strings.HasPrefix(a, "ec") || strings.HasPrefix(a, "en")) {
			if i+1 >= len(f) {
				return "", false, "Missing parameter for the -EncodedCommand argument"
			}
			raw, derr := base64.StdEncoding.DecodeString(f[i+1])
			if derr != nil || len(raw)%2 != 0 {
				return "", false, "Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded"
			}
			u := make([]uint16, len(raw)/2)
			for j := range u {
				u[j] = uint16(raw[2*j]) | uint16(raw[2*j+1])<<8
			}
			return string(utf16.Decode(u)), true, ""
		}
	}
	return "", false, ""
}
