package importers

import "hash/maphash"

// bloom is a Bloom filter of fixed size (2 MiB): it remembers the source
// ids seen so far, so that only ids it may have seen before (every real
// duplicate, and a few hundred false ones per million) are checked in SQL.
type bloom struct {
	seed maphash.Seed
	bits []uint64
}

const bloomBits = 1 << 24

func newBloom() *bloom { return &bloom{seed: maphash.MakeSeed(), bits: make([]uint64, bloomBits/64)} }

// seen adds s and reports whether it may have been added before.
func (b *bloom) seen(s string) bool {
	h := maphash.String(b.seed, s)
	h1, h2 := uint32(h), uint32(h>>32)
	all := true
	for i := uint32(0); i < 3; i++ {
		bit := (h1 + i*h2) % bloomBits
		w, m := bit/64, uint64(1)<<(bit%64)
		if b.bits[w]&m == 0 {
			all = false
			b.bits[w] |= m
		}
	}
	return all
}
