package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"riskmap/geo"
	"riskmap/geo/grading"
	"riskmap/geo/postgis"
)

const gradeHelp = `Usage: riskmap grade [--list] [--load FILE] [--rule KEY=on|off]... [--reason TEXT] [--recompute [--category C]]

Grading schemes (LEC, MES, the 5×5 risk matrix, the hazardous-chemicals
100-point diagnostic, GB 18218 major hazards, bridge classes and Dr,
black-spot classes, stated grades) and override rules (R4, R5, R6, R7, R9
…) are data in the database; riskmap ships defaults (see README). Every
change is stored as a new version; assessments name the version that
graded them.

  --list         print the schemes and rules in force
  --load FILE    store the schemes and rules of FILE (the shape of
                 sql/grading/defaults.json) that differ from those in force
  --rule R7=off  switch a rule off (or on) for this deployment
  --reason TEXT  why, kept with the versions --load and --rule store
                 (default "command line"); the admin page 评定方案 asks
                 for it too, and grades everything again at once
  --recompute    grade every active object again under the schemes in
                 force and print what changed (counts by from→to); running
                 it again changes nothing
`

func runGrade(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var db dbConfig
	fs := newFlagSet("grade", gradeHelp, stderr)
	db.register(fs, getenv)
	list := fs.Bool("list", false, "print the schemes and rules in force")
	load := fs.String("load", "", "store the schemes and rules of this JSON file")
	var rules []string
	fs.Func("rule", "KEY=on or KEY=off: switch a rule (repeatable)", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" || (val != "on" && val != "off") {
			return fmt.Errorf("want KEY=on or KEY=off, got %q", v)
		}
		rules = append(rules, v)
		return nil
	})
	reason := fs.String("reason", "command line", "why: kept with the versions --load and --rule store")
	recompute := fs.Bool("recompute", false, "grade every active object again")
	category := fs.String("category", "", "with --recompute: only this category")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*list && *load == "" && len(rules) == 0 && !*recompute {
		fs.Usage()
		return fmt.Errorf("%w: give --list, --load, --rule or --recompute", errUsage)
	}
	var cat geo.Category
	if *category != "" {
		c, err := geo.ParseCategory(*category)
		if err != nil {
			return fmt.Errorf("--category %q: want enterprises, bridges, black_spots, rescue_resources or shelters", *category)
		}
		cat = c
	}
	var set grading.Set
	if *load != "" {
		b, err := os.ReadFile(*load)
		if err != nil {
			return fmt.Errorf("--load: %w", err)
		}
		if set, err = grading.ParseSet(b); err != nil {
			return fmt.Errorf("--load %s: %w", *load, err)
		}
	}
	store, closeDB, err := db.openCurrent(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	actor := "cli:" + currentUser()
	if *load != "" {
		stored, err := store.LoadGrading(ctx, set, *reason, actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "stored %d new versions: %s\n", len(stored), strings.Join(stored, ", "))
	}
	for _, r := range rules {
		k, v, _ := strings.Cut(r, "=")
		changed, err := store.SwitchRule(ctx, k, v == "on", *reason, actor)
		if errors.Is(err, geo.ErrNotFound) {
			return fmt.Errorf("--rule: no rule %q", k)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rule %s: %s%s\n", k, v, map[bool]string{true: "", false: " (already)"}[changed])
	}
	if *list {
		if err := printGrading(ctx, store, stdout); err != nil {
			return err
		}
	}
	if *recompute {
		start := time.Now()
		st, err := store.Regrade(ctx, postgis.RegradeFilter{Category: cat}, "recompute", actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "regraded %d objects in %.1f s: %d new assessments\n", st.Objects, time.Since(start).Seconds(), st.Changed)
		moves := make([]string, 0, len(st.Moves))
		for m := range st.Moves {
			moves = append(moves, m)
		}
		slices.Sort(moves)
		for _, m := range moves {
			fmt.Fprintf(stdout, "  %-24s %d\n", m, st.Moves[m])
		}
		if st.Problems > 0 {
			fmt.Fprintf(stdout, "%d objects kept as they were: their inputs no longer fit a scheme in force, e.g.\n  %s\n", st.Problems, strings.Join(st.Examples, "\n  "))
		}
	}
	return nil
}

func printGrading(ctx context.Context, store *postgis.Store, w io.Writer) error {
	set, err := store.Grading(ctx)
	if err != nil {
		return err
	}
	onOff := map[bool]string{true: "on ", false: "off"}
	fmt.Fprintln(w, "schemes (by category, in the order they are tried):")
	for _, c := range geo.AllCategories {
		ss := slices.Clone(set.Schemes)
		slices.SortFunc(ss, func(a, b grading.Scheme) int { return a.Priority - b.Priority })
		for _, s := range ss {
			if s.Category == c {
				fmt.Fprintf(w, "  %s %-18s %-20s v%d %s\n", onOff[s.Enabled], c, s.Code, s.Version, s.Name)
			}
		}
	}
	fmt.Fprintln(w, "rules (in the order they run):")
	rs := slices.Clone(set.Rules)
	slices.SortFunc(rs, func(a, b grading.Rule) int { return a.Priority - b.Priority })
	for _, r := range rs {
		fmt.Fprintf(w, "  %s %-4s when %s %s %g: %s %s%s — %s\n", onOff[r.Enabled], r.Key, r.When.Var, r.When.Op, r.When.Value, r.Action,
			map[bool]string{true: r.Grade.String(), false: ""}[r.Grade.Assessed()], map[bool]string{true: fmt.Sprint(r.Steps), false: ""}[r.Steps > 0], r.ReasonZH)
	}
	return nil
}
