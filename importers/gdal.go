package importers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// GDALOptions say how to read a GIS file through GDAL.
type GDALOptions struct {
	// SourceSRS overrides the file's own coordinate system ("EPSG:4549");
	// empty uses the file's (.prj, GeoPackage metadata; KML is WGS84).
	SourceSRS string
	// Raw keeps the coordinates as they are, for GCJ-02 and BD-09 data
	// that GDAL cannot transform: riskmap converts them itself.
	Raw bool
	// Encoding of Shapefile attributes when there is no .cpg ("GBK").
	Encoding string
	// Layer to read from a multi-layer source; empty reads all.
	Layer string
}

// GDALReader reads a Shapefile (a .shp, a folder holding one, or a .zip),
// GeoPackage or KML by running GDAL's ogr2ogr, which writes the features as
// newline-delimited GeoJSON in WGS84 (or untransformed with Raw).
type GDALReader struct {
	*GeoJSONReader
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	waited sync.Once
	err    error
}

// NewGDALReader checks the file and starts ogr2ogr on it.
func NewGDALReader(ctx context.Context, path string, opt GDALOptions) (*GDALReader, error) {
	src, err := gdalSource(path, opt)
	if err != nil {
		return nil, err
	}
	bin, err := exec.LookPath("ogr2ogr")
	if err != nil {
		return nil, problemf(0, "", "", "reading Shapefile, GeoPackage or KML needs GDAL: apt-get install gdal-bin", "读取 Shapefile、GeoPackage、KML 需要 GDAL：apt-get install gdal-bin")
	}
	args := []string{"-f", "GeoJSONSeq", "/vsistdout/", src, "-lco", "RS=NO", "-lco", "COORDINATE_PRECISION=9"}
	switch {
	case opt.Raw:
		args = append(args, "-s_srs", "EPSG:4326", "-t_srs", "EPSG:4326")
	case opt.SourceSRS != "":
		args = append(args, "-s_srs", opt.SourceSRS, "-t_srs", "EPSG:4326")
	default:
		args = append(args, "-t_srs", "EPSG:4326")
	}
	if opt.Layer != "" {
		if strings.HasPrefix(opt.Layer, "-") {
			return nil, problemf(0, "", opt.Layer, "a layer name cannot start with '-'", "图层名不能以“-”开头")
		}
		args = append(args, opt.Layer)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	if opt.Encoding != "" {
		cmd.Args = append(cmd.Args, "--config", "SHAPE_ENCODING", opt.Encoding)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	g := &GDALReader{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = g.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start ogr2ogr: %w", err)
	}
	g.GeoJSONReader = newGeoJSONSeqReader(stdout)
	return g, nil
}

// Next returns the next feature; at the end it reports GDAL's failure, if
// any, instead of io.EOF.
func (g *GDALReader) Next() (Record, error) {
	rec, err := g.GeoJSONReader.Next()
	switch {
	case err == io.EOF:
		if werr := g.wait(); werr != nil {
			return rec, werr
		}
	case err != nil && !isRowProblem(err):
		// ogr2ogr may be blocked writing to us: stop it before waiting.
		g.Close()
	}
	return rec, err
}

// Close stops ogr2ogr if it still runs.
func (g *GDALReader) Close() error {
	if g.cmd.ProcessState == nil && g.cmd.Process != nil {
		g.cmd.Process.Kill()
	}
	g.wait()
	return nil
}

func (g *GDALReader) wait() error {
	g.waited.Do(func() {
		if err := g.cmd.Wait(); err != nil {
			msg := strings.TrimSpace(g.stderr.String())
			if i := strings.LastIndex(msg, "ERROR"); i >= 0 {
				msg = msg[i:]
			}
			g.err = problemf(0, "", "", "GDAL could not read the file: "+clip(msg, 300), "GDAL 无法读取该文件："+clip(msg, 300))
			if strings.Contains(msg, "no coordinate system") || strings.Contains(msg, "source layer has no coordinate system") {
				g.err = problemf(0, "", "", "the file does not say its coordinate system (.prj missing?): give --crs", "文件没有说明坐标系（缺少 .prj？），请用 --crs 指定")
			}
		}
	})
	return g.err
}

// gdalSource checks a GIS file and returns the name GDAL opens.
func gdalSource(path string, opt GDALOptions) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", problemf(0, "", "", "cannot open the file: "+err.Error(), "无法打开文件："+err.Error())
	}
	hasCRS := opt.SourceSRS != "" || opt.Raw
	switch ext := strings.ToLower(filepath.Ext(abs)); {
	case fi.IsDir():
		ents, err := os.ReadDir(abs)
		if err != nil {
			return "", err
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		shp, err := checkShapefile(names, hasCRS)
		if err != nil {
			return "", err
		}
		return filepath.Join(abs, shp), nil
	case ext == ".zip":
		zr, err := zip.OpenReader(abs)
		if err != nil {
			return "", problemf(0, "", "", "the zip file is damaged or truncated: "+err.Error(), "zip 文件已损坏或不完整："+err.Error())
		}
		defer zr.Close()
		var names []string
		var total uint64
		for _, f := range zr.File {
			if p := zipProblem(f); p != nil {
				return "", p
			}
			total += f.UncompressedSize64
			names = append(names, f.Name)
		}
		if total > maxZipBytes {
			return "", problemf(0, "", "", fmt.Sprintf("the zip unpacks to %d MiB, more than the %d MiB allowed", total>>20, maxZipBytes>>20),
				fmt.Sprintf("zip 解压后为 %d MiB，超过允许的 %d MiB", total>>20, maxZipBytes>>20))
		}
		shp, err := checkShapefile(names, hasCRS)
		if err != nil {
			return "", err
		}
		return "/vsizip/" + abs + "/" + shp, nil
	case ext == ".shp":
		ents, err := os.ReadDir(filepath.Dir(abs))
		if err != nil {
			return "", err
		}
		stem := strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
		var names []string
		for _, e := range ents {
			if strings.EqualFold(strings.TrimSuffix(e.Name(), filepath.Ext(e.Name())), stem) {
				names = append(names, e.Name())
			}
		}
		if _, err := checkShapefile(names, hasCRS); err != nil {
			return "", err
		}
		return abs, nil
	}
	return abs, nil
}

// checkShapefile finds the one Shapefile among names (a folder's or a
// zip's entries) and checks that its .dbf, .shx and (unless the CRS is
// given) .prj are there.
func checkShapefile(names []string, hasCRS bool) (string, error) {
	var shps []string
	have := map[string]bool{}
	for _, n := range names {
		have[strings.ToLower(n)] = true
		if strings.EqualFold(filepath.Ext(n), ".shp") {
			shps = append(shps, n)
		}
	}
	switch len(shps) {
	case 0:
		return "", problemf(0, "", "", "no .shp file found", "没有找到 .shp 文件")
	case 1:
	default:
		return "", problemf(0, "", "", "several Shapefiles ("+strings.Join(shps, ", ")+"): import them one by one", "有多个 Shapefile（"+strings.Join(shps, "、")+"），请逐个导入")
	}
	stem := strings.ToLower(strings.TrimSuffix(shps[0], filepath.Ext(shps[0])))
	if !have[stem+".dbf"] {
		return "", problemf(0, "", "", "the Shapefile lacks its .dbf (the attribute table)", "Shapefile 缺少 .dbf（属性表）")
	}
	if !have[stem+".shx"] {
		return "", problemf(0, "", "", "the Shapefile lacks its .shx (the index)", "Shapefile 缺少 .shx（索引文件）")
	}
	if !have[stem+".prj"] && !hasCRS {
		return "", problemf(0, "", "", "the Shapefile lacks its .prj (coordinate system): give --crs, e.g. --crs EPSG:4549", "Shapefile 缺少 .prj（坐标系），请用 --crs 指定，如 --crs EPSG:4549")
	}
	return shps[0], nil
}

// isRowProblem reports whether err concerns one record only.
func isRowProblem(err error) bool {
	var p *Problem
	return errors.As(err, &p) && p.Row > 0
}

// Limits on a zip: what it unpacks to in all, and how much one entry may
// grow (a zip bomb grows a thousandfold).
const (
	maxZipBytes = 4 << 30
	maxZipRatio = 200
)

// zipProblem refuses an entry that would escape the archive (an absolute
// path or ..) or that looks like a zip bomb.
func zipProblem(f *zip.File) *Problem {
	name := strings.ReplaceAll(f.Name, "\\", "/")
	if strings.HasPrefix(name, "/") || name == ".." || strings.HasPrefix(name, "../") || strings.Contains(name, "/../") || strings.HasSuffix(name, "/..") || filepath.VolumeName(name) != "" {
		return problemf(0, "", f.Name, "the zip holds a path outside itself: refused", "zip 中有指向其外部的路径，已拒绝")
	}
	if f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > maxZipRatio && f.UncompressedSize64 > 1<<20 {
		return problemf(0, "", f.Name, fmt.Sprintf("%s unpacks to %d times its size: not a Shapefile, a zip bomb", f.Name, f.UncompressedSize64/f.CompressedSize64),
			fmt.Sprintf("%s 解压后是原大小的 %d 倍：不是 Shapefile，疑似 zip 炸弹", f.Name, f.UncompressedSize64/f.CompressedSize64))
	}
	return nil
}
