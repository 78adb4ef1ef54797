package postgis_test

import (
	"context"
	"fmt"
	"github.com/jackc/pgx/v5"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
)

// BenchmarkSearch times GET /api/v1/search's query over 200,000
// enterprises named as Lishui's are ({place}{trade name}{trade}有限公司,
// with credit codes and addresses): 2,000 queries at concurrency 8, each
// a part of some object's name (2 to 6 characters), a credit code's first
// 12 characters, or a name with a character left out (the fuzzy path);
// and a query that matches nearly everything (有限公司). It reports p50
// and p99 per kind; the target is p99 ≤ 50 ms for the parts of names.
//
//	go test -run '^$' -bench Search -benchtime 1x ./geo/postgis/
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	url := pgtest.NewDB(b)
	s, err := postgis.Open(ctx, url, postgis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	places := []rune("碧湖大港头老竹丽新雅溪太平仙渡峰源黄村紫金岩泉万象白云南明联城水阁富岭壶镇新建东渡舒洪五云")
	trade := []rune("丽源宏达华通永盛鑫瑞恒信金利顺天泰和裕丰兴隆博远嘉诚宇晟浩然鼎力华美安康吉祥鸿运昌盛广汇")
	trades := []string{"竹木制品", "化工", "机械制造", "食品", "阀门", "五金", "纺织", "建材", "矿业", "物流", "制药", "电子", "塑业", "印刷", "汽配", "茶业", "酒业", "冶金", "包装", "环保科技"}
	r := rand.New(rand.NewPCG(7, 7))
	pick := func(rs []rune, n int) string {
		var sb strings.Builder
		for range n {
			sb.WriteRune(rs[r.IntN(len(rs))])
		}
		return sb.String()
	}
	ds := smallDataset()
	ds.Objects = nil
	names, codes := make([]string, benchObjects), make([]string, benchObjects)
	for i := range benchObjects {
		names[i] = pick(places, 2) + pick(trade, 2) + trades[r.IntN(len(trades))] + "有限公司"
		codes[i] = fmt.Sprintf("91331102MA%08X", r.Uint32())
		county, x := "331102", 119.9
		if i%2 == 1 {
			county, x = "331121", 120.2
		}
		ds.Objects = append(ds.Objects, geo.Object{Category: geo.Enterprises, Name: names[i], SourceID: fmt.Sprint(i), County: county,
			Point:      orb.Point{x + r.Float64()*0.09, 28.4 + r.Float64()*0.09},
			Attributes: map[string]any{"uscc": codes[i], "address": fmt.Sprintf("浙江省丽水市%s路%d号", pick(places, 2), r.IntN(500)+1)}})
	}
	t0 := time.Now()
	if _, err := s.Load(ctx, ds); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d objects in %.1f s", benchObjects, time.Since(t0).Seconds())
	// The statistics autovacuum gathers within a minute of such a load
	// (Search reads how common each character pair is from them).
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "ANALYZE risk_object"); err != nil {
		b.Fatal(err)
	}
	conn.Close(ctx)
	queries := map[string][]string{}
	for range 2000 {
		i := r.IntN(benchObjects)
		n := []rune(names[i])
		switch k := r.IntN(10); {
		case k < 7:
			l := 2 + r.IntN(5)
			at := r.IntN(len(n) - 4 - l + 1) // not into 有限公司
			queries["name"] = append(queries["name"], string(n[at:at+l]))
		case k < 9:
			queries["code"] = append(queries["code"], codes[i][:12])
		default:
			cut := 2 + r.IntN(3)
			queries["fuzzy"] = append(queries["fuzzy"], string(n[:cut])+string(n[cut+1:len(n)-4]))
		}
	}
	queries["common"] = slices.Repeat([]string{"有限公司"}, 50)
	for b.Loop() {
		for _, kind := range []string{"name", "code", "fuzzy", "common"} {
			qs := queries[kind]
			lat := make([]time.Duration, len(qs))
			var wg sync.WaitGroup
			var next sync.Mutex
			i := 0
			for range 8 {
				wg.Go(func() {
					for {
						next.Lock()
						j := i
						i++
						next.Unlock()
						if j >= len(qs) {
							return
						}
						t := time.Now()
						hits, err := s.Search(ctx, geo.SearchQuery{Q: qs[j], Limit: geo.DefaultSearchLimit})
						lat[j] = time.Since(t)
						if err != nil || len(hits) == 0 {
							b.Errorf("search %q: %d hits, %v", qs[j], len(hits), err)
						}
					}
				})
			}
			wg.Wait()
			slices.Sort(lat)
			p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / 1e6 }
			fmt.Printf("search %-6s %4d queries: p50 %6.2f p99 %6.2f ms\n", kind, len(qs), p(0.5), p(0.99))
			b.ReportMetric(p(0.99), kind+"-p99-ms")
		}
	}
}
