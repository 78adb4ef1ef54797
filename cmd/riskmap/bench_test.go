package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/postgis/cluster"
	"riskmap/importers/demo"
)

// benchRows is the size of the import benchmark's CSV.
const benchRows = 1_000_000

// writeBenchCSV writes n enterprises at random places inside Lishui's
// counties, with Chinese headers, as a clerk's export would have them.
func writeBenchCSV(b *testing.B, path string, n int) {
	ds, err := demo.Lishui()
	if err != nil {
		b.Fatal(err)
	}
	loc := geo.NewLocator(ds.Divisions)
	bb := loc.Bound()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(7, 11))
	grades := []string{"蓝", "蓝", "蓝", "黄", "黄", "橙", "红", ""}
	fmt.Fprintln(w, "统一社会信用代码,单位名称,经度,纬度,风险等级,从业人数,所属行业")
	for i := 0; i < n; {
		p := orb.Point{bb.Min[0] + r.Float64()*(bb.Max[0]-bb.Min[0]), bb.Min[1] + r.Float64()*(bb.Max[1]-bb.Min[1])}
		if _, ok := loc.Locate(p); !ok {
			continue
		}
		fmt.Fprintf(w, "91331100%010d,丽水测试企业%d有限公司,%.6f,%.6f,%s,%d,阀门\n", i, i, p[0], p[1], grades[i%len(grades)], 5+i%300)
		i++
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// measure runs cmd and returns its wall time and peak resident memory.
func measure(b *testing.B, cmd *exec.Cmd) (time.Duration, float64) {
	b.Helper()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	el := time.Since(start)
	if err != nil {
		b.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return el, float64(ru.Maxrss) / 1024 // KiB → MiB
}

// BenchmarkImportMillionCSV imports a 1,000,000-row point CSV with riskmap
// and, into the same PostgreSQL, with GDAL's ogr2ogr (spatial index
// included), and reports both times and peak memories:
//
//	make bench  (or: go test -run '^$' -bench ImportMillion -benchtime 1x ./cmd/riskmap/)
func BenchmarkImportMillionCSV(b *testing.B) {
	dir := b.TempDir()
	data := filepath.Join(dir, "data")
	csv := filepath.Join(dir, "enterprises.csv")
	writeBenchCSV(b, csv, benchRows)
	fi, _ := os.Stat(csv)
	// The counties, then keep the cluster up for the whole run so that
	// neither tool pays for starting it.
	if out, err := riskmapCmd("demo", "--load-only", "--data-dir", data).CombinedOutput(); err != nil {
		b.Fatalf("demo: %v\n%s", err, out)
	}
	cl, err := cluster.Open(context.Background(), cluster.Options{Dir: data})
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	for b.Loop() {
		tRisk, mRisk := measure(b, riskmapCmd("import", "--category", "enterprises", "--source", fmt.Sprint("bench-", time.Now().UnixNano()), "--quiet", "--data-dir", data, csv))
		ogr := exec.Command("ogr2ogr", "-f", "PostgreSQL", "PG:"+cl.ConnString(), csv,
			"-oo", "X_POSSIBLE_NAMES=经度", "-oo", "Y_POSSIBLE_NAMES=纬度", "-oo", "AUTODETECT_TYPE=YES",
			"-a_srs", "EPSG:4326", "-nln", "ogr_bench", "-overwrite", "-lco", "SPATIAL_INDEX=GIST", "--config", "PG_USE_COPY", "YES")
		tOgr, mOgr := measure(b, ogr)
		b.ReportMetric(tRisk.Seconds(), "riskmap-s")
		b.ReportMetric(mRisk, "riskmap-peak-MiB")
		b.ReportMetric(tOgr.Seconds(), "ogr2ogr-s")
		b.ReportMetric(mOgr, "ogr2ogr-peak-MiB")
		fmt.Printf("import of %d rows (%.0f MB CSV): riskmap %.1f s, peak %.0f MiB; ogr2ogr %.1f s, peak %.0f MiB\n",
			benchRows, float64(fi.Size())/1e6, tRisk.Seconds(), mRisk, tOgr.Seconds(), mOgr)
	}
}
