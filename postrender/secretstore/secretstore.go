// Package secretstore keeps the values the post-renderer moves into its
// generated Secret out of memory until the end of the pass, when the Secret
// is written: the stream may hold a moved value in every other document,
// and a map of them grew the pass's memory with the stream.
//
// Values are gathered in a small chunk; a full chunk is sorted in each order
// the Secret is written in (secretgen.Order) and appended to a spool file
// per order as a sorted run, and the end merges the runs. What stays in
// memory is the chunk, a fixed-size Bloom filter over the keys already
// spooled (so that most lookups of a new key never read the files), and one
// offset pair per run of chunkLen keys.
//
// A value is never written anywhere but the unlinked spool files, and no
// error quotes one.
package secretstore

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"

	"github.com/helm-todo/helm-todo/postrender/secretgen"
	"github.com/helm-todo/helm-todo/postrender/spool"
)

// chunkLen and chunkBytes bound the chunk: it is spooled when either is
// reached.
const (
	chunkLen   = 2048
	chunkBytes = 1 << 20
)

// The Bloom filter: 2^22 bits (512 KiB) and 6 probes keep false hits (each
// one a read of the runs) below one in a thousand up to 250,000 keys, a
// stream of a million documents.
const (
	bloomBits   = 1 << 22
	bloomProbes = 6
)

var orders = [...]secretgen.Order{secretgen.ByteOrder, secretgen.YAMLOrder}

// Store is a set of unique keys with their values. Its zero value is ready
// to use; Close releases its files.
type Store struct {
	chunk  []entry
	bytes  int
	index  map[string]int // key → its position in chunk
	files  [len(orders)]spool.File
	runs   [len(orders)][]section
	bloom  []uint64 // nil until the first run is spooled
	spools int      // keys in runs
}

type entry struct{ key, value string }

type section struct{ off, n int64 }

// Len is the number of keys.
func (s *Store) Len() int { return s.spools + len(s.chunk) }

// Put adds key with value. The key must not be in the store yet (see Get).
func (s *Store) Put(key, value string) error {
	if s.index == nil {
		s.index = map[string]int{}
	}
	s.index[key] = len(s.chunk)
	s.chunk = append(s.chunk, entry{key, value})
	s.bytes += len(key) + len(value)
	if len(s.chunk) >= chunkLen || s.bytes >= chunkBytes {
		return s.spool()
	}
	return nil
}

// Get returns key's value and whether the store has it.
func (s *Store) Get(key string) (string, bool, error) {
	if i, ok := s.index[key]; ok {
		return s.chunk[i].value, true, nil
	}
	if s.bloom == nil || !s.mayHave(key) {
		return "", false, nil
	}
	ra, err := s.files[0].ReaderAt()
	if err != nil {
		return "", false, spoolErr(err)
	}
	for _, r := range s.runs[0] {
		rd := bufio.NewReader(io.NewSectionReader(ra, r.off, r.n))
		for {
			e, err := readEntry(rd)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return "", false, err
			}
			if e.key == key {
				return e.value, true, nil
			}
		}
	}
	return "", false, nil
}

// Each calls yield with every key and value, in order o, each key once.
func (s *Store) Each(o secretgen.Order, yield func(key, value string) error) error {
	if len(s.runs[0]) == 0 { // all in memory
		sorted := slices.Clone(s.chunk)
		slices.SortFunc(sorted, func(a, b entry) int { return cmp(o, a.key, b.key) })
		for _, e := range sorted {
			if err := yield(e.key, e.value); err != nil {
				return err
			}
		}
		return nil
	}
	if len(s.chunk) > 0 {
		if err := s.spool(); err != nil {
			return err
		}
	}
	oi := slices.Index(orders[:], o)
	ra, err := s.files[oi].ReaderAt()
	if err != nil {
		return spoolErr(err)
	}
	m := &merge{o: o}
	for _, r := range s.runs[oi] {
		c := &cursor{r: bufio.NewReaderSize(io.NewSectionReader(ra, r.off, r.n), 4<<10)}
		if err := c.next(); err != nil {
			return err
		}
		if !c.done {
			m.cursors = append(m.cursors, c)
		}
	}
	heap.Init(m)
	for m.Len() > 0 {
		c := m.cursors[0]
		if err := yield(c.e.key, c.e.value); err != nil {
			return err
		}
		if err := c.next(); err != nil {
			return err
		}
		if c.done {
			heap.Pop(m)
		} else {
			heap.Fix(m, 0)
		}
	}
	return nil
}

// Close removes the spool files and forgets every value.
func (s *Store) Close() {
	for i := range s.files {
		s.files[i].Close()
	}
	*s = Store{}
}

// spool writes the chunk as one sorted run per order.
func (s *Store) spool() error {
	if s.bloom == nil {
		s.bloom = make([]uint64, bloomBits/64)
	}
	for _, e := range s.chunk {
		s.add(e.key)
	}
	var buf []byte
	for i, o := range orders {
		slices.SortFunc(s.chunk, func(a, b entry) int { return cmp(o, a.key, b.key) })
		f := &s.files[i]
		start := f.Size()
		for _, e := range s.chunk {
			buf = appendEntry(buf[:0], e)
			if _, err := f.Write(buf); err != nil {
				return spoolErr(err)
			}
		}
		s.runs[i] = append(s.runs[i], section{start, f.Size() - start})
	}
	s.spools += len(s.chunk)
	clear(s.chunk) // drop the values' references before reuse
	s.chunk, s.bytes = s.chunk[:0], 0
	clear(s.index)
	return nil
}

func cmp(o secretgen.Order, a, b string) int {
	switch {
	case a == b:
		return 0
	case o.Less(a, b):
		return -1
	}
	return 1
}

func spoolErr(err error) error {
	return fmt.Errorf("spool the generated Secret's values: %w", err)
}

// A record is the key's and the value's lengths as uvarints, then both.
func appendEntry(b []byte, e entry) []byte {
	b = binary.AppendUvarint(b, uint64(len(e.key)))
	b = binary.AppendUvarint(b, uint64(len(e.value)))
	b = append(b, e.key...)
	return append(b, e.value...)
}

func readEntry(r *bufio.Reader) (entry, error) {
	kl, err := binary.ReadUvarint(r)
	if err != nil {
		return entry{}, err // io.EOF at a record boundary: the end
	}
	vl, err := binary.ReadUvarint(r)
	if err != nil {
		return entry{}, corrupt(err)
	}
	b := make([]byte, kl+vl)
	if _, err := io.ReadFull(r, b); err != nil {
		return entry{}, corrupt(err)
	}
	return entry{string(b[:kl]), string(b[kl:])}, nil
}

func corrupt(err error) error {
	return spoolErr(fmt.Errorf("a record was cut short: %w", err))
}

// The Bloom filter probes bits h1 + i*h2 of one 64-bit FNV-1a hash.
func (s *Store) probes(key string, f func(bit uint64)) {
	h := fnv.New64a()
	h.Write([]byte(key))
	sum := h.Sum64()
	h1, h2 := sum&0xffffffff, sum>>32|1
	for i := uint64(0); i < bloomProbes; i++ {
		f((h1 + i*h2) % bloomBits)
	}
}

func (s *Store) add(key string) {
	s.probes(key, func(bit uint64) { s.bloom[bit/64] |= 1 << (bit % 64) })
}

func (s *Store) mayHave(key string) bool {
	all := true
	s.probes(key, func(bit uint64) { all = all && s.bloom[bit/64]&(1<<(bit%64)) != 0 })
	return all
}

// merge is a heap of cursors, least key first.
type merge struct {
	o       secretgen.Order
	cursors []*cursor
}

func (m *merge) Len() int           { return len(m.cursors) }
func (m *merge) Less(i, j int) bool { return m.o.Less(m.cursors[i].e.key, m.cursors[j].e.key) }
func (m *merge) Swap(i, j int)      { m.cursors[i], m.cursors[j] = m.cursors[j], m.cursors[i] }
func (m *merge) Push(x any)         { m.cursors = append(m.cursors, x.(*cursor)) }
func (m *merge) Pop() any {
	c := m.cursors[len(m.cursors)-1]
	m.cursors = m.cursors[:len(m.cursors)-1]
	return c
}

// cursor reads one run.
type cursor struct {
	r    *bufio.Reader
	e    entry
	done bool
}

func (c *cursor) next() error {
	e, err := readEntry(c.r)
	if errors.Is(err, io.EOF) {
		c.done = true
		return nil
	}
	c.e = e
	return err
}
