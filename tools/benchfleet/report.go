package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// report prints the table, the engine's differences from the CLI's
// remote work, the floors and the ratios; the last line is
// plan_over_floor=R.
//
// For each P: plan floor = max(median core-plan, median engine-plan),
// apply floor = max(median core-apply, median engine-apply), and
// X_over_floor = median X / X floor. With several P the unindexed ratios
// are the largest over P.
func (b *bench) report(w io.Writer, load0, load1 float64, took time.Duration) error {
	o := b.o
	var sb strings.Builder
	out := &sb
	put(out, "benchfleet: %s, N=%d session hosts + 1 license server, P=%s, %d runs, timing %s, HTTPS+NTLM\n",
		o.root, o.n, joinInts(o.ps), o.runs, o.timing)
	put(out, "cli: %s (%s)\n", b.w.cliVersion, b.w.cli)
	put(out, "machine: %d CPUs, load average %.1f at start and %.1f at end, %s in all\n\n", numCPU(), load0, load1, took.Round(time.Second))
	put(out, "%s\n", "| phase | P | wall min | median | max (s) | req/host | ps/host | LS req | LS ps | shells left | client peak RSS (MB) | client CPU (s) | CLI CPU (s) | winsim CPU (s) | load |")
	put(out, "%s\n", "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	n := float64(o.n)
	for _, p := range o.ps {
		for _, ph := range phaseOrder {
			ss := b.get(ph, p)
			if len(ss) == 0 {
				continue
			}
			walls := collectF(ss, func(s sample) float64 { return s.u.wall.Seconds() })
			row := []string{ph, fmt.Sprint(p), f2(slices.Min(walls)), f2(median(walls)), f2(slices.Max(walls))}
			if ss[0].remote {
				row = append(row,
					f1(median(collectF(ss, func(s sample) float64 { return float64(s.hosts.requests) / n }))),
					f2(median(collectF(ss, func(s sample) float64 { return float64(s.hosts.processes) / n }))),
					f0(median(collectF(ss, func(s sample) float64 { return float64(s.ls.requests) }))),
					f0(median(collectF(ss, func(s sample) float64 { return float64(s.ls.processes) }))),
					f0(median(collectF(ss, func(s sample) float64 { return float64(s.shellsLeft) }))),
					f0(median(collectF(ss, func(s sample) float64 { return float64(s.u.clientRSS) / (1 << 20) }))),
					f2(median(collectF(ss, func(s sample) float64 { return s.u.clientCPU.Seconds() }))))
			} else {
				row = append(row, "-", "-", "-", "-", "-", "-", "-")
			}
			if strings.HasPrefix(ph, "engine") {
				row = append(row, "-")
			} else {
				row = append(row, f2(median(collectF(ss, func(s sample) float64 { return s.u.cli.Seconds() }))))
			}
			if ss[0].remote {
				row = append(row, f2(median(collectF(ss, func(s sample) float64 { return s.winsimCPU.Seconds() }))))
			} else {
				row = append(row, "-")
			}
			row = append(row, f1(median(collectF(ss, func(s sample) float64 { return s.load }))))
			put(out, "%s\n", "| "+strings.Join(row, " | ")+" |")
		}
	}
	put(out, "\n")
	put(out, "%s\n", "req/host, ps/host: HTTP requests (authentication legs included) and powershell.exe starts per session host; LS: on the license server; shells left: open on all hosts after the phase.")
	put(out, "%s\n", "client: the provider processes the CLI started (peak RSS of the largest, CPU summed), or the engine's process. Medians over runs.")
	for _, l := range b.opDifferences() {
		put(out, "%s\n", l)
	}
	put(out, "\n")

	// CPU time suffers less than wall time from a machine shared with
	// other work: the CPU the CLI and its providers spent beside what
	// core alone and the engine alone spent on the same work.
	for _, p := range o.ps {
		cpu := func(phase string, f func(sample) time.Duration) float64 {
			return median(collectF(b.get(phase, p), func(s sample) float64 { return f(s).Seconds() }))
		}
		cliCPU := func(s sample) time.Duration { return s.u.cli }
		clientCPU := func(s sample) time.Duration { return s.u.clientCPU }
		for _, ph := range [][3]string{{phPlan, phCorePlan, phEnginePlan}, {phApply, phCoreApply, phEngineApply}} {
			c, pr := cpu(ph[0], cliCPU), cpu(ph[0], clientCPU)
			core, eng := cpu(ph[1], cliCPU), cpu(ph[2], clientCPU)
			put(out, "cpu P=%d: %s %.2f s (CLI %.2f + provider %.2f) against %s %.2f + %s %.2f = %.2f s: %.2fx\n",
				p, ph[0], c+pr, c, pr, ph[1], core, ph[2], eng, core+eng, (c+pr)/(core+eng))
		}
	}
	if l := b.maxLoad(); l > float64(numCPU()) {
		put(out, "note: the load average reached %.1f on %d CPUs: wall times include waiting for a CPU, the CPU-bound core floor most; compare runs at similar load, or the cpu lines\n", l, numCPU())
	}
	put(out, "\n")

	var worstPlan, worstApply float64
	for _, p := range o.ps {
		plan, apply := b.medianWall(phPlan, p), b.medianWall(phApply, p)
		cp, ep := b.medianWall(phCorePlan, p), b.medianWall(phEnginePlan, p)
		ca, ea := b.medianWall(phCoreApply, p), b.medianWall(phEngineApply, p)
		pf, af := max(cp, ep), max(ca, ea)
		put(out, "floor P=%d: plan max(core-plan %.2f s, engine-plan %.2f s) = %.2f s; apply max(core-apply %.2f s, engine-apply %.2f s) = %.2f s\n",
			p, cp, ep, pf, ca, ea, af)
		ap, pp := apply/af, plan/pf
		worstPlan, worstApply = max(worstPlan, pp), max(worstApply, ap)
		if len(o.ps) > 1 {
			put(out, "apply_over_floor[P=%d]=%.2f\n", p, ap)
			put(out, "plan_over_floor[P=%d]=%.2f\n", p, pp)
		}
		// The CLI's apply cannot run in one provider process: the floor
		// of its two, beside the formula's.
		if ec := b.medianWall(phEngineApplyCLI, p); ec > 0 {
			put(out, "two-process floor P=%d: apply max(core-apply %.2f s, engine-apply-cli %.2f s) = %.2f s; apply_over_two_process_floor[P=%d]=%.2f\n",
				p, ca, ec, max(ca, ec), p, apply/max(ca, ec))
		}
	}
	put(out, "apply_over_floor=%.2f\n", worstApply)
	put(out, "plan_over_floor=%.2f\n", worstPlan)
	_, err := io.WriteString(w, sb.String())
	return err
}

func put(sb *strings.Builder, format string, a ...any) { _, _ = fmt.Fprintf(sb, format, a...) }

func (b *bench) get(phase string, p int) []sample {
	var out []sample
	for _, s := range b.samples {
		if s.phase == phase && s.p == p {
			out = append(out, s)
		}
	}
	return out
}

func (b *bench) maxLoad() float64 {
	l := 0.0
	for _, s := range b.samples {
		l = max(l, s.load)
	}
	return l
}

func (b *bench) medianWall(phase string, p int) float64 {
	return median(collectF(b.get(phase, p), func(s sample) float64 { return s.u.wall.Seconds() }))
}

// opDifferences compares the operations the engine ran with those of the
// CLI's phase it stands for, per session host and on the license server:
// a difference means engine.go no longer follows the provider.
func (b *bench) opDifferences() []string {
	var out []string
	for _, pair := range [][2]string{{phPlan, phEnginePlan}, {phApply, phEngineApply}, {phApply, phEngineApplyCLI}} {
		for _, p := range b.o.ps {
			cli, eng := b.get(pair[0], p), b.get(pair[1], p)
			if len(cli) == 0 || len(eng) == 0 {
				continue
			}
			c, e := cli[len(cli)-1], eng[len(eng)-1]
			if d := opDiff(c.hosts.ops, e.hosts.ops, b.o.n); d != "" {
				out = append(out, fmt.Sprintf("WARNING: per session host, %s (P=%d) ran %s: update tools/benchfleet/engine.go", pair[1], p, d))
			}
			if d := opDiff(c.ls.ops, e.ls.ops, 1); d != "" {
				out = append(out, fmt.Sprintf("WARNING: on the license server, %s (P=%d) ran %s: update tools/benchfleet/engine.go", pair[1], p, d))
			}
		}
	}
	return out
}

// opDiff describes how the engine's operation counts (per host) differ
// from the CLI's: "" when they are the same.
func opDiff(cli, eng map[string]int, n int) string {
	names := slices.Sorted(maps.Keys(cli))
	for k := range eng {
		if _, ok := cli[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var diffs []string
	for _, k := range names {
		if cli[k] != eng[k] {
			diffs = append(diffs, fmt.Sprintf("%s %.2g times where the CLI ran it %.2g times", k, float64(eng[k])/float64(n), float64(cli[k])/float64(n)))
		}
	}
	return strings.Join(diffs, ", ")
}

func collectF(ss []sample, f func(sample) float64) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func f0(v float64) string { return fmt.Sprintf("%.0f", v) }
func f1(v float64) string { return fmt.Sprintf("%.1f", v) }
func f2(v float64) string { return fmt.Sprintf("%.2f", v) }

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, " ")
}
